"""Biểu 5 (grassroots organizations and members by type) and the quality
ratings of organizations (7A) and members (7B)."""

from collections import defaultdict
from datetime import date

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.dates import add_months
from organizations.models import GRASSROOTS_LEVELS, AdministrativeUnit, Category, Level
from reports.catalogue import _children_section, register
from reports.selectors import member_counts_by_unit, roll_up
from reports.statforms import reads
from reports.statforms.base import Check, FormReport, FormVersion, Line, value_of
from reports.statforms.reads import Cond
from reports.tables import Column, Section, pct
from reviews.models import MemberReview, OrganizationReview
from reviews.rules import Level as Rating

# The type (loại hình) of a grassroots organization, read from what chibo
# keeps: the kind of its locality (commune, ward, township) or the category
# of a grassroots cell. chibo has no field yet for the type of an agency
# (Party, Front or mass organisation vs State) nor for an enterprise's
# ownership: those rows stay at 0 and the form says so (TYPE_PROXY).
TYPE_ROWS = [
    ("1", "Xã", "commune"),
    ("2", "Phường", "ward"),
    ("3", "Thị trấn", "township"),
    ("4", "Cơ quan Đảng, Mặt trận Tổ quốc, đoàn thể", "party_agency"),
    ("5", "Cơ quan Nhà nước", "state_agency"),
    ("6", "Đơn vị sự nghiệp", "service"),
    ("6a", "a) Công lập", "service_public"),
    ("6b", "b) Ngoài công lập", "service_private"),
    ("7", "Quân đội", "military"),
    ("8", "Công an", "police"),
    ("9", "Doanh nghiệp và hợp tác xã", "enterprise"),
    ("10", "Tổ chức cơ sở đảng ở ngoài nước", "abroad"),
    ("11", "Loại hình khác", "other"),
]
TYPE_PROXY = (
    "Loại hình suy ra từ địa bàn (xã, phường, thị trấn) hoặc loại chi bộ cơ sở; chưa có trường "
    "“loại hình” và tỷ lệ vốn nhà nước của doanh nghiệp: chi bộ cơ quan tính vào dòng 5, trường "
    "học và y tế vào 6a, doanh nghiệp vào dòng 9 (chưa tách 9a–9d theo sở hữu)."
)
SET_2012_PROXY = (
    "Bộ biểu 2012 có 16 dòng loại hình và cột “Tổng số đơn vị cơ sở / chưa có TCCSĐ” chưa có trong "
    "bản tái hiện: biểu in theo các dòng của bộ biểu 2017."
)
CATEGORY_TYPES = {
    Category.AGENCY: "state_agency",
    Category.SCHOOL: "service_public",
    Category.HEALTH: "service_public",
    Category.POLICE: "police",
    Category.MILITARY: "military",
    Category.ENTERPRISE: "enterprise",
}
LOCALITY_TYPES = {
    AdministrativeUnit.Kind.COMMUNE: "commune",
    AdministrativeUnit.Kind.WARD: "ward",
    AdministrativeUnit.Kind.TOWNSHIP: "township",
    AdministrativeUnit.Kind.SPECIAL_ZONE: "township",
}


def type_of(unit) -> str:
    if unit.locality_kind in LOCALITY_TYPES:
        return LOCALITY_TYPES[unit.locality_kind]
    return CATEGORY_TYPES.get(unit.category, "other")


def _grassroots_figures(snap):
    """Per type: grassroots committees, grassroots cells, sub-committees,
    cells under them, members. Two queries (the snapshot's aside)."""
    members = roll_up(snap, member_counts_by_unit(snap))
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    grassroots = [u for u in snap.units if u.level in GRASSROOTS_LEVELS]
    ids = {u.id for u in grassroots}
    # the grassroots organization each unit lies under (the outermost one)
    for u in grassroots:
        if any(a in ids for a in u.ancestor_ids):
            continue
        kind = type_of(u)
        row = out[kind]
        row["committees" if u.level == Level.GRASSROOTS_COMMITTEE else "cells"] += 1
        row["members"] += members.get(u.id).total if u.id in members else 0
    for u in snap.units:
        above = [a for a in u.ancestor_ids if a in ids]
        if not above:
            continue
        kind = type_of(snap.by_id[above[0]])
        if u.level == Level.CELL:
            out[kind]["sub_cells"] += 1
        elif u.level == Level.GRASSROOTS_COMMITTEE:
            out[kind]["sub_committees"] += 1
    return out


