"""Biểu 2 (new members), Biểu 3 (the members on the list, by their data) and
Biểu 4 (by ethnicity and religion): counted from the list of a day (or the
admissions of a period) and the member data of that day."""

from collections import defaultdict
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.dates import age_on, years_before
from members.choices import (
    ETHNIC_GROUPS,
    ETHNICITIES,
    AcademicTitle,
    Education,
    Gender,
    Occupation,
    Qualification,
    Religion,
    Status,
    TheoryLevel,
)
from members.models import Member
from reports.catalogue import Params, _children_section, register
from reports.statforms import grassroots, reads
from reports.statforms.base import (
    Check,
    FormReport,
    FormVersion,
    Line,
    standard_section,
    value_of,
    year_before,
)
from reports.statforms.reads import Cond
from reports.tables import Column, Section, pct

CODES_PROXY = (
    "Mã dòng theo thứ tự in trong bản tái hiện của biểu (bản này không ghi mã cho từng dòng)."
)

MINORITY = Cond("ethnicity", "in", tuple(ETHNIC_GROUPS[1:]))
RELIGIOUS = Cond("religion", "in", tuple(r.value for r in Religion if r != Religion.NONE))

# Age bands (inclusive): 10-year bands in the 2012 set, 5-year in the 2017 set.
AGES_2012 = [("18–30", 18, 30), ("31–40", 31, 40), ("41–50", 41, 50), ("51–60", 51, 60)]
AGES_2012_LAST = ("Từ 61 tuổi trở lên", 61)
AGES_2017 = [
    ("18–30", 18, 30),
    ("31–35", 31, 35),
    ("36–40", 36, 40),
    ("41–45", 41, 45),
    ("46–50", 46, 50),
    ("51–55", 51, 55),
    ("56–60", 56, 60),
]
AGES_2017_LAST = ("Trên 60 tuổi", 61)
# Biểu 3 "Thời gian kết nạp" (both sets)
ERAS = [
    ("Trước 8/1945", None, date(1945, 7, 31)),
    ("Từ 8/1945 đến 20/7/1954", date(1945, 8, 1), date(1954, 7, 20)),
    ("Từ 21/7/1954 đến 30/4/1975", date(1954, 7, 21), date(1975, 4, 30)),
    ("Từ 01/5/1975 đến nay", date(1975, 5, 1), None),
]
PARTY_AGES_2012 = (30, 40, 50, 55, 60, 65, 70, 75, 80, 85, 90)


def age_cond(day: date, low: int, high: int | None) -> Cond:
    """Age on `day` from `low` to `high` years (inclusive) as a birth-date range."""
    latest = years_before(day, low)
    if high is None:
        return Cond("birth_date", "<=", latest)
    earliest = years_before(day, high + 1) + timedelta(days=1)
    return Cond("birth_date", "between", (earliest, latest))


def era_cond(low, high) -> Cond:
    if low is None:
        return Cond("admitted_on", "<=", high)
    if high is None:
        return Cond("admitted_on", ">=", low)
    return Cond("admitted_on", "between", (low, high))


def _heading(code, label):
    return Line(code, label, "", strong=True)


def _group(code: str, title: str, items) -> list[Line]:
    """A heading line and its numbered items: [(key, label), ...]."""
    lines = [_heading(code, title)]
    for i, (key, label) in enumerate(items, start=1):
        lines.append(Line(f"{code}.{i}", f"- {label}", key))
    return lines


