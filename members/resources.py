"""The columns of a member roster, for reading and for writing.

`MEMBER_COLUMNS` tells chibo.spreadsheets which headers mean which field
(with the variants offices use); `parse_cell` turns one cell into the value
the model stores, or raises CellError with a Vietnamese message.
`MemberResource` (django-import-export) is the export side: the same
columns, the same Vietnamese headers, so an exported list imports back
unchanged. The import itself does not go through the Resource's row-by-row
`import_data`: at 100,000 rows it is far below the 5,000 rows/s the issue
asks for, so members/imports.py validates and writes in bulk and uses these
columns for the mapping.
"""

import functools
import re
from datetime import date
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from chibo.masking import mask
from chibo.phones import phone_problem
from chibo.spreadsheets import (
    CellError,
    Column,
    build_xlsx,
    cell_digits,
    cell_text,
    header_key,
    parse_date,
)
from chibo.text import fold
from members.choices import (
    ETHNICITIES,
    OLD_ETHNIC_SPELLINGS,
    AcademicTitle,
    Education,
    Gender,
    Occupation,
    Qualification,
    Religion,
    TheoryLevel,
)
from members.models import Member

_DATE_HELP = gettext_lazy(
    "Ngày dạng dd/mm/yyyy (cũng hiểu 1/2/1975, 01-02-1975, 01.02.1975 và ô ngày của Excel)."
)