@register
class OrganizationTypesForm(FormReport):
    name = "organization_types"
    form_name = gettext_lazy("Biểu 5")
    title = gettext_lazy("Biểu 5 – Tổ chức cơ sở đảng và đảng viên theo loại hình")
    short_title = gettext_lazy("Biểu 5 loại hình cơ sở")
    description = gettext_lazy(
        "Số tổ chức cơ sở đảng (đảng bộ cơ sở, chi bộ cơ sở), tổ chức đảng trực thuộc và đảng viên "
        "theo loại hình: xã, phường, thị trấn, cơ quan, đơn vị sự nghiệp, quân đội, công an, "
        "doanh nghiệp, khác."
    )
    landscape = True
    versions = {
        "2012": FormVersion(
            "5",
            "TỔ CHỨC CƠ SỞ ĐẢNG VÀ ĐẢNG VIÊN THEO LOẠI HÌNH",
            tuple(Line(c, label, key, proxy=SET_2012_PROXY) for c, label, key in TYPE_ROWS),
        ),
        "2017": FormVersion(
            "5",
            "SỐ LƯỢNG TỔ CHỨC CƠ SỞ ĐẢNG VÀ ĐẢNG VIÊN THEO LOẠI HÌNH CƠ SỞ",
            tuple(Line(c, label, key) for c, label, key in TYPE_ROWS),
        ),
    }
    sums_to = {"grassroots": [(0, "totals", "total")], "members": [(0, "totals", "members")]}
    columns = [
        Column("code", _("TT"), "text"),
        Column("label", _("Loại hình"), "text"),
        Column("total", _("Tổng số TCCSĐ"), "int"),
        Column("committees", _("Đảng bộ cơ sở"), "int"),
        Column("cells", _("Chi bộ cơ sở"), "int"),
        Column("sub_committees", _("Đảng bộ bộ phận"), "int"),
        Column("sub_cells", _("Chi bộ trực thuộc"), "int"),
        Column("members", _("Tổng số đảng viên"), "int"),
    ]

    def sections(self, snap, params):
        _set, version = self.version_for(params.day)
        f = _grassroots_figures(snap)
        f["service"] = {
            k: f["service_public"][k] + f["service_private"][k]
            for k in ("committees", "cells", "sub_committees", "sub_cells", "members")
        }
        rows = []
        for line in version.lines:
            r = f.get(line.key, {})
            committees, cells = r.get("committees", 0), r.get("cells", 0)
            rows.append(
                [
                    line.code,
                    line.label,
                    committees + cells,
                    committees,
                    cells,
                    r.get("sub_committees", 0),
                    r.get("sub_cells", 0),
                    r.get("members", 0),
                ]
            )
        top = [r for r in rows if "a" not in r[0] and "b" not in r[0]]
        totals = ["", _("Cộng"), *(sum(r[i] for r in top) for i in range(2, 8))]
        return [
            Section(
                title=version.title.capitalize(),
                columns=list(self.columns),
                rows=rows,
                totals=totals,
                codes=[line.code for line in version.lines],
                flags=["proxy" if line.proxy else "" for line in version.lines],
            )
        ]

    def finish(self, table, snap, params):
        super().finish(table, snap, params)
        table.form["proxies"].insert(0, {"code": "1–11", "label": "Loại hình", "why": TYPE_PROXY})

    def checks(self, table, snap, params):
        s = table.sections[0]
        keys = [c.key for c in s.columns]
        total = s.totals[keys.index("members")]
        on_list = sum(c.total for c in member_counts_by_unit(snap).values())
        six = (
            value_of(table, "6", "total"),
            value_of(table, "6a", "total"),
            value_of(table, "6b", "total"),
        )
        return [
            Check(
                label=_("Tổng số đảng viên (7) = đảng viên trong danh sách"),
                ok=total == on_list,
                rows=["Cộng", "7"],
                detail=""
                if total == on_list
                else _(
                    "%(a)s ≠ %(b)s (có đảng viên sinh hoạt ở "
                    "chi bộ không thuộc tổ chức cơ sở đảng nào)"
                )
                % {"a": total, "b": on_list},
            ),
            Check(
                label="6 = 6a + 6b",
                ok=six[0] == six[1] + six[2],
                rows=["6", "6a", "6b"],
                detail="" if six[0] == six[1] + six[2] else f"{six[0]} ≠ {six[1]} + {six[2]}",
            ),
        ]

    def breakdown(self, snap, params):
        members = roll_up(snap, member_counts_by_unit(snap))
        grassroots: dict[int, int] = defaultdict(int)
        for u in snap.units:
            branch = snap.branch_of(u.id)
            if branch is not None and u.level in GRASSROOTS_LEVELS:
                grassroots[branch] += 1
        section = _children_section(
            snap,
            _("Theo đơn vị trực thuộc"),
            [Column("grassroots", _("Tổ chức cơ sở đảng")), Column("members", _("Đảng viên"))],
            lambda c: [grassroots[c.id], members[c.id].total if c.id in members else 0],
        )
        section.totals = [
            _("Cộng"),
            sum(r[1] for r in section.rows),
            sum(r[2] for r in section.rows),
        ]
        return section