def _profile_lines(v2017: bool) -> tuple[Line, ...]:
    lines = [Line("I", "Đảng viên trong danh sách có đến cuối kỳ", "total", strong=True)]
    if v2017:
        among = [
            ("women", "Nữ"),
            ("probationary", "Đảng viên dự bị"),
            ("minority", "Dân tộc thiểu số"),
            ("religious", "Tôn giáo"),
            ("youth", "Đoàn viên TNCS Hồ Chí Minh"),
            ("business_owner", "Chủ doanh nghiệp tư nhân"),
            ("foreign_marriage", "Có quan hệ hôn nhân với người nước ngoài"),
        ]
    else:
        among = [
            ("probationary", "Dự bị"),
            ("women", "Phụ nữ"),
            ("minority", "Dân tộc thiểu số"),
            ("religious", "Tôn giáo"),
            ("youth", "Đoàn viên TNCS Hồ Chí Minh"),
            ("discharged", "Quân nhân xuất ngũ"),
            ("exempt", "Được miễn công tác và sinh hoạt đảng"),
        ]
    for i, (key, label) in enumerate(among, start=1):
        lines.append(Line(f"I.{i}", f"Trong đó: {label}", key))
    n = 1
    if v2017:
        working = [(f"occ_{o.value}", str(o.label)) for o in Occupation if o != Occupation.RETIRED]
        lines += _group(str(n), "Nghề nghiệp – a) Đang làm việc", working)
        lines.append(Line(f"{n}.b", "b) Đã nghỉ hưu, nghỉ công tác", "occ_retired"))
        lines.append(
            Line(f"{n}.b.1", "Trong đó: được miễn công tác và sinh hoạt đảng", "retired_exempt")
        )
        n += 1
    bands, last = (AGES_2017, AGES_2017_LAST) if v2017 else (AGES_2012, AGES_2012_LAST)
    ages = [(f"age_{i}", f"Từ {label} tuổi") for i, (label, _lo, _hi) in enumerate(bands)]
    ages.append((f"age_{len(bands)}", last[0]))
    lines += _group(str(n), "Tuổi đời", ages)
    lines.append(Line(f"{n}.{len(ages) + 1}", "- Tuổi bình quân", "average_age"))
    n += 1
    lines += _group(
        str(n), "Thời gian kết nạp", [(f"era_{i}", label) for i, (label, _a, _b) in enumerate(ERAS)]
    )
    n += 1
    if not v2017:
        lines += _group(
            str(n),
            "Tuổi Đảng",
            [(f"party_{y}", f"Có đủ {y} năm tuổi Đảng") for y in PARTY_AGES_2012],
        )
        n += 1
    education = [(f"edu_{e.value}", str(e.label)) for e in Education]
    if v2017:
        education = [x for x in education if x[0] != "edu_illiterate"]
    lines += _group(str(n), "Trình độ giáo dục phổ thông", education)
    n += 1
    quals = [
        (f"qual_{q.value}", str(q.label))
        for q in Qualification
        if q != Qualification.NONE and (not v2017 or q != Qualification.DOCTOR_OF_SCIENCE)
    ]
    lines += _group(str(n), "Trình độ chuyên môn, nghiệp vụ", quals)
    n += 1
    lines += _group(
        str(n), "Chức danh khoa học", [(f"title_{t.value}", str(t.label)) for t in AcademicTitle]
    )
    n += 1
    lines += _group(
        str(n),
        "Trình độ lý luận chính trị",
        [
            ("theory_elementary", "Sơ cấp"),
            ("theory_intermediate", "Trung cấp"),
            ("theory_advanced", "Cao cấp, cử nhân"),
        ],
    )
    return tuple(lines)