MEMBER_COLUMNS: list[Column] = [
    Column(
        "full_name",
        "Họ và tên",
        aliases=("Họ tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên"),
        required=True,
        help=gettext_lazy("Họ và tên đầy đủ, có dấu."),
    ),
    Column(
        "gender",
        "Giới tính",
        aliases=("Nam/Nữ", "Nam, Nữ", "Giới"),
        help=gettext_lazy("Nam hoặc Nữ."),
    ),
    Column(
        "birth_date",
        "Ngày sinh",
        aliases=("Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Sinh ngày", "NS"),
        kind="date",
        help=_DATE_HELP,
    ),
    Column("birthplace", "Nơi sinh"),
    Column("home_town", "Quê quán", aliases=("Nguyên quán",)),
    Column(
        "residence",
        "Nơi ở hiện nay",
        aliases=(
            "Chỗ ở hiện nay",
            "Nơi ở",
            "Địa chỉ",
            "Nơi cư trú",
            "Địa chỉ thường trú",
            "Nơi thường trú",
            "Địa chỉ nơi ở",
        ),
    ),
    Column(
        "ethnicity",
        "Dân tộc",
        help=format_lazy(
            "{} {}.",
            gettext_lazy(
                "Tên một trong 54 dân tộc theo thứ tự của biểu thống kê, hoặc hai dòng cuối:"
            ),
            ", ".join(ETHNICITIES),
        ),
    ),
    Column(
        "religion",
        "Tôn giáo",
        help=gettext_lazy(
            "Không, Thiên Chúa giáo (Công giáo), Tin Lành, Phật giáo, Cao Đài, Hòa Hảo, Hồi giáo, Tôn giáo khác."
        ),
    ),
    Column(
        "national_id",
        "Số CCCD",
        aliases=(
            "CCCD",
            "Số căn cước",
            "Số căn cước công dân",
            "Căn cước công dân",
            "CMND/CCCD",
            "Số CMND/CCCD",
            "Số định danh cá nhân",
            "Số định danh",
        ),
        kind="digits",
        help=gettext_lazy("Đúng 12 chữ số (ghi dạng chữ để Excel giữ số 0 đầu)."),
    ),
    Column(
        "phone",
        "Số điện thoại",
        kind="digits",
        aliases=("SĐT", "Điện thoại", "ĐT", "Số ĐT", "ĐTDĐ"),
        help=gettext_lazy(
            "Di động 10 chữ số bắt đầu bằng 03, 05, 07, 08, 09; cố định 11 chữ số bắt đầu bằng 02; có thể ghi +84 thay cho số 0."
        ),
    ),
    Column(
        "education",
        "Giáo dục phổ thông",
        aliases=(
            "Trình độ giáo dục phổ thông",
            "Trình độ GDPT",
            "GDPT",
            "Trình độ văn hóa",
            "Văn hóa",
            "Trình độ học vấn",
        ),
        help=gettext_lazy(
            "Dạng lớp/hệ (12/12, 9/12, 10/10, cũng hiểu “12/12 BT”) hoặc: Chưa biết chữ, Biết đọc biết viết, Tiểu học, Trung học cơ sở, Trung học phổ thông (cấp 1, cấp 2, cấp 3; THCS, THPT)."
        ),
    ),
    Column(
        "qualification",
        "Chuyên môn, nghiệp vụ",
        aliases=(
            "Trình độ chuyên môn",
            "Trình độ chuyên môn, nghiệp vụ",
            "Trình độ chuyên môn nghiệp vụ",
            "Chuyên môn",
            "Trình độ CMNV",
        ),
        help=gettext_lazy(
            "Chưa qua đào tạo (Không), Sơ cấp (Công nhân kỹ thuật, Nhân viên nghiệp vụ), Trung cấp (THCN), Cao đẳng (CĐ), Đại học (ĐH, Cử nhân, Kỹ sư, Bác sĩ), Thạc sĩ (ThS), Tiến sĩ (TS), Tiến sĩ khoa học (TSKH)."
        ),
    ),
    Column(
        "academic_title",
        "Chức danh khoa học",
        aliases=("Học hàm", "Chức danh KH", "Học hàm, chức danh khoa học"),
        help=gettext_lazy("Phó giáo sư (PGS), Giáo sư (GS); Không hoặc để trống nếu không có."),
    ),
    Column(
        "theory_level",
        "Lý luận chính trị",
        aliases=("Trình độ lý luận chính trị", "Trình độ LLCT", "LLCT", "Lý luận"),
        help=gettext_lazy(
            "Chưa qua đào tạo (Không, Chưa), Sơ cấp (SC), Trung cấp (TC), Cao cấp (CC), Cử nhân (CN)."
        ),
    ),
    Column("occupation", "Nghề nghiệp", aliases=("Nghề nghiệp hiện nay", "Công việc")),
    Column(
        "occupation_category",
        "Nhóm nghề nghiệp",
        aliases=(
            "Nhóm nghề",
            "Phân loại nghề nghiệp",
            "Nghề nghiệp (thống kê)",
            "Nghề nghiệp theo biểu thống kê",
        ),
        help=format_lazy(
            "{} {}. {}",
            gettext_lazy("Một nhóm của biểu thống kê:"),
            "; ".join(str(label) for label in Occupation.labels),
            gettext_lazy(
                "Cũng hiểu: CBCC nhà nước, CBCC Đảng đoàn thể, Cán bộ xã, Không chuyên trách thôn, Viên chức, Công nhân, Nông dân, Quân đội, Công an, Sinh viên, Học sinh, Tự do, Nghỉ hưu."
            ),
        ),
    ),
    Column("position", "Chức vụ", aliases=("Chức vụ hiện nay", "Chức vụ chính quyền")),
    Column(
        "is_civil_servant",
        "Cán bộ, công chức",
        aliases=("CBCC", "Là cán bộ, công chức", "Cán bộ công chức", "Công chức"),
        help=gettext_lazy("x (có) hoặc để trống (không)."),
    ),
    Column("workplace", "Nơi công tác", aliases=("Đơn vị công tác", "Cơ quan công tác")),
    Column(
        "is_retired",
        "Đã nghỉ hưu",
        aliases=("Nghỉ hưu", "Hưu trí", "Hưu"),
        help=gettext_lazy("x (có) hoặc để trống (không)."),
    ),
    Column(
        "is_youth_union_member",
        "Đoàn viên",
        aliases=(
            "Đoàn viên TNCS Hồ Chí Minh",
            "Đoàn viên TNCS HCM",
            "Đoàn viên thanh niên",
            "ĐVTN",
            "Là đoàn viên",
        ),
        help=gettext_lazy("x (có) hoặc để trống (không)."),
    ),
    Column(
        "is_discharged_soldier",
        "Quân nhân xuất ngũ",
        aliases=("QNXN", "Xuất ngũ", "Bộ đội xuất ngũ", "Quân nhân đã xuất ngũ"),
        help=gettext_lazy("x (có) hoặc để trống (không)."),
    ),
    Column(
        "is_private_business_owner",
        "Chủ doanh nghiệp tư nhân",
        aliases=("Chủ DNTN", "Chủ DN tư nhân", "Chủ doanh nghiệp"),
        help=gettext_lazy("x (có) hoặc để trống (không)."),
    ),
    Column(
        "married_to_foreigner",
        "Có quan hệ hôn nhân với người nước ngoài",
        aliases=(
            "Kết hôn với người nước ngoài",
            "Vợ/chồng là người nước ngoài",
            "Vợ, chồng là người nước ngoài",
            "Hôn nhân với người nước ngoài",
        ),
        help=gettext_lazy("x (có) hoặc để trống (không)."),
    ),
    Column(
        "admitted_on",
        "Ngày vào Đảng",
        aliases=("Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày vào Đảng CSVN"),
        kind="date",
        help=gettext_lazy("Ngày dạng dd/mm/yyyy; khi đã đủ 18 tuổi; bắt buộc khi thêm mới."),
    ),
    Column(
        "is_readmitted",
        "Kết nạp lại",
        aliases=("Kết nạp lại vào Đảng", "KN lại", "Được kết nạp lại"),
        help=gettext_lazy(
            "x nếu ngày vào Đảng là ngày được kết nạp lại (đã từng ra khỏi Đảng); để trống nếu không."
        ),
    ),
    Column(
        "official_on",
        "Ngày chính thức",
        aliases=(
            "Ngày công nhận chính thức",
            "Ngày chuyển chính thức",
            "Ngày đảng viên chính thức",
            "Ngày chính thức vào Đảng",
        ),
        kind="date",
        help=gettext_lazy(
            "Ngày dạng dd/mm/yyyy, sau ngày vào Đảng; để trống nếu còn là đảng viên dự bị."
        ),
    ),
    Column(
        "card_number",
        "Số thẻ đảng viên",
        aliases=("Số thẻ", "Số thẻ Đảng", "Số thẻ ĐV", "Số thẻ đảng"),
        kind="digits",
        help=gettext_lazy(
            "Số thẻ đảng viên (tối đa 20 ký tự): cùng với số CCCD, nhận ra đảng viên đã có."
        ),
    ),
    Column("dossier_number", "Số lý lịch", aliases=("Số LL", "Số lý lịch đảng viên")),
    Column(
        "unit",
        "Chi bộ",
        aliases=("Tên chi bộ", "Chi bộ sinh hoạt", "Mã chi bộ", "Sinh hoạt tại chi bộ"),
        help=gettext_lazy(
            "Tên hoặc mã chi bộ trong phạm vi của bạn; để trống thì dùng chi bộ chọn khi tải lên."
        ),
    ),
]