# --- 7A / 7B ------------------------------------------------------------------------

RATING_TYPES = [
    ("commune", _("Xã"), ("commune",)),
    ("ward", _("Phường, thị trấn"), ("ward", "township")),
    ("enterprise", _("Doanh nghiệp"), ("enterprise",)),
    ("agency", _("Cơ quan"), ("party_agency", "state_agency")),
    ("service", _("Sự nghiệp"), ("service_public", "service_private")),
    ("armed", _("Quân đội, Công an"), ("military", "police")),
    ("other", _("Khác"), ("other", "abroad")),
]
LEVEL_WORDS_2012 = {
    Rating.EXCELLENT: "Trong sạch vững mạnh",
    Rating.GOOD: "Hoàn thành tốt nhiệm vụ",
    Rating.COMPLETED: "Hoàn thành nhiệm vụ",
    Rating.NOT_COMPLETED: "Yếu kém",
}
LEVEL_WORDS_NOW = {
    Rating.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
    Rating.GOOD: "Hoàn thành tốt nhiệm vụ",
    Rating.COMPLETED: "Hoàn thành nhiệm vụ",
    Rating.NOT_COMPLETED: "Không hoàn thành nhiệm vụ",
}
LEVELS = (Rating.EXCELLENT, Rating.GOOD, Rating.COMPLETED, Rating.NOT_COMPLETED)
LEVEL_PROXY = (
    "Tên mức của bản tái hiện 2012 (TSVM, yếu kém); từ Quy định 132/124/366-QĐ/TW in tên mức "
    "hiện hành (HTXSNV … KHTNV) cùng thứ tự."
)


def _org_lines(v2017: bool) -> tuple[Line, ...]:
    words = LEVEL_WORDS_NOW if v2017 else LEVEL_WORDS_2012
    proxy = "" if not v2017 else LEVEL_PROXY
    lines = [
        Line("A", "Số tổ chức cơ sở đảng có đến cuối năm", "g_total", ("A1", "A2"), strong=True),
        Line("A1", "1. Được đánh giá, xếp loại", "g_rated", tuple(f"A1{c}" for c in "abcd")),
    ]
    for c, level in zip("abcd", LEVELS, strict=True):
        lines.append(Line(f"A1{c}", f"{c}) {words[level]}", f"g_{level}", proxy=proxy))
    lines += [
        Line("A2", "2. Chưa đánh giá, xếp loại", "g_unrated"),
        Line(
            "A2a",
            "Trong đó: mới thành lập",
            "g_new",
            proxy="“Mới thành lập”: thành lập trong năm đánh giá.",
        ),
        Line("B", "Số chi bộ trực thuộc đảng bộ cơ sở", "c_total", strong=True),
        Line("B1", "Đã đánh giá, xếp loại", "c_rated", tuple(f"B1{c}" for c in "abcd")),
    ]
    for c, level in zip("abcd", LEVELS, strict=True):
        lines.append(Line(f"B1{c}", f"{c}) {words[level]}", f"c_{level}", proxy=proxy))
    return tuple(lines)


def _rating_columns() -> list[Column]:
    return [
        Column("code", _("TT"), "text"),
        Column("label", _("Chỉ tiêu"), "text"),
        Column("this", _("Tổng số"), "int"),
        Column("share", _("Tỷ lệ %"), "pct"),
        *(Column(key, label, "int") for key, label, _kinds in RATING_TYPES),
    ]