def profile_conditions(day: date, v2017: bool) -> dict[str, tuple[Cond, ...]]:
    conds: dict[str, tuple] = {
        "total": (),
        "women": (Cond("gender", "=", Gender.FEMALE),),
        "probationary": (Cond("status", "=", Status.PROBATIONARY),),
        "minority": (MINORITY,),
        "religious": (RELIGIOUS,),
        "youth": (Cond("is_youth_union_member", "true"),),
        "discharged": (Cond("is_discharged_soldier", "true"),),
        "exempt": (Cond("exempt", "exempt"),),
        "business_owner": (Cond("is_private_business_owner", "true"),),
        "foreign_marriage": (Cond("married_to_foreigner", "true"),),
        "occ_retired": (Cond("occupation_category", "=", Occupation.RETIRED),),
        "retired_exempt": (
            Cond("occupation_category", "=", Occupation.RETIRED),
            Cond("exempt", "exempt"),
        ),
    }
    for o in Occupation:
        conds[f"occ_{o.value}"] = (Cond("occupation_category", "=", o.value),)
    bands, last = (AGES_2017, AGES_2017_LAST) if v2017 else (AGES_2012, AGES_2012_LAST)
    for i, (_label, low, high) in enumerate(bands):
        # the first band takes the few under 18 too (a mistyped birth year)
        conds[f"age_{i}"] = (age_cond(day, 0 if i == 0 else low, high),)
    conds[f"age_{len(bands)}"] = (age_cond(day, last[1], None),)
    for i, (_label, low, high) in enumerate(ERAS):
        conds[f"era_{i}"] = (era_cond(low, high),)
    for years in PARTY_AGES_2012:
        conds[f"party_{years}"] = (Cond("admitted_on", "<=", years_before(day, years)),)
    for e in Education:
        conds[f"edu_{e.value}"] = (Cond("education", "=", e.value),)
    for q in Qualification:
        conds[f"qual_{q.value}"] = (Cond("qualification", "=", q.value),)
    for t in AcademicTitle:
        conds[f"title_{t.value}"] = (Cond("academic_title", "=", t.value),)
    conds["theory_elementary"] = (Cond("theory_level", "=", TheoryLevel.ELEMENTARY),)
    conds["theory_intermediate"] = (Cond("theory_level", "=", TheoryLevel.INTERMEDIATE),)
    conds["theory_advanced"] = (
        Cond("theory_level", "in", (TheoryLevel.ADVANCED, TheoryLevel.BACHELOR)),
    )
    return conds


def average_age(rows, day: date) -> float | None:
    n = sum(c for _b, c in rows)
    if not n:
        return None
    return round(sum(age_on(b, day) * c for b, c in rows if b) / n, 1)


def _groups(version_lines, prefix: str) -> list[str]:
    """The item codes under heading `prefix` ("2" → ["2.1", "2.2", …])."""
    return [
        line.code
        for line in version_lines
        if line.code.startswith(prefix + ".")
        and line.code.count(".") == 1
        and line.key != "average_age"
    ]


