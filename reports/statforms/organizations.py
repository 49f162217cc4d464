"""Biểu 5 (grassroots organizations and members by type) and the quality
ratings of organizations (7A) and members (7B)."""

from collections import defaultdict
from datetime import date

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.dates import add_months
from organizations.models import (
    GRASSROOTS_LEVELS,
    AdministrativeUnit,
    BaseType,
    Category,
    EconomicSector,
    EnterpriseForm,
    Level,
    ServiceKind,
)
from organizations.selectors import unit_types_on
from reports.catalogue import _children_section, register
from reports.selectors import member_counts_by_unit, roll_up
from reports.statforms import reads
from reports.statforms.base import Check, FormReport, FormVersion, Line, value_of
from reports.statforms.reads import Cond
from reports.tables import Column, Section, pct
from reviews.models import MemberReview, OrganizationReview
from reviews.rules import REASONS_FOR, Reason
from reviews.rules import Level as Rating

# The type (loại hình cơ sở) of a grassroots organization is the one its
# version of the day records (organizations.models.BaseType, with an
# enterprise's form and capital shares); one recorded without a type is read,
# as before these fields, from the kind of its locality (commune, ward,
# township) or the category of a grassroots cell, and the form says how many.
CATEGORY_TYPES = {
    Category.AGENCY: BaseType.STATE_AGENCY,
    Category.SCHOOL: BaseType.SERVICE_PUBLIC,
    Category.HEALTH: BaseType.SERVICE_PUBLIC,
    Category.POLICE: BaseType.POLICE,
    Category.MILITARY: BaseType.MILITARY,
    Category.ENTERPRISE: BaseType.ENTERPRISE,
}
LOCALITY_TYPES = {
    AdministrativeUnit.Kind.COMMUNE: BaseType.COMMUNE,
    AdministrativeUnit.Kind.WARD: BaseType.WARD,
    AdministrativeUnit.Kind.TOWNSHIP: BaseType.TOWNSHIP,
    AdministrativeUnit.Kind.SPECIAL_ZONE: BaseType.TOWNSHIP,
}

# 2017 set (5-BTCTW, [C2]): code, wording, figure key
TYPE_ROWS_2017 = [
    ("1", "1. Xã", "commune"),
    ("2", "2. Phường", "ward"),
    ("3", "3. Thị trấn", "township"),
    ("4", "4. Cơ quan Đảng, Mặt trận Tổ quốc, đoàn thể chính trị - xã hội", "party_agency"),
    ("5", "5. Cơ quan Nhà nước", "state_agency"),
    ("6", "6. Đơn vị sự nghiệp, gồm:", "service"),
    ("6a", "a) Công lập", "service_public"),
    ("6b", "b) Ngoài công lập", "service_private"),
    ("7", "7. Quân đội", "military"),
    ("8", "8. Công an", "police"),
    ("9", "9. Doanh nghiệp và hợp tác xã", "enterprise"),
    ("9a", "a) Doanh nghiệp có vốn Nhà nước", "ent_state"),
    ("9a1", "- Nhà nước nắm giữ 100% vốn điều lệ", "ent_state_100"),
    ("9a2", "- Nhà nước nắm giữ từ 50% vốn điều lệ trở lên", "ent_state_50"),
    ("9a3", "- Nhà nước nắm giữ dưới 50% vốn điều lệ", "ent_state_lt50"),
    ("9b", "b) Doanh nghiệp ngoài khu vực Nhà nước", "ent_nonstate"),
    ("9b1", "- Công ty cổ phần", "ent_joint_stock"),
    ("9b2", "- Doanh nghiệp tư nhân", "ent_private"),
    ("9b3", "- Công ty trách nhiệm hữu hạn", "ent_limited"),
    ("9b4", "- Công ty hợp danh", "ent_partnership"),
    ("9b5", "- Doanh nghiệp có vốn nước ngoài", "ent_foreign"),
    ("9b5a", "Trong đó: 100% vốn nước ngoài", "ent_foreign_100"),
    ("9c", "c) Hợp tác xã", "cooperative"),
    ("10", "10. Tổ chức cơ sở đảng ở ngoài nước", "abroad"),
    ("11", "11. Loại hình cơ sở khác", "other"),
]
SUMS_2017 = {
    "6": ("6a", "6b"),
    "9": ("9a", "9b", "9c"),
    "9a": ("9a1", "9a2", "9a3"),
    "9b": ("9b1", "9b2", "9b3", "9b4", "9b5"),
}
PROXIES_2017 = {
    "9a2": "Tính các doanh nghiệp Nhà nước nắm giữ từ 50% đến dưới 100% vốn điều lệ (100% ở dòng "
    "trên), để ba dòng cộng lại bằng dòng a).",
    "9b5a": "Bản tái hiện ghi “Trong đó: Doanh nghiệp 100% vốn NN” dưới dòng doanh nghiệp có vốn "
    "nước ngoài; biểu tính doanh nghiệp 100% vốn nước ngoài.",
}

