from django.db import models
from django.utils.translation import gettext_lazy as _

# The 54 ethnic groups in the order the statistics forms print them (Biểu 4
# "Đảng viên chia theo dân tộc", 12-HD/BTCTW 2012 and the 2017 set as
# reproduced in C1/C2 of /work/shared/forms.md, section "Biểu 4"), then the
# form's rows 55 and 56. The spelling is the forms'; the import also accepts
# the usual variants (members/resources.py ETHNIC_ALIASES). The order differs
# from the Tổng cục Thống kê code list (QĐ 121-TCTK/PPCĐ, 1979) only where the
# reproductions put Ngái after Ê Đê [R]: the form's order is kept.
ETHNIC_GROUPS = [
    "Kinh",
    "Tày",
    "Thái",
    "Hoa",
    "Khơ Me",
    "Mường",
    "Nùng",
    "Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ngái",
    "Ba Na",
    "Xơ Đăng",
    "Sán Chay",
    "Cơ Ho",
    "Chăm",
    "Sán Dìu",
    "Hrê",
    "Mnông",
    "Raglai",
    "Xtiêng",
    "Bru-Vân Kiều",
    "Thổ",
    "Giáy",
    "Cơ Tu",
    "Giẻ Triêng",
    "Mạ",
    "Khơ Mú",
    "Co",
    "Tà Ôi",
    "Chơ Ro",
    "Kháng",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "La Chí",
    "La Ha",
    "Phù Lá",
    "La Hủ",
    "Lự",
    "Lô Lô",
    "Chứt",
    "Mảng",
    "Pà Thẻn",
    "Cơ Lao",
    "Cống",
    "Bố Y",
    "Si La",
    "Pu Péo",
    "Brâu",
    "Ơ Đu",
    "Rơ Măm",
]
FOREIGN_ORIGIN = "Quốc tịch gốc nước ngoài"
OTHER_ETHNICITY = "Dân tộc khác"
# Every value the ethnicity field takes, in the form's order (rows 1-56).
ETHNICITIES = [*ETHNIC_GROUPS, FOREIGN_ORIGIN, OTHER_ETHNICITY]
# Ethnic minorities (dân tộc thiểu số) are every group but Kinh; the forms'
# "trong đó dân tộc thiểu số" line counts ETHNIC_GROUPS[1:] [R: whether rows 55
# and 56 count as minorities is not stated in the reproductions].
MAJORITY_ETHNICITY = "Kinh"
# Spellings of the old list (before the forms' order) kept in existing data.
OLD_ETHNIC_SPELLINGS = {
    "H'Mông": "Mông",
    "Ra Glai": "Raglai",
    "Stiêng": "Xtiêng",
    "Khơ mú": "Khơ Mú",
    "Bru - Vân Kiều": "Bru-Vân Kiều",
    "Giẻ-Triêng": "Giẻ Triêng",
    "Cờ Lao": "Cơ Lao",
    "Rơ măm": "Rơ Măm",
}
ETHNICITY_CHOICES = [(name, name) for name in ETHNICITIES]