@register
class MemberProfileForm(FormReport):
    name = "member_profile"
    form_name = gettext_lazy("Biểu 3")
    title = gettext_lazy("Biểu 3 – Đội ngũ đảng viên")
    short_title = gettext_lazy("Biểu 3 đội ngũ đảng viên")
    description = gettext_lazy(
        "Đảng viên trong danh sách có đến ngày báo cáo: nữ, dự bị, dân tộc thiểu số, tôn giáo, "
        "đoàn viên…; tuổi đời, thời gian kết nạp, tuổi Đảng, học vấn, chuyên môn, chức danh khoa "
        "học, lý luận chính trị, nghề nghiệp."
    )
    versions = {
        "2012": FormVersion("3", "ĐỘI NGŨ ĐẢNG VIÊN", _profile_lines(False)),
        "2017": FormVersion("3", "CHẤT LƯỢNG ĐỘI NGŨ ĐẢNG VIÊN", _profile_lines(True)),
    }
    sums_to = {"members": [(0, 0, "this")], "women": [(0, 1, "this")]}

    def figures(self, root_path: str, day: date) -> dict:
        v2017 = self.version_for(day)[0].key != "2012"
        f = reads.list_figures(root_path, day, profile_conditions(day, v2017))
        f["average_age"] = average_age(reads.birth_dates_on_list(root_path, day), day)
        return f

    def sections(self, snap, params):
        _set, version = self.version_for(params.day)
        this = self.figures(snap.root.path, params.day)
        last = self.figures(snap.root.path, year_before(params).day)
        section = standard_section(version.title.capitalize(), version.lines, this, last)
        for row, line in zip(section.rows, version.lines, strict=True):
            if not line.key:
                row[2:] = [None, None, None]
            if line.key == "average_age":
                row[4] = None
        return [section]

    def finish(self, table, snap, params):
        super().finish(table, snap, params)
        table.form["proxies"].insert(0, {"code": "*", "label": "Mã dòng", "why": CODES_PROXY})

    def checks(self, table, snap, params):
        _set, version = self.version_for(params.day)
        total = value_of(table, "I") or 0
        out = []
        for line in version.lines:
            if line.key or not line.code.isdigit():
                continue
            if line.label not in ("Tuổi đời", "Thời gian kết nạp", "Trình độ giáo dục phổ thông"):
                continue
            codes = _groups(version.lines, line.code)
            got = sum(value_of(table, c) or 0 for c in codes)
            out.append(
                Check(
                    label=f"{line.label}: {' + '.join(codes)} = I",
                    ok=got == total,
                    rows=[*codes, "I"],
                    detail=""
                    if got == total
                    else _("%(got)s ≠ %(total)s (chưa ghi đủ dữ liệu)")
                    % {"got": got, "total": total},
                )
            )
        return out

    def breakdown(self, snap, params):
        conds = {
            "total": (),
            "women": (Cond("gender", "=", Gender.FEMALE),),
            "probationary": (Cond("status", "=", Status.PROBATIONARY),),
            "minority": (MINORITY,),
            "religious": (RELIGIOUS,),
        }
        columns = [
            Column("members", _("Đảng viên")),
            Column("women", _("Nữ")),
            Column("probationary", _("Dự bị")),
            Column("minority", _("Dân tộc thiểu số")),
            Column("religious", _("Tôn giáo")),
        ]
        per = _per_child(snap, params.day, conds)
        section = _children_section(
            snap,
            _("Đội ngũ đảng viên theo đơn vị trực thuộc"),
            columns,
            lambda c: [per[c.id][k] for k in conds],
        )
        section.totals = [
            _("Cộng"),
            *(sum(r[i + 1] for r in section.rows) for i in range(len(conds))),
        ]
        return section


def _per_child(snap, day, conds) -> dict[int, dict]:
    """The list figures of each direct sub-unit: one query per sub-unit is
    what this would be naively; instead group the list by cell once."""
    from reports.selectors import member_rows

    parts, args = [], []
    for key in conds:
        sqls = []
        for cond in conds[key]:
            sql, values = cond.sql()
            sqls.append(sql)
            args += values
        parts.append(f"SUM(CASE WHEN {' AND '.join(sqls) or '1 = 1'} THEN 1 ELSE 0 END)")
    rows = member_rows(snap, ["p.unit_id"], args, aggregates=tuple(parts))
    out: dict[int, dict] = defaultdict(lambda: dict.fromkeys(conds, 0))
    for unit_id, _n, *figures in rows:
        branch = snap.branch_of(unit_id)
        if branch is None:
            continue
        for key, n in zip(conds, figures, strict=True):
            out[branch][key] += int(n or 0)
    return out


# --- Biểu 4 -------------------------------------------------------------------------

FOREIGN_PROXY = (
    "Dòng 55 “Quốc tịch gốc nước ngoài” và 56 “Dân tộc khác”: không tính là dân tộc thiểu số "
    "ở Biểu 3 (bản tái hiện không nói rõ)."
)