# 2012 set (5-TCTW, [C1]): 16 rows; the state enterprises (4, 5) split by
# economic sector, the service units (11) with "trong đó" by kind, from the
# sector and kind recorded on the unit's dated type (organizations.models.
# EconomicSector, ServiceKind): neither follows from the legal form or the
# capital shares, so nothing is guessed; one not recorded is counted in its
# row (4, 5, 11) only, and the form says how many.
SECTORS = [(c.value, str(c.label)) for c in EconomicSector]
SERVICE_KINDS = [(c.value, f"- {c.label}") for c in ServiceKind if c != ServiceKind.OTHER]
TYPE_ROWS_2012 = [
    ("1", "1. Xã", "commune", ""),
    ("2", "2. Phường", "ward", ""),
    ("3", "3. Thị trấn", "township", ""),
    ("4", "4. Doanh nghiệp nhà nước", "e12_state", ""),
    *(
        (f"4{c}", f"{c}) {label}", f"e12_state_{key}", "")
        for c, (key, label) in zip("abcde", SECTORS, strict=True)
    ),
    ("5", "5. Doanh nghiệp cổ phần có vốn nhà nước", "e12_state_share", ""),
    *(
        (f"5{c}", f"{c}) {label}", f"e12_state_share_{key}", "")
        for c, (key, label) in zip("abcde", SECTORS, strict=True)
    ),
    ("6", "6. Hợp tác xã, tổ hợp", "cooperative", ""),
    ("7", "7. Doanh nghiệp tư nhân", "ent_private", ""),
    ("8", "8. Công ty TNHH", "e12_limited", ""),
    ("9", "9. Công ty cổ phần tư nhân", "e12_joint_stock", ""),
    ("10", "10. Doanh nghiệp có vốn đầu tư nước ngoài", "ent_foreign", ""),
    ("10a", "Trong đó: 100% vốn nước ngoài", "ent_foreign_100", ""),
    ("11", "11. Cơ sở sự nghiệp", "service", ""),
    *(
        (f"11{c}", label, f"svc_{key}", "")
        for c, (key, label) in zip("abcde", SERVICE_KINDS, strict=True)
    ),
    (
        "12",
        "12. Cơ quan hành chính",
        "e12_agency",
        "Bộ biểu 2012 không có dòng riêng cho cơ quan Đảng, Mặt trận, đoàn thể: tính vào dòng này.",
    ),
    ("13", "13. Quân đội", "military", ""),
    ("14", "14. Công an", "police", ""),
    ("15", "15. Tổ chức cơ sở đảng ở ngoài nước", "abroad", ""),
    (
        "16",
        "16. Cơ sở khác",
        "e12_other",
        "Gồm cả công ty hợp danh và doanh nghiệp chưa ghi loại hình (bộ biểu 2012 không có dòng "
        "riêng).",
    ),
]
SET_2012_PROXY = (
    "Cột “Tổng số đơn vị cơ sở / trong đó chưa có TCCSĐ” của bộ biểu 2012 không in: phần mềm chỉ "
    "quản lý các đơn vị đã có tổ chức đảng."
)
# the 2012 "chia ra" sub-rows add up to their row (checked in
# OrganizationTypesForm.checks, not as XLSX formulas: a row's own figure stays
# the count of its organizations when a sector is not recorded)
SPLITS_2012 = {
    "4": tuple(f"4{c}" for c in "abcde"),
    "5": tuple(f"5{c}" for c in "abcde"),
}
# a 2012 row key whose organizations need a sector (or a kind) for the sub-rows
MISSING_2012 = {
    "e12_state": "economic_sector",
    "e12_state_share": "economic_sector",
    "service": "service_kind",
}
NO_SECTOR = gettext_lazy(
    "%(n)s doanh nghiệp ở dòng 4, 5 chưa ghi ngành kinh tế: tính ở dòng 4, 5, không ở dòng a)–e) "
    "(ghi ngành kinh tế ở trang “Địa bàn” của đơn vị hoặc qua tệp nhập cây tổ chức)."
)
NO_SERVICE_KIND = gettext_lazy(
    "%(n)s đơn vị sự nghiệp ở dòng 11 chưa ghi loại đơn vị sự nghiệp: tính ở dòng 11, không ở "
    "các dòng “trong đó” (ghi ở trang “Địa bàn” của đơn vị hoặc qua tệp nhập cây tổ chức)."
)
COLUMN_KEYS = ("committees", "cells", "sub_committees", "sub_cells", "members")