# Profile fields an import may set, i.e. every column but the cell.
PROFILE_FIELDS = [c.key for c in MEMBER_COLUMNS if c.key != "unit"]
DATE_FIELDS = {c.key for c in MEMBER_COLUMNS if c.kind == "date"}
_TEXT_LIMITS = {
    f.name: f.max_length
    for f in Member._meta.get_fields()
    if getattr(f, "max_length", None) and f.name in PROFILE_FIELDS
}


def _choices_by_key(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    table = {}
    for value, label in choices:
        table[header_key(label)] = value
        table[header_key(value)] = value
    for alias, value in (extra or {}).items():
        table[header_key(alias)] = value
    return table


_GENDERS = {"nam": Gender.MALE, "nu": Gender.FEMALE}
_ETHNIC = _choices_by_key(
    [(g, g) for g in ETHNICITIES],
    {
        **OLD_ETHNIC_SPELLINGS,
        "Khmer": "Khơ Me",
        "Khơ-me": "Khơ Me",
        "Hmông": "Mông",
        "H'mông": "Mông",
        "Mèo": "Mông",
        "Êđê": "Ê Đê",
        "Ê-đê": "Ê Đê",
        "Vân Kiều": "Bru-Vân Kiều",
        "Bru Vân Kiều": "Bru-Vân Kiều",
        "Việt": "Kinh",
        "Kinh (Việt)": "Kinh",
        "Hán": "Hoa",
        "Ra-glai": "Raglai",
        "Stiêng": "Xtiêng",
        "Jrai": "Gia Rai",
        "Bahnar": "Ba Na",
        "Khác": "Dân tộc khác",
        "Nước ngoài": "Quốc tịch gốc nước ngoài",
        "Gốc nước ngoài": "Quốc tịch gốc nước ngoài",
    },
)
_RELIGION = _choices_by_key(
    Religion.choices,
    {
        "Không": Religion.NONE,
        "Không có": Religion.NONE,
        "Không tôn giáo": Religion.NONE,
        "-": Religion.NONE,
        "Công giáo": Religion.CATHOLIC,
        "Thiên Chúa": Religion.CATHOLIC,
        "Thiên Chúa giáo": Religion.CATHOLIC,
        "Đạo Thiên Chúa": Religion.CATHOLIC,
        "Tin lành": Religion.PROTESTANT,
        "Đạo Tin Lành": Religion.PROTESTANT,
        "Cơ Đốc": Religion.PROTESTANT,
        "Phật": Religion.BUDDHIST,
        "Đạo Phật": Religion.BUDDHIST,
        "Cao Đài": Religion.CAO_DAI,
        "Đạo Cao Đài": Religion.CAO_DAI,
        "Hòa Hảo": Religion.HOA_HAO,
        "Hoà Hảo": Religion.HOA_HAO,
        "Phật giáo Hòa Hảo": Religion.HOA_HAO,
        "Phật giáo Hoà Hảo": Religion.HOA_HAO,
        "Hồi": Religion.ISLAM,
        "Hồi giáo": Religion.ISLAM,
        "Islam": Religion.ISLAM,
        "Khác": Religion.OTHER,
    },
)
_QUALIFICATION = _choices_by_key(
    Qualification.choices,
    {
        "Không": Qualification.NONE,
        "Chưa": Qualification.NONE,
        "Chưa đào tạo": Qualification.NONE,
        "Sơ cấp": Qualification.ELEMENTARY,
        "Công nhân kỹ thuật": Qualification.ELEMENTARY,
        "CNKT": Qualification.ELEMENTARY,
        "Nhân viên nghiệp vụ": Qualification.ELEMENTARY,
        "Trung cấp": Qualification.INTERMEDIATE,
        "TC": Qualification.INTERMEDIATE,
        "Trung học chuyên nghiệp": Qualification.INTERMEDIATE,
        "THCN": Qualification.INTERMEDIATE,
        "Cao đẳng": Qualification.COLLEGE,
        "CĐ": Qualification.COLLEGE,
        "Đại học": Qualification.BACHELOR,
        "ĐH": Qualification.BACHELOR,
        "Cử nhân": Qualification.BACHELOR,
        "CN": Qualification.BACHELOR,
        "Kỹ sư": Qualification.BACHELOR,
        "KS": Qualification.BACHELOR,
        "Bác sĩ": Qualification.BACHELOR,
        "Bác sỹ": Qualification.BACHELOR,
        "Dược sĩ": Qualification.BACHELOR,
        "Kiến trúc sư": Qualification.BACHELOR,
        "Thạc sĩ": Qualification.MASTER,
        "Thạc sỹ": Qualification.MASTER,
        "ThS": Qualification.MASTER,
        "Cao học": Qualification.MASTER,
        "Tiến sĩ": Qualification.DOCTOR,
        "Tiến sỹ": Qualification.DOCTOR,
        "TS": Qualification.DOCTOR,
        "Tiến sỹ khoa học": Qualification.DOCTOR_OF_SCIENCE,
        "TSKH": Qualification.DOCTOR_OF_SCIENCE,
    },
)
_TITLE = _choices_by_key(
    AcademicTitle.choices,
    {
        "PGS": AcademicTitle.ASSOCIATE_PROFESSOR,
        "Phó GS": AcademicTitle.ASSOCIATE_PROFESSOR,
        "GS": AcademicTitle.PROFESSOR,
        "Không": "",
        "-": "",
    },
)
_THEORY = _choices_by_key(
    TheoryLevel.choices,
    {
        "Không": TheoryLevel.NONE,
        "Chưa": TheoryLevel.NONE,
        "Chưa học": TheoryLevel.NONE,
        "Chưa đào tạo": TheoryLevel.NONE,
        "SC": TheoryLevel.ELEMENTARY,
        "TC": TheoryLevel.INTERMEDIATE,
        "CC": TheoryLevel.ADVANCED,
        "CN": TheoryLevel.BACHELOR,
        "Cử nhân chính trị": TheoryLevel.BACHELOR,
        "Cao cấp chính trị": TheoryLevel.ADVANCED,
        "Trung cấp chính trị": TheoryLevel.INTERMEDIATE,
        "Sơ cấp chính trị": TheoryLevel.ELEMENTARY,
    },
)
_EDUCATION = _choices_by_key(
    Education.choices,
    {
        "Mù chữ": Education.ILLITERATE,
        "Không biết chữ": Education.ILLITERATE,
        "Biết đọc biết viết": Education.LITERATE,
        "Biết chữ": Education.LITERATE,
        "Cấp 1": Education.PRIMARY,
        "Cấp I": Education.PRIMARY,
        "Cấp 2": Education.LOWER_SECONDARY,
        "Cấp II": Education.LOWER_SECONDARY,
        "THCS": Education.LOWER_SECONDARY,
        "PTCS": Education.LOWER_SECONDARY,
        "Cấp 3": Education.UPPER_SECONDARY,
        "Cấp III": Education.UPPER_SECONDARY,
        "THPT": Education.UPPER_SECONDARY,
        "PTTH": Education.UPPER_SECONDARY,
        "Bổ túc": Education.UPPER_SECONDARY,
    },
)
_OCCUPATION = _choices_by_key(
    Occupation.choices,
    {
        "CBCC nhà nước": Occupation.STATE,
        "Công chức nhà nước": Occupation.STATE,
        "CBCC Đảng đoàn thể": Occupation.PARTY_FRONT,
        "CBCC Đảng, đoàn thể": Occupation.PARTY_FRONT,
        "CBCC Đảng, MTTQ, đoàn thể": Occupation.PARTY_FRONT,
        "Cán bộ xã": Occupation.COMMUNE,
        "Công chức xã": Occupation.COMMUNE,
        "CBCC xã": Occupation.COMMUNE,
        "CBCC cấp xã": Occupation.COMMUNE,
        "Cán bộ phường": Occupation.COMMUNE,
        "Không chuyên trách xã": Occupation.COMMUNE,
        "Không chuyên trách thôn": Occupation.VILLAGE,
        "Không chuyên trách tổ dân phố": Occupation.VILLAGE,
        "Cán bộ thôn": Occupation.VILLAGE,
        "Viên chức": Occupation.PUBLIC_SERVICE,
        "Viên chức sự nghiệp": Occupation.PUBLIC_SERVICE,
        "Giáo viên": Occupation.PUBLIC_SERVICE,
        "Ngoài công lập": Occupation.NON_PUBLIC_SERVICE,
        "Lãnh đạo doanh nghiệp": Occupation.ENTERPRISE_MANAGER,
        "Quản lý doanh nghiệp": Occupation.ENTERPRISE_MANAGER,
        "Nhân viên doanh nghiệp": Occupation.ENTERPRISE_STAFF,
        "Công nhân": Occupation.ENTERPRISE_WORKER,
        "Nông dân": Occupation.AGRICULTURE,
        "Nông nghiệp": Occupation.AGRICULTURE,
        "Ngư dân": Occupation.AGRICULTURE,
        "Nông, lâm, ngư nghiệp": Occupation.AGRICULTURE,
        "Quân đội": Occupation.ARMED_FORCES,
        "Công an": Occupation.ARMED_FORCES,
        "Lực lượng vũ trang": Occupation.ARMED_FORCES,
        "Sĩ quan": Occupation.ARMED_FORCES,
        "Chiến sĩ": Occupation.ARMED_FORCES,
        "Bộ đội": Occupation.ARMED_FORCES,
        "Học sinh, sinh viên": Occupation.STUDENT,
        "Tự do": Occupation.OTHER,
        "Lao động tự do": Occupation.OTHER,
        "Hợp đồng": Occupation.OTHER,
        "Khác": Occupation.OTHER,
        "Nghỉ hưu": Occupation.RETIRED,
        "Hưu": Occupation.RETIRED,
        "Hưu trí": Occupation.RETIRED,
        "Đã nghỉ hưu": Occupation.RETIRED,
        "Nghỉ công tác": Occupation.RETIRED,
        "Mất sức": Occupation.RETIRED,
    },
)
# "12/12", "9/12", "10/10", also "12/12 BT" / "12/12 (bổ túc)" (after header_key-like folding)
_GRADE = re.compile(r"^(\d{1,2})\s*/\s*(10|12)(?:\s*\(?\s*(?:bt|bo tuc|btvh|bttc)\s*\)?)?$")
_TRUE = {"x", "co", "1", "true", "yes", "dung", "cbcc", "la", "canbocongchuc", "congchuc"}
_FALSE = {"khong", "0", "false", "-", "no"}


@functools.lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """header_key, remembered: a roster repeats the same few genders, groups and levels."""
    return header_key(text)


def _choice(value: Any, table: dict[str, str], message, accepted=None) -> str:
    text = cell_text(value)
    found = table.get(_key(text))
    if found is None:
        problem = str(message) % {"value": text}
        if accepted:
            problem += " " + _("Ghi một trong: %(values)s.") % {
                "values": ", ".join(str(a) for a in accepted)
            }
        raise CellError(problem)
    return found


def _choice_parser(table: dict[str, str], message, accepted):
    return lambda value: _choice(value, table, message, accepted)


def _education(value: Any) -> str:
    text = cell_text(value)
    m = _GRADE.match(fold(text).strip())
    if m:
        grade, system = int(m.group(1)), int(m.group(2))
        if grade > system:
            raise CellError(_("Trình độ “%(value)s” không hợp lệ.") % {"value": text})
        upper, lower = (12, 9) if system == 12 else (10, 7)
        if grade >= upper:
            return Education.UPPER_SECONDARY
        return Education.LOWER_SECONDARY if grade >= lower else Education.PRIMARY
    return _choice(value, _EDUCATION, _EDUCATION_MESSAGE)


def _date(value: Any) -> date | None:
    day = parse_date(value)
    if day is not None and day > date.today():
        raise CellError(_("Ngày %(day)s ở tương lai.") % {"day": day.strftime("%d/%m/%Y")})
    return day


def _gender(value: Any) -> str:
    text = cell_text(value)
    found = _GENDERS.get(_key(text))
    if found is None:
        raise CellError(
            _("Giới tính “%(value)s” không hợp lệ: ghi “Nam” hoặc “Nữ”.") % {"value": text}
        )
    return found


def _national_id(value: Any) -> str:
    digits = cell_digits(value, width=12)
    if not (len(digits) == 12 and digits.isdigit()):
        raise CellError(
            _("Số CCCD “%(value)s” phải gồm đúng 12 chữ số.") % {"value": cell_text(value)}
        )
    return digits


def _card_number(value: Any) -> str:
    card = cell_digits(value)
    if len(card) > _TEXT_LIMITS["card_number"]:
        raise CellError(
            _("Số thẻ đảng viên dài quá %(limit)s ký tự.") % {"limit": _TEXT_LIMITS["card_number"]}
        )
    return card


def _phone(value: Any) -> str:
    text = cell_digits(value)
    if isinstance(value, int | float) and not text.startswith("0"):
        text = "0" + text  # Excel drops the leading zero of a number
    problem = phone_problem(text, written=cell_text(value) if isinstance(value, str) else text)
    if problem:
        raise CellError(problem)
    if len(text) > _TEXT_LIMITS["phone"]:
        raise CellError(_("Dài quá %(limit)s ký tự.") % {"limit": _TEXT_LIMITS["phone"]})
    return text


def _flag(what):
    """A yes/no column: “x” (or Có, 1) for yes, empty (or Không, 0) for no."""

    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = _key(cell_text(value))
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError(
            _("Cột %(what)s ghi “x” (có) hoặc để trống (không), không ghi “%(value)s”.")
            % {"what": what, "value": cell_text(value)}
        )

    return parse


_EDUCATION_MESSAGE = format_lazy(
    "{} {}",
    gettext_lazy("Trình độ giáo dục phổ thông “%(value)s” không hợp lệ."),
    gettext_lazy(
        "Ghi dạng lớp/hệ (12/12, 9/12, 10/10) hoặc một trong: Chưa biết chữ, Biết đọc biết viết, "
        "Tiểu học, Trung học cơ sở, Trung học phổ thông."
    ),
)
_PARSERS = {
    **{key: _date for key in DATE_FIELDS},
    "gender": _gender,
    "national_id": _national_id,
    "card_number": _card_number,
    "phone": _phone,
    "ethnicity": _choice_parser(
        _ETHNIC,
        gettext_lazy("Dân tộc “%(value)s” không có trong danh mục 54 dân tộc."),
        ETHNICITIES,
    ),
    "religion": _choice_parser(
        _RELIGION, gettext_lazy("Tôn giáo “%(value)s” không có trong danh mục."), Religion.labels
    ),
    "education": _education,
    "qualification": _choice_parser(
        _QUALIFICATION,
        gettext_lazy("Trình độ chuyên môn “%(value)s” không hợp lệ."),
        Qualification.labels,
    ),
    "academic_title": _choice_parser(
        _TITLE,
        gettext_lazy("Chức danh khoa học “%(value)s” không hợp lệ."),
        [*AcademicTitle.labels, _("Không")],
    ),
    "theory_level": _choice_parser(
        _THEORY,
        gettext_lazy("Trình độ lý luận chính trị “%(value)s” không hợp lệ."),
        TheoryLevel.labels,
    ),
    "occupation_category": _choice_parser(
        _OCCUPATION,
        gettext_lazy("Nhóm nghề nghiệp “%(value)s” không có trong danh mục của biểu thống kê."),
        Occupation.labels,
    ),
    "is_civil_servant": _flag(gettext_lazy("cán bộ, công chức")),
    "is_retired": _flag(gettext_lazy("đã nghỉ hưu")),
    "is_youth_union_member": _flag(gettext_lazy("đoàn viên")),
    "is_discharged_soldier": _flag(gettext_lazy("quân nhân xuất ngũ")),
    "is_private_business_owner": _flag(gettext_lazy("chủ doanh nghiệp tư nhân")),
    "married_to_foreigner": _flag(gettext_lazy("quan hệ hôn nhân với người nước ngoài")),
    "is_readmitted": _flag(gettext_lazy("kết nạp lại")),
}


def parse_cell(key: str, value: Any) -> Any:
    """The value to store for `key` from a non-empty cell, or CellError."""
    parser = _PARSERS.get(key)
    if parser is not None:
        return parser(value)
    text = value if isinstance(value, str) else cell_text(value)  # the reader normalised it
    limit = _TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise CellError(_("Dài quá %(limit)s ký tự.") % {"limit": limit})
    return text


# --- export ------------------------------------------------------------------


class MemberResource(resources.ModelResource):
    """The member roster as a spreadsheet: Vietnamese headers, dates as dates,
    choices as their Vietnamese labels, the cell by name."""

    full_name = fields.Field(attribute="full_name", column_name="Họ và tên")
    gender = fields.Field(column_name="Giới tính")
    birth_date = fields.Field(attribute="birth_date", column_name="Ngày sinh")
    birthplace = fields.Field(attribute="birthplace", column_name="Nơi sinh")
    home_town = fields.Field(attribute="home_town", column_name="Quê quán")
    residence = fields.Field(attribute="residence", column_name="Nơi ở hiện nay")
    ethnicity = fields.Field(attribute="ethnicity", column_name="Dân tộc")
    religion = fields.Field(attribute="religion", column_name="Tôn giáo")
    national_id = fields.Field(attribute="national_id", column_name="Số CCCD")
    phone = fields.Field(attribute="phone", column_name="Số điện thoại")
    education = fields.Field(column_name="Giáo dục phổ thông")
    qualification = fields.Field(column_name="Chuyên môn, nghiệp vụ")
    academic_title = fields.Field(column_name="Chức danh khoa học")
    theory_level = fields.Field(column_name="Lý luận chính trị")
    occupation = fields.Field(attribute="occupation", column_name="Nghề nghiệp")
    occupation_category = fields.Field(column_name="Nhóm nghề nghiệp")
    position = fields.Field(attribute="position", column_name="Chức vụ")
    is_civil_servant = fields.Field(column_name="Cán bộ, công chức")
    workplace = fields.Field(attribute="workplace", column_name="Nơi công tác")
    is_retired = fields.Field(column_name="Đã nghỉ hưu")
    is_youth_union_member = fields.Field(column_name="Đoàn viên")
    is_discharged_soldier = fields.Field(column_name="Quân nhân xuất ngũ")
    is_private_business_owner = fields.Field(column_name="Chủ doanh nghiệp tư nhân")
    married_to_foreigner = fields.Field(column_name="Có quan hệ hôn nhân với người nước ngoài")
    admitted_on = fields.Field(attribute="admitted_on", column_name="Ngày vào Đảng")
    is_readmitted = fields.Field(column_name="Kết nạp lại")
    official_on = fields.Field(attribute="official_on", column_name="Ngày chính thức")
    card_number = fields.Field(attribute="card_number", column_name="Số thẻ đảng viên")
    dossier_number = fields.Field(attribute="dossier_number", column_name="Số lý lịch")
    unit = fields.Field(column_name="Chi bộ")

    class Meta:
        model = Member
        fields = tuple(c.key for c in MEMBER_COLUMNS)
        export_order = fields

    def __init__(self, *args, full: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.full = full  # full CCCD and card numbers (an audited choice); else masked

    def dehydrate_national_id(self, member: Member) -> str:
        return (member.national_id or "") if self.full else mask(member.national_id)

    def dehydrate_card_number(self, member: Member) -> str:
        return (member.card_number or "") if self.full else mask(member.card_number)

    def dehydrate_gender(self, member: Member) -> str:
        return member.get_gender_display()

    def dehydrate_religion(self, member: Member) -> str:
        return member.get_religion_display()

    def dehydrate_academic_title(self, member: Member) -> str:
        return member.get_academic_title_display() if member.academic_title else ""

    def dehydrate_occupation_category(self, member: Member) -> str:
        return member.get_occupation_category_display() if member.occupation_category else ""

    def dehydrate_education(self, member: Member) -> str:
        return member.get_education_display() if member.education else ""

    def dehydrate_qualification(self, member: Member) -> str:
        return member.get_qualification_display() if member.qualification else ""

    def dehydrate_theory_level(self, member: Member) -> str:
        return member.get_theory_level_display() if member.theory_level else ""

    def dehydrate_is_civil_servant(self, member: Member) -> str:
        return "x" if member.is_civil_servant else ""

    def dehydrate_is_retired(self, member: Member) -> str:
        return "x" if member.is_retired else ""

    def dehydrate_is_youth_union_member(self, member: Member) -> str:
        return "x" if member.is_youth_union_member else ""

    def dehydrate_is_discharged_soldier(self, member: Member) -> str:
        return "x" if member.is_discharged_soldier else ""

    def dehydrate_is_private_business_owner(self, member: Member) -> str:
        return "x" if member.is_private_business_owner else ""

    def dehydrate_married_to_foreigner(self, member: Member) -> str:
        return "x" if member.married_to_foreigner else ""

    def dehydrate_is_readmitted(self, member: Member) -> str:
        return "x" if member.is_readmitted else ""

    def dehydrate_unit(self, member: Member) -> str:
        if member.unit_id is None:
            return ""
        return member.unit.code or member.unit.name


def export_members_xlsx(queryset, *, title: str = "", full: bool = False) -> bytes:
    """The roster of `queryset` (already scoped by the caller) as XLSX, the
    CCCD and card numbers masked unless `full`."""
    resource = MemberResource(full=full)
    dataset = resource.export(queryset=queryset.select_related("unit"))
    keys = [c.key for c in MEMBER_COLUMNS]
    return build_xlsx(
        list(dataset.headers),
        (list(r) for r in dataset),
        title=title,
        date_columns=[i for i, k in enumerate(keys) if k in DATE_FIELDS],
        text_columns=[keys.index("national_id"), keys.index("card_number"), keys.index("phone")],
    )