@register
class EthnicityReligionForm(FormReport):
    name = "ethnicity_religion"
    form_name = gettext_lazy("Biểu 4")
    title = gettext_lazy("Biểu 4 – Đảng viên là người dân tộc thiểu số và theo tôn giáo")
    short_title = gettext_lazy("Biểu 4 dân tộc tôn giáo")
    description = gettext_lazy(
        "Đảng viên có đến ngày báo cáo theo 54 dân tộc (thứ tự chính thức), quốc tịch gốc nước "
        "ngoài, dân tộc khác, và theo tôn giáo: số lượng, nữ, tỷ lệ."
    )
    versions = {
        "2012": FormVersion("4", "ĐẢNG VIÊN CHIA THEO DÂN TỘC VÀ TÔN GIÁO"),
        "2017": FormVersion("4", "ĐẢNG VIÊN LÀ NGƯỜI DÂN TỘC THIỂU SỐ VÀ THEO TÔN GIÁO"),
    }
    sums_to = {"members": [(2, 0, "total")], "religious": [(1, "totals", "total")]}

    def sections(self, snap, params):
        form_set, _v = self.version_for(params.day)
        women_column = form_set.key != "2012"
        conds: dict[str, tuple] = {"total": ()}
        for i, name in enumerate(ETHNICITIES):
            conds[f"e{i}"] = (Cond("ethnicity", "=", name),)
            conds[f"e{i}f"] = (Cond("ethnicity", "=", name), Cond("gender", "=", Gender.FEMALE))
        religions = [r for r in Religion if r != Religion.NONE]
        for r in religions:
            conds[f"r_{r.value}"] = (Cond("religion", "=", r.value),)
            conds[f"r_{r.value}f"] = (
                Cond("religion", "=", r.value),
                Cond("gender", "=", Gender.FEMALE),
            )
        f = reads.list_figures(snap.root.path, params.day, conds)
        total = f["total"]
        columns = [
            Column("code", _("TT"), "text"),
            Column("name", _("Tên dân tộc, tôn giáo"), "text"),
            Column("total", _("Tổng số"), "int"),
            *([Column("women", _("Trong đó nữ"), "int")] if women_column else []),
            Column("share", _("Tỷ lệ %"), "pct"),
        ]

        def line(code, name, n, women):
            return [code, name, n, *([women] if women_column else []), pct(n, total)]

        eth_rows = [
            line(str(i + 1), name, f[f"e{i}"], f[f"e{i}f"]) for i, name in enumerate(ETHNICITIES)
        ]
        counted = sum(f[f"e{i}"] for i in range(len(ETHNICITIES)))
        women_all = sum(f[f"e{i}f"] for i in range(len(ETHNICITIES)))
        rel_rows = [
            line(str(i + 1), str(r.label), f[f"r_{r.value}"], f[f"r_{r.value}f"])
            for i, r in enumerate(religions)
        ]
        religious = sum(f[f"r_{r.value}"] for r in religions)
        rel_women = sum(f[f"r_{r.value}f"] for r in religions)
        flags = ["proxy" if i >= len(ETHNIC_GROUPS) else "" for i in range(len(ETHNICITIES))]
        first = Section(
            title=_("I. Đảng viên chia theo dân tộc"),
            columns=columns,
            rows=eth_rows,
            totals=line("", _("Cộng"), counted, women_all)[:-1] + [pct(counted, total)],
            codes=[r[0] for r in eth_rows],
            flags=flags,
            note=_("Tổng số đảng viên trong danh sách: %(n)s.") % {"n": total},
        )
        second = Section(
            title=_("II. Đảng viên trong các tôn giáo"),
            columns=columns,
            rows=rel_rows,
            totals=line("", _("Cộng"), religious, rel_women),
            codes=[f"II.{r[0]}" for r in rel_rows],
            flags=[""] * len(rel_rows),
            note=_("Đảng viên trong các tôn giáo, so với tổng số đảng viên, chiếm %(p)s%%.")
            % {"p": pct(religious, total) if total else 0},
        )
        # the total on the list: the cross-check of section I, and Biểu 1's D
        return [
            first,
            second,
            Section(
                title=_("Tổng số đảng viên trong danh sách"),
                columns=[
                    Column("code", _("TT"), "text"),
                    Column("name", _("Chỉ tiêu"), "text"),
                    Column("total", _("Tổng số"), "int"),
                ],
                rows=[["T", _("Đảng viên trong danh sách có đến ngày báo cáo"), total]],
                codes=["T"],
                flags=["strong"],
            ),
        ]

    def finish(self, table, snap, params):
        super().finish(table, snap, params)
        table.form["landscape"] = False
        table.form["proxies"] = [
            {
                "code": "55, 56",
                "label": "Quốc tịch gốc nước ngoài; Dân tộc khác",
                "why": FOREIGN_PROXY,
            }
        ]

    def checks(self, table, snap, params):
        s = table.sections[0]
        keys = [c.key for c in s.columns]
        counted = s.totals[keys.index("total")]
        total = table.sections[2].rows[0][2]
        return [
            Check(
                label=_("Cộng 56 dòng dân tộc = tổng số đảng viên"),
                ok=counted == total,
                rows=["I", "T"],
                detail=""
                if counted == total
                else _("%(a)s ≠ %(b)s (có đảng viên chưa ghi dân tộc)")
                % {"a": counted, "b": total},
            )
        ]

    def breakdown(self, snap, params):
        conds = {"members": (), "minority": (MINORITY,), "religious": (RELIGIOUS,)}
        per = _per_child(snap, params.day, conds)
        columns = [
            Column("members", _("Đảng viên")),
            Column("minority", _("Dân tộc thiểu số")),
            Column("religious", _("Tôn giáo")),
        ]
        section = _children_section(
            snap, _("Theo đơn vị trực thuộc"), columns, lambda c: [per[c.id][k] for k in conds]
        )
        section.totals = [_("Cộng"), *(sum(r[i + 1] for r in section.rows) for i in range(3))]
        return section


