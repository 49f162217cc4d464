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

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

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
from members.choices import (
    ETHNICITIES,
    OLD_ETHNIC_SPELLINGS,
    Education,
    Gender,
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
        help=gettext_lazy(
            "Tên một trong 54 dân tộc (Kinh, Tày, Thái, Hoa, Khơ Me, Mường, Nùng, Mông…), “Quốc tịch gốc nước ngoài” hoặc “Dân tộc khác”."
        ),
    ),
    Column(
        "religion",
        "Tôn giáo",
        help=gettext_lazy(
            "Không, Công giáo (Thiên Chúa), Tin Lành, Phật giáo, Cao Đài, Hòa Hảo, Hồi giáo, Tôn giáo khác."
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
            "Dạng lớp/hệ (12/12, 9/12, 10/10) hoặc: Tiểu học, Trung học cơ sở, Trung học phổ thông (cấp 1, cấp 2, cấp 3)."
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
            "Chưa qua đào tạo (Không), Sơ cấp, Trung cấp, Cao đẳng, Đại học (Cử nhân, Kỹ sư), Thạc sĩ (ThS), Tiến sĩ (TS)."
        ),
    ),
    Column(
        "theory_level",
        "Lý luận chính trị",
        aliases=("Trình độ lý luận chính trị", "Trình độ LLCT", "LLCT", "Lý luận"),
        help=gettext_lazy("Chưa qua đào tạo (Không, Chưa), Sơ cấp, Trung cấp, Cao cấp, Cử nhân."),
    ),
    Column("occupation", "Nghề nghiệp"),
    Column("position", "Chức vụ", aliases=("Chức vụ hiện nay", "Chức vụ chính quyền")),
    Column(
        "is_civil_servant",
        "Cán bộ, công chức",
        aliases=("CBCC", "Là cán bộ, công chức", "Cán bộ công chức", "Công chức"),
        help=gettext_lazy("x (có) hoặc để trống (không)."),
    ),
    Column("workplace", "Nơi công tác", aliases=("Đơn vị công tác", "Cơ quan công tác")),
    Column(
        "admitted_on",
        "Ngày vào Đảng",
        aliases=("Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày vào Đảng CSVN"),
        kind="date",
        help=gettext_lazy("Ngày dạng dd/mm/yyyy; khi đã đủ 18 tuổi; bắt buộc khi thêm mới."),
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
        "Sơ cấp": Qualification.ELEMENTARY,
        "Trung cấp": Qualification.INTERMEDIATE,
        "Cử nhân": Qualification.BACHELOR,
        "Kỹ sư": Qualification.BACHELOR,
        "ThS": Qualification.MASTER,
        "TS": Qualification.DOCTOR,
    },
)
_THEORY = _choices_by_key(
    TheoryLevel.choices, {"Không": TheoryLevel.NONE, "Chưa": TheoryLevel.NONE}
)
_EDUCATION = _choices_by_key(
    Education.choices,
    {
        "Cấp 1": Education.PRIMARY,
        "Cấp 2": Education.LOWER_SECONDARY,
        "Cấp 3": Education.UPPER_SECONDARY,
    },
)
_GRADE = re.compile(r"^(\d{1,2})\s*/\s*(10|12)$")
_TRUE = {"x", "co", "1", "true", "cbcc", "la", "canbocongchuc", "congchuc"}
_FALSE = {"khong", "0", "false", "-"}


@functools.lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """header_key, remembered: a roster repeats the same few genders, groups and levels."""
    return header_key(text)


def _choice(value: Any, table: dict[str, str], message) -> str:
    text = cell_text(value)
    found = table.get(_key(text))
    if found is None:
        raise CellError(str(message) % {"value": text})
    return found


def _education(value: Any) -> str:
    text = cell_text(value)
    m = _GRADE.match(text)
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


def _civil_servant(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _key(cell_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(
        _("Cột cán bộ, công chức ghi “x” (có) hoặc để trống (không), không ghi “%(value)s”.")
        % {"value": cell_text(value)}
    )


_EDUCATION_MESSAGE = gettext_lazy(
    "Trình độ giáo dục phổ thông “%(value)s” không hợp lệ (ví dụ: 12/12)."
)
_PARSERS = {
    **{key: _date for key in DATE_FIELDS},
    "gender": _gender,
    "national_id": _national_id,
    "card_number": _card_number,
    "phone": _phone,
    "ethnicity": lambda v: _choice(
        v, _ETHNIC, gettext_lazy("Dân tộc “%(value)s” không có trong danh mục 54 dân tộc.")
    ),
    "religion": lambda v: _choice(
        v, _RELIGION, gettext_lazy("Tôn giáo “%(value)s” không có trong danh mục.")
    ),
    "education": _education,
    "qualification": lambda v: _choice(
        v, _QUALIFICATION, gettext_lazy("Trình độ chuyên môn “%(value)s” không hợp lệ.")
    ),
    "theory_level": lambda v: _choice(
        v, _THEORY, gettext_lazy("Trình độ lý luận chính trị “%(value)s” không hợp lệ.")
    ),
    "is_civil_servant": _civil_servant,
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
    theory_level = fields.Field(column_name="Lý luận chính trị")
    occupation = fields.Field(attribute="occupation", column_name="Nghề nghiệp")
    position = fields.Field(attribute="position", column_name="Chức vụ")
    is_civil_servant = fields.Field(column_name="Cán bộ, công chức")
    workplace = fields.Field(attribute="workplace", column_name="Nơi công tác")
    admitted_on = fields.Field(attribute="admitted_on", column_name="Ngày vào Đảng")
    official_on = fields.Field(attribute="official_on", column_name="Ngày chính thức")
    card_number = fields.Field(attribute="card_number", column_name="Số thẻ đảng viên")
    dossier_number = fields.Field(attribute="dossier_number", column_name="Số lý lịch")
    unit = fields.Field(column_name="Chi bộ")

    class Meta:
        model = Member
        fields = tuple(c.key for c in MEMBER_COLUMNS)
        export_order = fields

    def dehydrate_gender(self, member: Member) -> str:
        return member.get_gender_display()

    def dehydrate_education(self, member: Member) -> str:
        return member.get_education_display() if member.education else ""

    def dehydrate_qualification(self, member: Member) -> str:
        return member.get_qualification_display() if member.qualification else ""

    def dehydrate_theory_level(self, member: Member) -> str:
        return member.get_theory_level_display() if member.theory_level else ""

    def dehydrate_is_civil_servant(self, member: Member) -> str:
        return "x" if member.is_civil_servant else ""

    def dehydrate_unit(self, member: Member) -> str:
        if member.unit_id is None:
            return ""
        return member.unit.code or member.unit.name


def export_members_xlsx(queryset, *, title: str = "") -> bytes:
    """The roster of `queryset` (already scoped by the caller) as XLSX."""
    resource = MemberResource()
    dataset = resource.export(queryset=queryset.select_related("unit"))
    keys = [c.key for c in MEMBER_COLUMNS]
    return build_xlsx(
        list(dataset.headers),
        (list(r) for r in dataset),
        title=title,
        date_columns=[i for i, k in enumerate(keys) if k in DATE_FIELDS],
        text_columns=[keys.index("national_id"), keys.index("card_number"), keys.index("phone")],
    )