def _top(code: str) -> bool:
    """A row that the "Cộng" line adds up (1, 2, … 11; not 6a, 9b5a)."""
    return code.isdigit()


def base_type_of(unit, recorded: dict | None) -> tuple[str, bool]:
    """The unit's type on the day and whether it was recorded (else read
    from its locality or category)."""
    if recorded and recorded["base_type"]:
        return recorded["base_type"], True
    if unit.locality_kind in LOCALITY_TYPES:
        return LOCALITY_TYPES[unit.locality_kind], False
    return CATEGORY_TYPES.get(unit.category, BaseType.OTHER), False


def type_keys(base: str, recorded: dict | None, v2017: bool) -> list[str]:
    """The figure keys a grassroots organization counts in: its row and the
    rows above it (9, 9a, 9a1 for a state-owned enterprise)."""
    t = recorded or {}
    state, foreign = t.get("state_capital") or 0, t.get("foreign_capital") or 0
    form = t.get("enterprise_form") or ""
    if base == BaseType.SERVICE_PUBLIC or base == BaseType.SERVICE_PRIVATE:
        if v2017:
            return ["service", base]
        kind = t.get("service_kind") or ""
        return ["service", *([f"svc_{kind}"] if kind and kind != ServiceKind.OTHER else [])]
    if base == BaseType.COOPERATIVE:
        return ["enterprise", "cooperative"] if v2017 else ["cooperative"]
    if base == BaseType.PARTY_AGENCY or base == BaseType.STATE_AGENCY:
        return [base] if v2017 else ["e12_agency"]
    if base != BaseType.ENTERPRISE:
        return ["e12_other" if base == BaseType.OTHER and not v2017 else base]
    if not v2017:
        # 2012: a state enterprise holds over half the capital (Luật Doanh
        # nghiệp 2005, Điều 4); less is a "cổ phần có vốn nhà nước"
        sector = t.get("economic_sector") or ""
        if state > 0:
            row = "e12_state" if state > 50 else "e12_state_share"
            return [row, *([f"{row}_{sector}"] if sector else [])]
        if foreign > 0:
            return ["ent_foreign", *(["ent_foreign_100"] if foreign == 100 else [])]
        keys = {
            EnterpriseForm.PRIVATE: "ent_private",
            EnterpriseForm.LIMITED: "e12_limited",
            EnterpriseForm.JOINT_STOCK: "e12_joint_stock",
        }
        return [keys.get(form, "e12_other")]
    if state > 0:
        band = (
            "ent_state_100" if state == 100 else "ent_state_50" if state >= 50 else "ent_state_lt50"
        )
        return ["enterprise", "ent_state", band]
    if foreign > 0:
        extra = ["ent_foreign_100"] if foreign == 100 else []
        return ["enterprise", "ent_nonstate", "ent_foreign", *extra]
    return ["enterprise", "ent_nonstate", *([f"ent_{form}"] if form else [])]