# --- Biểu 2 -------------------------------------------------------------------------


def _new_lines(v2017: bool) -> tuple[Line, ...]:
    lines = [Line("I", "Đảng viên mới kết nạp", "total", strong=True)]
    if v2017:
        among = [
            ("minority", "Dân tộc thiểu số"),
            ("youth", "Đoàn viên TNCS Hồ Chí Minh"),
            ("business_owner", "Chủ doanh nghiệp tư nhân"),
            ("foreign_marriage", "Có quan hệ hôn nhân với người nước ngoài"),
            ("readmitted", "Kết nạp lại"),
        ]
    else:
        among = [
            ("readmitted", "Kết nạp lại"),
            ("women", "Phụ nữ"),
            ("minority", "Dân tộc thiểu số"),
            ("religious", "Tôn giáo"),
            ("youth", "Đoàn viên TNCS Hồ Chí Minh"),
            ("civil_servant", "Cán bộ, công chức nhà nước"),
            ("public_service", "Viên chức sự nghiệp"),
            ("enterprise", "Viên chức, công nhân, lao động các thành phần kinh tế"),
            ("agriculture", "Nông dân"),
            ("armed_forces", "Sĩ quan, chiến sĩ Quân đội, Công an"),
            ("students", "Sinh viên, học sinh"),
        ]
    for i, (key, label) in enumerate(among, start=1):
        proxy = (
            "Dòng 2012 “Viên chức kinh doanh” và “CN, LĐ các thành phần kinh tế” gộp làm một: "
            "danh mục nghề nghiệp đang dùng là của bộ biểu 2017."
            if key == "enterprise"
            else ""
        )
        lines.append(Line(f"I.{i}", f"Trong đó: {label}", key, proxy=proxy))
    n = 1
    if v2017:
        lines += _group(
            str(n), "Nghề nghiệp", [(f"occ_{o.value}", str(o.label)) for o in Occupation]
        )
        n += 1
    bands, last = (AGES_2017, AGES_2017_LAST) if v2017 else (AGES_2012, ("Từ 51 tuổi trở lên", 51))
    if not v2017:
        bands = AGES_2012[:3]
    ages = [(f"age_{i}", f"Từ {label} tuổi") for i, (label, _lo, _hi) in enumerate(bands)]
    ages.append((f"age_{len(bands)}", last[0]))
    lines += _group(str(n), "Tuổi đời", ages)
    lines.append(Line(f"{n}.{len(ages) + 1}", "- Tuổi bình quân", "average_age"))
    n += 1
    education = [(f"edu_{e.value}", str(e.label)) for e in Education if e != Education.ILLITERATE]
    lines += _group(str(n), "Trình độ giáo dục phổ thông", education)
    n += 1
    quals = [
        (f"qual_{q.value}", str(q.label))
        for q in Qualification
        if q != Qualification.NONE and (not v2017 or q != Qualification.DOCTOR_OF_SCIENCE)
    ]
    lines += _group(str(n), "Trình độ chuyên môn, nghiệp vụ", quals)
    if v2017:
        n += 1
        lines += _group(
            str(n),
            "Chức danh khoa học",
            [(f"title_{t.value}", str(t.label)) for t in AcademicTitle],
        )
    return tuple(lines)