@register
class OrganizationRatingsForm(FormReport):
    name = "organization_ratings"
    form_name = gettext_lazy("Biểu 7A")
    title = gettext_lazy("Biểu 7A – Đánh giá, xếp loại chất lượng tổ chức cơ sở đảng")
    short_title = gettext_lazy("Biểu 7A xếp loại tổ chức")
    description = gettext_lazy(
        "Tổ chức cơ sở đảng và chi bộ trực thuộc theo mức xếp loại của năm, chia theo loại hình; "
        "số chưa đánh giá (trong đó mới thành lập)."
    )
    periodic = True
    yearly = True
    landscape = True
    versions = {
        "2012": FormVersion("7A", "ĐÁNH GIÁ CHẤT LƯỢNG TỔ CHỨC CƠ SỞ ĐẢNG", _org_lines(False)),
        "2017": FormVersion(
            "7A", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TỔ CHỨC CƠ SỞ ĐẢNG", _org_lines(True)
        ),
    }
    sums_to = {"grassroots": [(0, 0, "this")], "rated": [(0, 1, "this")]}

    def _figures(self, snap, year: int):
        grassroots = [u for u in snap.units if u.level in GRASSROOTS_LEVELS]
        cells = [u for u in snap.units if u.level == Level.CELL]
        ids = {u.id for u in grassroots}
        reviews = dict(
            OrganizationReview.objects.filter(year=year, path__startswith=snap.root.path)
            .exclude(decided_level="")
            .values_list("unit_id", "decided_level")
        )
        from organizations.models import Unit

        founded = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "founded_on"))
        f: dict[str, dict] = defaultdict(lambda: defaultdict(int))

        def add(key, kind):
            f[key]["this"] += 1
            f[key][kind] += 1

        def kind_of(u):
            return next(k for k, _l, kinds in RATING_TYPES if type_of(u) in kinds)

        for u in grassroots:
            kind = kind_of(u)
            add("g_total", kind)
            level = reviews.get(u.id)
            if level:
                add("g_rated", kind)
                add(f"g_{level}", kind)
            else:
                add("g_unrated", kind)
                if founded.get(u.id) and founded[u.id].year == year:
                    add("g_new", kind)
        for u in cells:
            above = [a for a in u.ancestor_ids if a in ids]
            if not above or snap.by_id[above[0]].level != Level.GRASSROOTS_COMMITTEE:
                continue
            kind = kind_of(snap.by_id[above[0]])
            add("c_total", kind)
            level = reviews.get(u.id)
            if level:
                add("c_rated", kind)
                add(f"c_{level}", kind)
        return f

    def sections(self, snap, params):
        _set, version = self.version_for(params.end)
        f = self._figures(snap, params.year)
        rows = []
        for line in version.lines:
            r = f.get(line.key, {})
            base = f.get("g_total" if line.code.startswith("A") else "c_total", {}).get("this", 0)
            rows.append(
                [
                    line.code,
                    line.label,
                    r.get("this", 0),
                    pct(r.get("this", 0), base),
                    *(r.get(k, 0) for k, _l, _kinds in RATING_TYPES),
                ]
            )
        return [
            Section(
                title=version.title.capitalize(),
                columns=_rating_columns(),
                rows=rows,
                codes=[line.code for line in version.lines],
                flags=[
                    " ".join(
                        x
                        for x in ("strong" if line.strong else "", "proxy" if line.proxy else "")
                        if x
                    )
                    for line in version.lines
                ],
            )
        ]

    def checks(self, table, snap, params):
        _set, version = self.version_for(params.end)
        from reports.statforms.base import sum_checks

        return [c for c in sum_checks(table, version.lines) if "cùng kỳ" not in c.label]

    def breakdown(self, snap, params):
        rated: dict[int, int] = defaultdict(int)
        grassroots: dict[int, int] = defaultdict(int)
        reviewed = set(
            OrganizationReview.objects.filter(year=params.year, path__startswith=snap.root.path)
            .exclude(decided_level="")
            .values_list("unit_id", flat=True)
        )
        for u in snap.units:
            branch = snap.branch_of(u.id)
            if branch is None or u.level not in GRASSROOTS_LEVELS:
                continue
            grassroots[branch] += 1
            rated[branch] += u.id in reviewed
        section = _children_section(
            snap,
            _("Theo đơn vị trực thuộc"),
            [Column("grassroots", _("Tổ chức cơ sở đảng")), Column("rated", _("Đã xếp loại"))],
            lambda c: [grassroots[c.id], rated[c.id]],
        )
        section.totals = [
            _("Cộng"),
            sum(r[1] for r in section.rows),
            sum(r[2] for r in section.rows),
        ]
        return section