def _grassroots_figures(snap, v2017: bool):
    """Per figure key: grassroots committees, grassroots cells,
    sub-committees, cells under them, members; how many grassroots
    organizations had no recorded type; and, for the 2012 set, how many of
    rows 4–5 had no economic sector and of row 11 no kind recorded. Three
    queries (the snapshot's aside)."""
    members = roll_up(snap, member_counts_by_unit(snap))
    types = unit_types_on(snap.root.path, snap.day)
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    grassroots = [u for u in snap.units if u.level in GRASSROOTS_LEVELS]
    ids = {u.id for u in grassroots}
    keys_of: dict[int, list[str]] = {}
    inferred = 0
    missing: dict[str, int] = defaultdict(int)
    # the grassroots organization each unit lies under (the outermost one)
    for u in grassroots:
        if any(a in ids for a in u.ancestor_ids):
            continue
        base, recorded = base_type_of(u, types.get(u.id))
        inferred += not recorded
        keys_of[u.id] = keys = type_keys(base, types.get(u.id), v2017)
        need = MISSING_2012.get(keys[0]) if not v2017 else None
        if need and not (types.get(u.id) or {}).get(need):
            missing[need] += 1
        for key in keys_of[u.id]:
            row = out[key]
            row["committees" if u.level == Level.GRASSROOTS_COMMITTEE else "cells"] += 1
            row["members"] += members.get(u.id).total if u.id in members else 0
    for u in snap.units:
        above = [a for a in u.ancestor_ids if a in keys_of]
        if not above:
            continue
        for key in keys_of[above[0]]:
            if u.level == Level.CELL:
                out[key]["sub_cells"] += 1
            elif u.level == Level.GRASSROOTS_COMMITTEE:
                out[key]["sub_committees"] += 1
    return out, inferred, missing


def _checks_2012(table) -> list[Check]:
    """4 = 4a + … + 4e and 5 = 5a + … + 5e ("chia ra"): a failure means an
    enterprise without its economic sector. Row 11's kinds are "trong đó"
    lines and need not add up to it."""
    out = []
    for top, parts in SPLITS_2012.items():
        got = value_of(table, top, "total") or 0
        added = sum(value_of(table, c, "total") or 0 for c in parts)
        ok = added == got
        detail = "" if ok else f"{got} ≠ {added} " + _("(doanh nghiệp chưa ghi ngành kinh tế)")
        out.append(
            Check(label=f"{top} = {' + '.join(parts)}", ok=ok, rows=[top, *parts], detail=detail)
        )
    return out


