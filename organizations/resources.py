"""The columns of a unit-tree spreadsheet and how its cells read: what
offices write in "Cấp" and "Loại chi bộ". The import itself is the "units"
kind in organizations/imports.py."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.errors import ServiceError
from chibo.spreadsheets import Column, cell_text
from chibo.text import fold
from organizations.models import (
    BaseType,
    Category,
    EconomicSector,
    EnterpriseForm,
    Level,
    ServiceKind,
)

COLUMNS = [
    Column(
        "name",
        "Tên đơn vị",
        aliases=("Tên", "Tên tổ chức đảng", "Tên chi bộ"),
        required=True,
        help=gettext_lazy("Tên đầy đủ của tổ chức đảng, ví dụ: Chi bộ khu phố 1."),
    ),
    Column(
        "code",
        "Mã đơn vị",
        aliases=("Mã",),
        help=gettext_lazy(
            "Mã riêng của đơn vị, không trùng; đơn vị đã có cùng mã và cùng tên được giữ "
            "nguyên, nên nhập lại cùng tệp không thay đổi gì."
        ),
    ),
    Column(
        "level",
        "Cấp",
        aliases=("Cấp tổ chức",),
        required=True,
        help=gettext_lazy(
            "Đảng bộ tỉnh / thành phố, Đảng bộ huyện / quận / thị xã, Đảng bộ khối, Đảng bộ "
            "cơ sở (xã, phường, thị trấn, đặc khu, cơ quan, doanh nghiệp), Chi bộ cơ sở, "
            "Chi bộ (trực thuộc), Tổ đảng."
        ),
    ),
    Column(
        "category",
        "Loại chi bộ",
        aliases=("Loại",),
        help=gettext_lazy(
            "Với chi bộ: Cơ quan, Tổ dân phố / Khu phố, Thôn / Ấp / Bản / Làng, Công an, "
            "Quân sự, Trường học, Y tế, Doanh nghiệp, Khác."
        ),
    ),
    Column(
        "parent",
        "Trực thuộc",
        aliases=("Đơn vị cấp trên", "Cấp trên", "Mã cấp trên"),
        help=gettext_lazy(
            "Mã hoặc tên đơn vị cấp trên: ở một dòng phía trên trong tệp, hoặc đã có trong "
            "phạm vi của bạn."
        ),
    ),
    Column(
        "administrative_unit",
        "Đơn vị hành chính",
        aliases=("Địa bàn", "Mã đơn vị hành chính", "Xã phường"),
        help=gettext_lazy("Mã (5 chữ số) hoặc tên xã, phường, đặc khu; hoặc mã tỉnh (2 chữ số)."),
    ),
    Column(
        "founded_on",
        "Ngày thành lập",
        kind="date",
        help=gettext_lazy("Ngày dạng dd/mm/yyyy, ghi ở mọi dòng."),
    ),
    # Biểu 5's type of a grassroots organization (organizations.models.BaseType)
    Column(
        "base_type",
        "Loại hình cơ sở",
        aliases=("Loại hình",),
        help=gettext_lazy(
            "Với đảng bộ cơ sở, chi bộ cơ sở: " + "; ".join(str(c.label) for c in BaseType) + "."
        ),
    ),
    Column(
        "enterprise_form",
        "Loại hình doanh nghiệp",
        help=gettext_lazy(
            "Với doanh nghiệp: " + "; ".join(str(c.label) for c in EnterpriseForm) + "."
        ),
    ),
    Column(
        "state_capital",
        "Vốn nhà nước (%)",
        aliases=("Tỷ lệ vốn nhà nước", "Vốn nhà nước"),
        help=gettext_lazy("Với doanh nghiệp có vốn nhà nước: tỷ lệ vốn, số từ 0 đến 100."),
    ),
    Column(
        "foreign_capital",
        "Vốn nước ngoài (%)",
        aliases=("Tỷ lệ vốn nước ngoài", "Vốn nước ngoài"),
        help=gettext_lazy("Với doanh nghiệp có vốn đầu tư nước ngoài: tỷ lệ vốn, 0 đến 100."),
    ),
    Column(
        "economic_sector",
        "Ngành kinh tế",
        aliases=("Ngành",),
        help=gettext_lazy(
            "Với doanh nghiệp (biểu 5 bộ 2012): "
            + "; ".join(str(c.label) for c in EconomicSector)
            + "."
        ),
    ),
    Column(
        "service_kind",
        "Loại đơn vị sự nghiệp",
        help=gettext_lazy(
            "Với đơn vị sự nghiệp (biểu 5 bộ 2012): "
            + "; ".join(str(c.label) for c in ServiceKind)
            + "."
        ),
    ),
    Column(
        "no_masses",
        "Không còn quần chúng",
        help=gettext_lazy(
            "Ghi “x” (hoặc “có”) nếu đơn vị cơ sở không còn quần chúng để kết nạp (biểu 2)."
        ),
    ),
    Column(
        "type_from",
        "Loại hình từ ngày",
        kind="date",
        help=gettext_lazy(
            "Với đơn vị đã có: ngày loại hình mới có hiệu lực (để trống: hôm nay). Đơn vị mới: "
            "loại hình tính từ ngày thành lập."
        ),
    ),
]

# What offices write in the "Cấp" column, folded, to the level.
_LEVEL_WORDS = [
    ("chi bo co so", Level.GRASSROOTS_CELL),
    ("dang bo co so", Level.GRASSROOTS_COMMITTEE),
    ("chi bo truc thuoc", Level.CELL),
    ("chi bo", Level.CELL),
    ("to dang", Level.PARTY_GROUP),
    ("dang bo khoi", Level.BLOC),
    ("khoi", Level.BLOC),
    # Đảng bộ cơ quan đảng, đoàn thể / chính quyền group agencies (domain.md);
    # before "quan", which would read them as a district.
    ("dang bo co quan", Level.BLOC),
    # A commune, ward, township, special zone or enterprise committee is a
    # grassroots committee (đảng bộ cơ sở).
    ("dang bo xa", Level.GRASSROOTS_COMMITTEE),
    ("dang bo phuong", Level.GRASSROOTS_COMMITTEE),
    ("dang bo thi tran", Level.GRASSROOTS_COMMITTEE),
    ("dang bo dac khu", Level.GRASSROOTS_COMMITTEE),
    ("dang bo doanh nghiep", Level.GRASSROOTS_COMMITTEE),
    ("huyen", Level.DISTRICT),
    ("quan", Level.DISTRICT),
    ("thi xa", Level.DISTRICT),
    ("tinh", Level.PROVINCIAL),
    ("thanh pho", Level.PROVINCIAL),
]
_CATEGORY_WORDS = [
    ("co quan", Category.AGENCY),
    ("to dan pho", Category.RESIDENTIAL),
    ("khu pho", Category.RESIDENTIAL),
    ("khu dan cu", Category.RESIDENTIAL),
    ("thon", Category.VILLAGE),
    ("ap", Category.VILLAGE),
    ("ban", Category.VILLAGE),
    ("lang", Category.VILLAGE),
    ("cong an", Category.POLICE),
    ("quan su", Category.MILITARY),
    ("truong", Category.SCHOOL),
    ("y te", Category.HEALTH),
    ("doanh nghiep", Category.ENTERPRISE),
    ("khac", Category.OTHER),
]


def parse_level(value) -> str:
    text = fold(cell_text(value))
    if text in Level.values:
        return text
    for label_value, label in Level.choices:
        if text == fold(str(label)):
            return label_value
    padded = f" {text} "
    for words, level in _LEVEL_WORDS:
        if f" {words} " in padded:  # whole words: "quan" is not in "co quan"
            return level
    raise ServiceError(_("Không hiểu cấp “%(value)s”.") % {"value": cell_text(value)})


def parse_category(value) -> str:
    text = fold(cell_text(value))
    if not text:
        return ""
    if text in Category.values:
        return text
    padded = f" {text} "
    for words, category in _CATEGORY_WORDS:
        if f" {words} " in padded or text.startswith(words):
            return category
    raise ServiceError(_("Không hiểu loại chi bộ “%(value)s”.") % {"value": cell_text(value)})


def _parse_label(value, choices, what: str) -> str:
    text = fold(cell_text(value))
    if not text:
        return ""
    for key, label in choices.choices:
        if text in (key, fold(str(label))):
            return key
    for key, label in choices.choices:  # "Cổ phần" for "Công ty cổ phần"
        if text in fold(str(label)):
            return key
    raise ServiceError(
        _("Không hiểu %(what)s “%(value)s”.") % {"what": what, "value": cell_text(value)}
    )


def parse_base_type(value) -> str:
    text = fold(cell_text(value))
    # the 2017 form's short words for the agency rows
    if text in ("co quan dang", "mat tran", "doan the"):
        return BaseType.PARTY_AGENCY
    if text in ("su nghiep cong lap", "cong lap"):
        return BaseType.SERVICE_PUBLIC
    if text in ("su nghiep ngoai cong lap", "ngoai cong lap"):
        return BaseType.SERVICE_PRIVATE
    if text == "htx":
        return BaseType.COOPERATIVE
    return _parse_label(value, BaseType, _("loại hình cơ sở"))


def parse_enterprise_form(value) -> str:
    text = fold(cell_text(value))
    short = {"dntn": EnterpriseForm.PRIVATE, "tnhh": EnterpriseForm.LIMITED}
    if text in short:
        return short[text]
    return _parse_label(value, EnterpriseForm, _("loại hình doanh nghiệp"))


def parse_economic_sector(value) -> str:
    text = fold(cell_text(value))
    short = {
        "cong nghiep": EconomicSector.INDUSTRY,
        "giao thong": EconomicSector.TRANSPORT,
        "van tai": EconomicSector.TRANSPORT,
        "buu dien": EconomicSector.TRANSPORT,
        "nong nghiep": EconomicSector.AGRICULTURE,
        "thuy loi": EconomicSector.AGRICULTURE,
        "thuong nghiep": EconomicSector.TRADE,
        "du lich": EconomicSector.TRADE,
        "dich vu": EconomicSector.TRADE,
    }
    if text in short:
        return short[text]
    return _parse_label(value, EconomicSector, _("ngành kinh tế"))


def parse_service_kind(value) -> str:
    text = fold(cell_text(value))
    short = {
        "vien": ServiceKind.RESEARCH,
        "dai hoc": ServiceKind.UNIVERSITY,
        "cao dang": ServiceKind.UNIVERSITY,
        "day nghe": ServiceKind.VOCATIONAL,
        "thpt": ServiceKind.HIGH_SCHOOL,
        "khac": ServiceKind.OTHER,
    }
    if text in short:
        return short[text]
    return _parse_label(value, ServiceKind, _("loại đơn vị sự nghiệp"))


def parse_share(value, what: str) -> int | None:
    text = cell_text(value).replace("%", "").replace(",", ".").strip()
    if not text:
        return None
    try:
        share = float(text)
    except ValueError:
        raise ServiceError(
            _("%(what)s “%(value)s” không phải là một số.")
            % {"what": what, "value": cell_text(value)}
        ) from None
    if 0 < share <= 1 and "." in text:  # a spreadsheet's 65% cell reads 0.65
        share *= 100
    if not 0 <= share <= 100:
        raise ServiceError(_("%(what)s phải từ 0 đến 100%%.") % {"what": what})
    return round(share)


def parse_flag(value) -> bool:
    return fold(cell_text(value)) in ("x", "co", "1", "true", "yes", "dung")
