from django.db import models
from django.utils.translation import gettext_lazy as _

# The 54 ethnic groups of Viet Nam (Tổng cục Thống kê), in the official order.
ETHNIC_GROUPS = [
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khơ Me",
    "Hoa",
    "Nùng",
    "H'Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
    "Sán Chay",
    "Chăm",
    "Cơ Ho",
    "Xơ Đăng",
    "Sán Dìu",
    "Hrê",
    "Ra Glai",
    "Mnông",
    "Thổ",
    "Stiêng",
    "Khơ mú",
    "Bru - Vân Kiều",
    "Cơ Tu",
    "Giáy",
    "Tà Ôi",
    "Mạ",
    "Giẻ-Triêng",
    "Co",
    "Chơ Ro",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "Kháng",
    "La Chí",
    "Phù Lá",
    "La Hủ",
    "La Ha",
    "Pà Thẻn",
    "Chứt",
    "Lự",
    "Lô Lô",
    "Mảng",
    "Cờ Lao",
    "Bố Y",
    "Cống",
    "Ngái",
    "Si La",
    "Pu Péo",
    "Rơ măm",
    "Brâu",
    "Ơ Đu",
]
ETHNICITY_CHOICES = [(name, name) for name in ETHNIC_GROUPS]


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


class Education(models.TextChoices):
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")


class Qualification(models.TextChoices):
    NONE = "none", _("Chưa qua đào tạo")
    VOCATIONAL = "vocational", _("Sơ cấp / trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    BACHELOR = "bachelor", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTOR = "doctor", _("Tiến sĩ")


class TheoryLevel(models.TextChoices):
    NONE = "none", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Sơ cấp")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    ADVANCED = "advanced", _("Cao cấp")
    BACHELOR = "bachelor", _("Cử nhân")


class PlacementKind(models.TextChoices):
    PERMANENT = "permanent", _("Sinh hoạt chính thức")
    TEMPORARY = "temporary", _("Sinh hoạt tạm thời")


# The note of history rows written from a dossier's dates (an imported roster,
# the demo) rather than from a decision recorded in chibo: the timeline shows it.
RECONSTRUCTED = _("theo dữ liệu nhập")