def _type_lines(v2017: bool) -> tuple[Line, ...]:
    if v2017:
        return tuple(
            Line(c, label, key, SUMS_2017.get(c, ()), proxy=PROXIES_2017.get(c, ""))
            for c, label, key in TYPE_ROWS_2017
        )
    return tuple(Line(c, label, key, proxy=why) for c, label, key, why in TYPE_ROWS_2012)


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
            "5", "TỔ CHỨC CƠ SỞ ĐẢNG VÀ ĐẢNG VIÊN THEO LOẠI HÌNH", _type_lines(False)
        ),
        "2017": FormVersion(
            "5",
            "THỐNG KÊ TỔ CHỨC ĐẢNG VÀ ĐẢNG VIÊN TRONG CÁC LOẠI HÌNH CƠ SỞ",
            _type_lines(True),
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
        form_set, version = self.version_for(params.day)
        f, inferred, missing = _grassroots_figures(snap, form_set.key != "2012")
        rows = []
        for line in version.lines:
            if not line.key:  # a row chibo has no data for: a visible gap
                rows.append([line.code, line.label, None, None, None, None, None, None])
                continue
            r = f.get(line.key, {})
            committees, cells = r.get("committees", 0), r.get("cells", 0)
            rows.append(
                [line.code, line.label, committees + cells, *(r.get(k, 0) for k in COLUMN_KEYS)]
            )
        top = [r for r in rows if _top(r[0])]
        totals = ["", _("Cộng"), *(sum(r[i] for r in top) for i in range(2, 8))]
        notes = []  # (code, label, why): printed under the form and listed with the proxies
        if inferred:
            notes.append(
                (
                    "*",
                    _("Loại hình"),
                    _(
                        "%(n)s tổ chức cơ sở đảng chưa ghi loại hình cơ sở: suy ra từ địa bàn (xã, "
                        "phường, thị trấn) hoặc loại chi bộ cơ sở; ghi loại hình ở trang “Địa bàn” "
                        "của đơn vị hoặc qua tệp nhập cây tổ chức."
                    )
                    % {"n": inferred},
                )
            )
        if missing.get("economic_sector"):
            notes.append(
                ("4a–5e", _("Ngành kinh tế"), str(NO_SECTOR % {"n": missing["economic_sector"]}))
            )
        if missing.get("service_kind"):
            notes.append(
                (
                    "11a–11e",
                    _("Loại đơn vị sự nghiệp"),
                    str(NO_SERVICE_KIND % {"n": missing["service_kind"]}),
                )
            )
        section = Section(
            title=version.title.capitalize(),
            columns=list(self.columns),
            rows=rows,
            totals=totals,
            codes=[line.code for line in version.lines],
            flags=["proxy" if line.proxy else "" for line in version.lines],
            note=" ".join(why for _c, _l, why in notes),
        )
        section.form_notes = notes  # finish() lists them with the proxies
        return [section]

    def finish(self, table, snap, params):
        super().finish(table, snap, params)
        form_set, _v = self.version_for(params.day)
        if form_set.key == "2012":
            table.form["proxies"].insert(
                0, {"code": "2012", "label": "Cột đơn vị cơ sở", "why": SET_2012_PROXY}
            )
        notes = getattr(table.sections[0], "form_notes", []) if table.sections else []
        for code, label, why in reversed([] if params.by_children else notes):
            table.form["proxies"].insert(0, {"code": code, "label": label, "why": why})

    def checks(self, table, snap, params):
        _set, version = self.version_for(params.day)
        s = table.sections[0]
        keys = [c.key for c in s.columns]
        total = s.totals[keys.index("members")]
        on_list = sum(c.total for c in member_counts_by_unit(snap).values())
        out = [
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
            )
        ]
        for line in version.lines:
            if not line.sum_of:
                continue
            got = value_of(table, line.code, "total")
            parts = [value_of(table, c, "total") or 0 for c in line.sum_of]
            ok = got == sum(parts)
            detail = "" if ok else f"{got} ≠ {' + '.join(str(p) for p in parts)}"
            if not ok and line.code in ("9", "9b"):
                detail += " " + _("(doanh nghiệp chưa ghi loại hình doanh nghiệp hoặc tỷ lệ vốn)")
            out.append(
                Check(
                    label=f"{line.code} = {' + '.join(line.sum_of)}",
                    ok=ok,
                    rows=[line.code, *line.sum_of],
                    detail=detail,
                )
            )
        if _set.key == "2012":
            out += _checks_2012(table)
        return out

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

# 7A's columns by type of grassroots organization. 2017 and later: the
# public reproduction of the 2017 set has no 7A, so the columns are the
# Biểu 5 2017 rows grouped (BaseType values).
RATING_TYPES = [
    ("commune", _("Xã"), ("commune",)),
    ("ward", _("Phường, thị trấn"), ("ward", "township")),
    ("enterprise", _("Doanh nghiệp"), ("enterprise",)),
    ("agency", _("Cơ quan"), ("party_agency", "state_agency")),
    ("service", _("Sự nghiệp"), ("service_public", "service_private")),
    ("armed", _("Quân đội, Công an"), ("military", "police")),
    ("other", _("Khác"), ("other", "abroad", "cooperative")),
]
# 2012 (7A-TCTW, [C1]): its 11 columns, each the 2012 Biểu 5 rows it takes
# (type_keys of the 2012 set), so 7A and Biểu 5 of a year agree. The column
# "trong đó 100% vốn nước ngoài" is within the one before it and not in the
# total (the reproduction prints "2 = 4+...+14", counting it twice).
RATING_TYPES_2012 = [
    ("commune", _("Xã"), ("commune",)),
    ("ward", _("Phường, thị trấn"), ("ward", "township")),
    ("ent_state", _("DN nhà nước"), ("e12_state",)),
    ("ent_joint_stock", _("DN cổ phần"), ("e12_state_share", "e12_joint_stock")),
    ("ent_private", _("DN tư nhân"), ("ent_private", "e12_limited")),
    ("ent_foreign", _("DN có vốn đầu tư nước ngoài: tổng số"), ("ent_foreign",)),
    ("ent_foreign_100", _("Trong đó 100% vốn nước ngoài"), ()),
    ("agency", _("Cơ quan hành chính"), ("e12_agency",)),
    ("service", _("Cơ sở sự nghiệp"), ("service",)),
    ("armed", _("Quân đội, Công an"), ("military", "police")),
    ("other", _("Loại hình khác"), ("cooperative", "abroad", "e12_other")),
]
COLUMNS_PROXY_2012 = (
    "Bản tái hiện 7A-TCTW không định nghĩa các cột doanh nghiệp; biểu tính theo các dòng của "
    "biểu 5 cùng bộ: “DN nhà nước” = dòng 4 (Nhà nước giữ trên 50% vốn); “DN cổ phần” = dòng "
    "5 và 9 (cổ phần có vốn nhà nước từ 50% trở xuống, cổ phần tư nhân); “DN tư nhân” = dòng "
    "7 và 8 (doanh nghiệp tư nhân, công ty TNHH); hợp tác xã, công ty hợp danh và tổ chức ở "
    "ngoài nước ở “Loại hình khác”."
)