def _new_member_values(member: dict, day: date, v2017: bool) -> set[str]:
    """The keys of Biểu 2 a new member counts in, from their data."""
    keys = {"total"}
    occupation = member["occupation_category"]
    checks = {
        "women": member["gender"] == Gender.FEMALE,
        "minority": member["ethnicity"] in ETHNIC_GROUPS[1:],
        "religious": member["religion"] not in ("", Religion.NONE),
        "youth": member["is_youth_union_member"],
        "business_owner": member["is_private_business_owner"],
        "foreign_marriage": member["married_to_foreigner"],
        "readmitted": member["is_readmitted"],
        "civil_servant": occupation
        in (Occupation.STATE, Occupation.PARTY_FRONT, Occupation.COMMUNE),
        "public_service": occupation == Occupation.PUBLIC_SERVICE,
        "enterprise": occupation
        in (
            Occupation.ENTERPRISE_MANAGER,
            Occupation.ENTERPRISE_STAFF,
            Occupation.ENTERPRISE_WORKER,
            Occupation.NON_PUBLIC_SERVICE,
        ),
        "agriculture": occupation == Occupation.AGRICULTURE,
        "armed_forces": occupation == Occupation.ARMED_FORCES,
        "students": occupation in (Occupation.STUDENT, Occupation.PUPIL),
    }
    keys |= {k for k, ok in checks.items() if ok}
    if occupation:
        keys.add(f"occ_{occupation}")
    for field, prefix in (
        ("education", "edu"),
        ("qualification", "qual"),
        ("academic_title", "title"),
    ):
        if member[field]:
            keys.add(f"{prefix}_{member[field]}")
    birth = member["birth_date"]
    age = age_on(birth, day) if birth else None
    bands, last_low = (AGES_2017, 61) if v2017 else (AGES_2012[:3], 51)
    if age is not None:
        for i, (_label, low, high) in enumerate(bands):
            if (i == 0 and age <= high) or low <= age <= high:
                keys.add(f"age_{i}")
        if age >= last_low:
            keys.add(f"age_{len(bands)}")
    return keys


def _changes_after(member_ids, day: date) -> dict[int, list]:
    """{member id: [(changed on, field, previous value), …]} of the counted
    fields changed after `day`, oldest first. One query."""
    from members.models import ProfileChange, profile_value

    out: dict[int, list] = defaultdict(list)
    rows = (
        ProfileChange.objects.filter(member_id__in=list(member_ids), changed_on__gt=day)
        .order_by("member_id", "changed_on", "pk")
        .values_list("member_id", "changed_on", "field", "previous")
    )
    for member_id, changed_on, field, previous in rows:
        out[member_id].append((changed_on, field, profile_value(field, previous)))
    return out


def _value_on(changes: list, day: date) -> dict:
    """The fields whose value on `day` differs from now: the previous value
    of the first change after it (members.models.ProfileChange)."""
    values: dict = {}
    for changed_on, field, previous in changes:
        if changed_on > day and field not in values:
            values[field] = previous
    return values