def _member_lines(v2017: bool) -> tuple[Line, ...]:
    words = (
        LEVEL_WORDS_NOW
        if v2017
        else {
            Rating.EXCELLENT: "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ",
            Rating.GOOD: "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            Rating.COMPLETED: "Đủ tư cách, hoàn thành nhiệm vụ",
            Rating.NOT_COMPLETED: "Vi phạm tư cách hoặc không hoàn thành nhiệm vụ",
        }
    )
    lines = [
        Line("I", "Đảng viên có đến thời điểm đánh giá", "total", ("I1", "I2", "I3"), strong=True),
        Line("I1", "1. Miễn đánh giá (miễn công tác và sinh hoạt đảng)", "exempt"),
        Line("I2", "2. Chưa đánh giá", "unrated"),
        Line("I2a", "Trong đó: đảng viên mới kết nạp dưới 6 tháng", "young"),
        Line("I3", "3. Đã đánh giá, xếp loại", "rated", tuple("ABCD")),
    ]
    for code, level in zip("ABCD", LEVELS, strict=True):
        lines.append(
            Line(code, f"{code}. {words[level]}", level, proxy="" if not v2017 else LEVEL_PROXY)
        )
    return tuple(lines)


@register
class MemberRatingsForm(FormReport):
    name = "member_ratings"
    form_name = gettext_lazy("Biểu 7B")
    title = gettext_lazy("Biểu 7B – Đánh giá, xếp loại chất lượng đảng viên")
    short_title = gettext_lazy("Biểu 7B xếp loại đảng viên")
    description = gettext_lazy(
        "Đảng viên có đến cuối năm: miễn đánh giá, chưa đánh giá (trong đó mới kết nạp dưới 6 "
        "tháng), đã đánh giá theo từng mức."
    )
    periodic = True
    yearly = True
    versions = {
        "2012": FormVersion("7B", "ĐÁNH GIÁ CHẤT LƯỢNG ĐẢNG VIÊN", _member_lines(False)),
        "2017": FormVersion(
            "7B", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN", _member_lines(True)
        ),
    }
    sums_to = {"members": [(0, 0, "this")], "rated": [(0, 4, "this")]}

    def figures(self, root_path: str, year: int, end: date) -> dict:
        f = reads.list_figures(
            root_path,
            end,
            {
                "total": (),
                "exempt": (Cond("exempt", "exempt"),),
                "young": (Cond("admitted_on", ">", add_months(end, -6)),),
            },
        )
        levels = dict(
            MemberReview.objects.filter(year=year, path__startswith=root_path)
            .exclude(decided_level="")
            .values_list("decided_level")
            .annotate(n=Count("id"))
            .order_by()
        )
        for level in LEVELS:
            f[level] = levels.get(level, 0)
        f["rated"] = sum(levels.get(level, 0) for level in LEVELS)
        f["unrated"] = max(f["total"] - f["exempt"] - f["rated"], 0)
        return f

    def sections(self, snap, params):
        from reports.statforms.base import standard_section, year_before

        _set, version = self.version_for(params.end)
        this = self.figures(snap.root.path, params.year, params.end)
        before = year_before(params)
        last = self.figures(snap.root.path, params.year - 1, before.end)
        return [standard_section(version.title.capitalize(), version.lines, this, last)]

    def checks(self, table, snap, params):
        from reports.statforms.base import sum_checks

        _set, version = self.version_for(params.end)
        return sum_checks(table, version.lines)

    def breakdown(self, snap, params):
        from reports.selectors import rating_counts_by_branch

        counts = rating_counts_by_branch(MemberReview, snap, params.year)
        lists = roll_up(snap, member_counts_by_unit(snap))
        section = _children_section(
            snap,
            _("Theo đơn vị trực thuộc"),
            [Column("members", _("Đảng viên")), Column("rated", _("Đã xếp loại"))],
            lambda c: [
                lists[c.id].total if c.id in lists else 0,
                sum(counts.get(c.id, {}).get(params.year, {}).values()),
            ],
        )
        section.totals = [
            _("Cộng"),
            sum(r[1] for r in section.rows),
            sum(r[2] for r in section.rows),
        ]
        return section