def rating_types(v2017: bool) -> list[tuple[str, str, tuple[str, ...]]]:
    return RATING_TYPES if v2017 else RATING_TYPES_2012


def rating_columns_of(unit, types: dict[int, dict], v2017: bool) -> tuple[str, ...]:
    """The 7A columns a grassroots organization counts in: the one its type
    falls in, then a "trong đó" column it is also in (100% foreign capital)."""
    base, _recorded = base_type_of(unit, types.get(unit.id))
    if v2017:
        return (next(k for k, _l, kinds in RATING_TYPES if base in kinds),)
    keys = type_keys(base, types.get(unit.id), False)
    column = next(k for k, _l, kinds in RATING_TYPES_2012 if keys[0] in kinds)
    return (column, "ent_foreign_100") if "ent_foreign_100" in keys else (column,)


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
        if level == Rating.EXCELLENT:
            lines.append(Line("A1a1", "Trong đó: tiêu biểu", "g_exemplary"))
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
        if level == Rating.EXCELLENT:
            lines.append(Line("B1a1", "Trong đó: tiêu biểu", "c_exemplary"))
    return tuple(lines)


def _rating_columns(v2017: bool) -> list[Column]:
    return [
        Column("code", _("TT"), "text"),
        Column("label", _("Chỉ tiêu"), "text"),
        Column("this", _("Tổng số"), "int"),
        Column("share", _("Tỷ lệ %"), "pct"),
        *(Column(key, label, "int") for key, label, _kinds in rating_types(v2017)),
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

    def _figures(self, snap, year: int, v2017: bool):
        grassroots = [u for u in snap.units if u.level in GRASSROOTS_LEVELS]
        cells = [u for u in snap.units if u.level == Level.CELL]
        ids = {u.id for u in grassroots}
        rows = list(
            OrganizationReview.objects.filter(year=year, path__startswith=snap.root.path)
            .exclude(decided_level="")
            .values_list("unit_id", "decided_level", "exemplary")
        )
        reviews = {unit_id: level for unit_id, level, _e in rows}
        # 7A "trong đó tiêu biểu": only at the top level (services._clean_marks)
        exemplary = {unit_id for unit_id, level, e in rows if e and level == Rating.EXCELLENT}
        from organizations.models import Unit

        founded = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "founded_on"))
        f: dict[str, dict] = defaultdict(lambda: defaultdict(int))

        def add(key, kind):
            f[key]["this"] += 1
            for column in kind:
                f[key][column] += 1

        types = unit_types_on(snap.root.path, snap.day)

        def kind_of(u):
            return rating_columns_of(u, types, v2017)

        for u in grassroots:
            kind = kind_of(u)
            add("g_total", kind)
            level = reviews.get(u.id)
            if level:
                add("g_rated", kind)
                add(f"g_{level}", kind)
                if u.id in exemplary:
                    add("g_exemplary", kind)
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
                if u.id in exemplary:
                    add("c_exemplary", kind)
        return f

    def sections(self, snap, params):
        form_set, version = self.version_for(params.end)
        v2017 = form_set.key != "2012"
        f = self._figures(snap, params.year, v2017)
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
                    *(r.get(k, 0) for k, _l, _kinds in rating_types(v2017)),
                ]
            )
        return [
            Section(
                title=version.title.capitalize(),
                columns=_rating_columns(v2017),
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

    def finish(self, table, snap, params):
        super().finish(table, snap, params)
        form_set, _v = self.version_for(params.end)
        if form_set.key == "2012" and not params.by_children:
            table.form["proxies"].insert(
                0, {"code": "DN", "label": "Các cột doanh nghiệp", "why": COLUMNS_PROXY_2012}
            )

    def checks(self, table, snap, params):
        _set, version = self.version_for(params.end)
        from reports.statforms.base import sum_checks

        out = [c for c in sum_checks(table, version.lines) if "cùng kỳ" not in c.label]
        for among, top in (("A1a1", "A1a"), ("B1a1", "B1a")):
            a, b = value_of(table, among), value_of(table, top)
            out.append(
                Check(
                    label=f"{among} ≤ {top}",
                    ok=(a or 0) <= (b or 0),
                    rows=[among, top],
                    detail="" if (a or 0) <= (b or 0) else f"{a} > {b}",
                )
            )
        return out

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
        lines += _reason_lines(code, level, v2017)
    return tuple(lines)


REASONS_PROXY_2017 = (
    "Các dòng lý do theo bản tái hiện Biểu 7B-TCTW (2012); bản tái hiện bộ biểu 2017 không có "
    "biểu 7B nên chưa rõ còn các dòng này."
)


def _reason_lines(code: str, level: str, v2017: bool) -> list[Line]:
    """7B's lines under C (trong đó có mặt còn hạn chế, with its three
    reasons) and under D (the four violations), from the reasons recorded
    with the decision (reviews.rules.REASONS_FOR)."""
    reasons = REASONS_FOR.get(level, ())
    if not reasons:
        return []
    proxy = REASONS_PROXY_2017 if v2017 else ""
    out = []
    if level == Rating.COMPLETED:
        out.append(
            Line("C1", "Trong đó: đủ tư cách nhưng có mặt còn hạn chế", "limited", proxy=proxy)
        )
        parents = "C1"
    else:
        parents = code
    for i, reason in enumerate(reasons, start=1):
        sub = f"{parents}{'abc'[i - 1]}" if parents == "C1" else f"{code}{i}"
        label = f"{'Chia ra: ' if i == 1 else ''}{i}) {Reason(reason).label}"
        out.append(Line(sub, label, f"reason_{reason}", proxy=proxy))
    return out


def rating_figures(root_path: str, year: int) -> dict:
    """The members rated in `year` at each level, how many carry each 7B
    reason, and how many rated "hoàn thành nhiệm vụ" have at least one
    shortcoming. One query, the decisions grouped by level and reasons
    (a few groups), in no order (the model's ordering would join the
    cells and the members)."""
    f: dict = defaultdict(int)
    rows = (
        MemberReview.objects.filter(year=year, path__startswith=root_path)
        .exclude(decided_level="")
        .values_list("decided_level", "reasons")
        .annotate(n=Count("id"))
        .order_by()
    )
    for level, reasons, n in rows:
        f[level] += n
        allowed = REASONS_FOR.get(level, ())  # C's and D's
        kept = [r for r in reasons or () if r in allowed]
        for reason in kept:
            f[f"reason_{reason}"] += n
        if level == Rating.COMPLETED and kept:
            f["limited"] += n
    return f


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
                "young": (Cond("admitted_on", "admitted_after", add_months(end, -6)),),
            },
        )
        rated = rating_figures(root_path, year)
        for level in LEVELS:
            f[level] = rated.get(level, 0)
        f["rated"] = sum(f[level] for level in LEVELS)
        f.update((k, n) for k, n in rated.items() if k.startswith("reason_") or k == "limited")
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