@register
class NewMembersForm(FormReport):
    name = "new_members"
    form_name = gettext_lazy("Biểu 2")
    title = gettext_lazy("Biểu 2 – Đảng viên mới kết nạp")
    short_title = gettext_lazy("Biểu 2 đảng viên mới kết nạp")
    description = gettext_lazy(
        "Đảng viên kết nạp trong kỳ, các dòng “trong đó”, theo tuổi, học vấn, chuyên môn, nghề "
        "nghiệp; so với cùng kỳ năm trước."
    )
    periodic = True
    versions = {
        "2012": FormVersion(
            "2",
            "ĐẢNG VIÊN MỚI KẾT NẠP",
            _new_lines(False),
            {"III": grassroots.section_lines(False)},
        ),
        "2017": FormVersion(
            "2", "ĐẢNG VIÊN MỚI KẾT NẠP", _new_lines(True), {"III": grassroots.section_lines(True)}
        ),
    }
    sums_to = {"admitted": [(0, 0, "this")]}

    def figures(self, root_path: str, params: Params) -> dict:
        v2017 = self.version_for(params.end)[0].key != "2012"
        events = [
            e
            for e in reads.movement(root_path, reads.day_before(params.start), params.end)
            if e.cause == reads.ADMITTED
        ]
        f: dict = defaultdict(int)
        if not events:
            return f
        fields = [
            "id",
            "gender",
            "birth_date",
            "ethnicity",
            "religion",
            "is_youth_union_member",
            "is_private_business_owner",
            "married_to_foreigner",
            "is_readmitted",
            "occupation_category",
            "education",
            "qualification",
            "academic_title",
        ]
        members = {
            m["id"]: m
            for m in Member.objects.filter(pk__in=[e.member_id for e in events]).values(*fields)
        }
        ages = []
        changes = _changes_after(members, min(e.day for e in events))
        for event in events:
            member = dict(members[event.member_id])
            # the member's data on the day they were admitted
            member.update(_value_on(changes.get(event.member_id, []), event.day))
            for key in _new_member_values(member, event.day, v2017):
                f[key] += 1
            if member["birth_date"]:
                ages.append(age_on(member["birth_date"], event.day))
        f["average_age"] = round(sum(ages) / len(ages), 1) if ages else None
        return f

    def sections(self, snap, params):
        _set, version = self.version_for(params.end)
        with reads.shared_movement():  # section III reads the same admissions
            this = self.figures(snap.root.path, params)
            last = self.figures(snap.root.path, year_before(params))
            third = grassroots.section(snap, params, _set.key != "2012")
        section = standard_section(version.title.capitalize(), version.lines, this, last)
        for row, line in zip(section.rows, version.lines, strict=True):
            if not line.key:
                row[2:] = [None, None, None]
            if line.key == "average_age":
                row[4] = None
        return [section, third]

    def finish(self, table, snap, params):
        super().finish(table, snap, params)
        table.form["proxies"].insert(0, {"code": "*", "label": "Mã dòng", "why": CODES_PROXY})

    def checks(self, table, snap, params):
        _set, version = self.version_for(params.end)
        total = value_of(table, "I") or 0
        out = []
        for line in version.lines:
            if line.key or line.label != "Tuổi đời":
                continue
            codes = _groups(version.lines, line.code)
            got = sum(value_of(table, c) or 0 for c in codes)
            out.append(
                Check(
                    label=f"{line.label}: {' + '.join(codes)} = I",
                    ok=got == total,
                    rows=[*codes, "I"],
                    detail="" if got == total else f"{got} ≠ {total}",
                )
            )
        return out

    def breakdown(self, snap, params):
        admitted: dict[int, int] = defaultdict(int)
        for event in reads.movement(snap.root.path, reads.day_before(params.start), params.end):
            if event.cause == reads.ADMITTED:
                branch = reads.branch_segment(snap.root.path, event.path)
                if branch is not None:
                    admitted[branch] += 1
        section = _children_section(
            snap,
            _("Đảng viên mới kết nạp theo đơn vị trực thuộc"),
            [Column("admitted", _("Kết nạp"))],
            lambda c: [admitted[c.id]],
        )
        section.totals = [_("Cộng"), sum(r[1] for r in section.rows)]
        return section