class Gender(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class Status(models.TextChoices):
    CANDIDATE = "candidate", _("Quần chúng ưu tú")
    PROBATIONARY = "probationary", _("Đảng viên dự bị")
    OFFICIAL = "official", _("Đảng viên chính thức")
    TRANSFERRED_OUT = "transferred_out", _("Đã chuyển sinh hoạt ra ngoài")
    REMOVED = "removed", _("Đã xóa tên")
    EXPELLED = "expelled", _("Đã khai trừ")
    DECEASED = "deceased", _("Đã từ trần")
    NOT_ADMITTED = "not_admitted", _("Không kết nạp")


# Statuses that make someone a party member counted in a cell's figures.
MEMBER_STATUSES = (Status.PROBATIONARY, Status.OFFICIAL)


# The levels below follow the rows of Biểu 3 (3-TCTW 2012; 3-BTCTW 2017 II.4-II.7)
# and Biểu 2, as listed in /work/shared/forms.md ("Biểu 2", "Biểu 3").


class Religion(models.TextChoices):
    """Biểu 4 section II "Đảng viên trong các tôn giáo" (forms.md, Biểu 4)."""

    NONE = "none", _("Không")
    CATHOLIC = "catholic", _("Thiên Chúa giáo (Công giáo)")
    PROTESTANT = "protestant", _("Tin Lành")
    BUDDHIST = "buddhist", _("Phật giáo")
    CAO_DAI = "cao_dai", _("Cao Đài")
    HOA_HAO = "hoa_hao", _("Hòa Hảo")
    ISLAM = "islam", _("Hồi giáo")
    OTHER = "other", _("Tôn giáo khác")


class Education(models.TextChoices):
    """Học vấn phổ thông (Biểu 3 2012 row 4; 2017 II.4). Ordered low to high."""

    ILLITERATE = "illiterate", _("Chưa biết chữ")
    LITERATE = "literate", _("Biết đọc, biết viết")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")


class Qualification(models.TextChoices):
    """Chuyên môn, nghiệp vụ (Biểu 3 2012 row 5; 2017 II.5). TSKH is a 2012 row."""

    NONE = "none", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Công nhân kỹ thuật, nhân viên nghiệp vụ, sơ cấp")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    BACHELOR = "bachelor", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTOR = "doctor", _("Tiến sĩ")
    DOCTOR_OF_SCIENCE = "doctor_science", _("Tiến sĩ khoa học")


class AcademicTitle(models.TextChoices):
    """Chức danh khoa học (Biểu 3 2012 row 6; 2017 II.6). Blank: none."""

    ASSOCIATE_PROFESSOR = "associate_professor", _("Phó giáo sư")
    PROFESSOR = "professor", _("Giáo sư")


class TheoryLevel(models.TextChoices):
    """Lý luận chính trị (Biểu 3 2012 row 7; 2017 II.7: "cao cấp, cử nhân" is one row)."""

    NONE = "none", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Sơ cấp")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    ADVANCED = "advanced", _("Cao cấp")
    BACHELOR = "bachelor", _("Cử nhân")


class Occupation(models.TextChoices):
    """Nghề nghiệp, the 2017 list (3-BTCTW II.1, 2-BTCTW II.1; forms.md "Biểu 3"):
    a) working (the first fourteen), b) retired or no longer working. The 2012
    forms' coarser lines (Biểu 2: CBCC nhà nước, viên chức sự nghiệp, …) are
    sums of these [R: the mapping is the reports' choice]."""

    STATE = "state", _("Cán bộ, công chức cơ quan Nhà nước (từ cấp huyện trở lên)")
    PARTY_FRONT = (
        "party_front",
        _("Cán bộ, công chức cơ quan Đảng, Mặt trận Tổ quốc, đoàn thể (từ cấp huyện trở lên)"),
    )
    COMMUNE = (
        "commune",
        _("Cán bộ, công chức, người hoạt động không chuyên trách ở xã, phường, thị trấn"),
    )
    VILLAGE = "village", _("Người hoạt động không chuyên trách ở thôn, tổ dân phố")
    PUBLIC_SERVICE = "public_service", _("Viên chức sự nghiệp công lập")
    NON_PUBLIC_SERVICE = "non_public_service", _("Lao động trong đơn vị sự nghiệp ngoài công lập")
    ENTERPRISE_MANAGER = "enterprise_manager", _("Doanh nghiệp: lãnh đạo, quản lý")
    ENTERPRISE_STAFF = "enterprise_staff", _("Doanh nghiệp: nhân viên gián tiếp")
    ENTERPRISE_WORKER = "enterprise_worker", _("Doanh nghiệp: công nhân trực tiếp sản xuất")
    AGRICULTURE = "agriculture", _("Nông, lâm, ngư nghiệp")
    ARMED_FORCES = "armed_forces", _("Sĩ quan, chiến sĩ Quân đội và Công an")
    STUDENT = "student", _("Sinh viên")
    PUPIL = "pupil", _("Học sinh")
    OTHER = "other", _("Nghề khác (hợp đồng, lao động tự do)")
    RETIRED = "retired", _("Đã nghỉ hưu, nghỉ công tác")


class TransferScope(models.TextChoices):
    """Where a transfer came from or went to, as Biểu 1 counts it (B2a/B2b,
    C5a/C5b; forms.md "Biểu 1"): only transfers across a district or province
    boundary move the figures. "Huyện ủy và tương đương" is any committee
    directly under a province (a district before 1/7/2025, a bloc committee,
    a commune or ward committee after)."""

    OTHER_PROVINCE = "other_province", _("Tỉnh ủy (và tương đương) khác")
    OTHER_DISTRICT = "other_district", _("Huyện ủy (và tương đương) khác trong tỉnh")
    INTERNAL = "internal", _("Trong cùng huyện ủy (và tương đương)")


# The profile fields the forms count that change over time. A real change
# (a degree obtained, retirement, leaving the youth union) is kept as a dated
# ProfileChange, so a form for a past date reads the value of that date; a
# correction of a wrong entry is not a change and rewrites the past too.
DATED_PROFILE_FIELDS = (
    "religion",
    "education",
    "qualification",
    "academic_title",
    "theory_level",
    "occupation_category",
    "is_retired",
    "is_civil_servant",
    "is_youth_union_member",
    "is_discharged_soldier",
    "is_private_business_owner",
    "married_to_foreigner",
)


class PlacementKind(models.TextChoices):
    PERMANENT = "permanent", _("Sinh hoạt chính thức")
    TEMPORARY = "temporary", _("Sinh hoạt tạm thời")


class AwardKind(models.TextChoices):
    """The forms of khen thưởng the statistics forms count (Biểu 7, 8)."""

    FLAG = "flag", _("Cờ thi đua")
    MERIT = "merit", _("Bằng khen")
    CERTIFICATE = "certificate", _("Giấy khen")
    ORDER = "order", _("Huân chương")
    MEDAL = "medal", _("Huy chương")
    TITLE = "title", _("Danh hiệu")
    COMMEMORATIVE = "commemorative", _("Kỷ niệm chương")
    OTHER = "other", _("Hình thức khác")


class DecisionLevel(models.TextChoices):
    """Who decided an award or a discipline (cấp quyết định)."""

    STATE = "state", _("Nhà nước")
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Tỉnh ủy, thành ủy và tương đương")
    SUPERIOR = "superior", _("Cấp trên cơ sở")
    GRASSROOTS = "grassroots", _("Đảng ủy cơ sở")
    CELL = "cell", _("Chi bộ")


class CardEvent(models.TextChoices):
    """A party card's issue (Biểu 7, III: phát thẻ; cấp lại do mất; đổi do hỏng)."""

    ISSUED = "issued", _("Phát thẻ")
    REISSUED = "reissued", _("Cấp lại do mất")
    REPLACED = "replaced", _("Đổi do hỏng")


# The note of history rows written from a dossier's dates (an imported roster,
# the demo) rather than from a decision recorded in chibo: the timeline shows it.
RECONSTRUCTED = _("theo dữ liệu nhập")
