"""Biểu 2 (new members), Biểu 3 (the members on the list, by their data) and
Biểu 4 (by ethnicity and religion): counted from the list of a day (or the
admissions of a period) and the member data of that day."""

from collections import defaultdict
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.dates import years_before
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


def average_age(figures: dict) -> float | None:
    """The average of the ages counted ("sum_age") over the members ("total")."""
    total, ages = figures.get("total", 0), figures.pop("sum_age", 0)
    return round(ages / total, 1) if total else None


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
        """The figure of each line of the version of `day`, in one query.
        Only the lines the version prints are counted: each figure is one
        aggregate over every member on the list, so the 2012 party-age lines
        cost the 2017 form a fifth of its time for figures it never shows."""
        form_set, version = self.version_for(day)
        keys = {line.key for line in version.lines}
        conds = {
            key: cond
            for key, cond in profile_conditions(day, form_set.key != "2012").items()
            if key in keys
        }
        f = reads.list_figures(root_path, day, conds, age=True)
        f["average_age"] = average_age(f)
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
    """The list figures of each direct sub-unit: the list grouped by branch
    (the sub-unit its cell lies under on the day, as snap.branch_of finds
    it) in one query."""
    counted = reads.on_list(snap.root.path, day, reads.fields_of(conds), branch=True)
    out: dict[int, dict] = defaultdict(lambda: dict.fromkeys(conds, 0))
    for branch, figures in reads.count_by(counted, conds, "branch").items():
        if branch is not None:
            out[branch] = figures
    return out


# --- Biểu 4 -------------------------------------------------------------------------

FOREIGN_PROXY = (
    "Dòng 55 “Quốc tịch gốc nước ngoài” và 56 “Dân tộc khác”: không tính là dân tộc thiểu số "
    "ở Biểu 3 (bản tái hiện không nói rõ)."
)

# Biểu 4 and Biểu 2's annex 2b count their members grouped by these
ETHNIC_COLUMNS = ("ethnicity", "religion", "gender")
RELIGIONS = [r for r in Religion if r != Religion.NONE]


def ethnic_figures(rows) -> dict[str, int]:
    """From (ethnicity, religion, gender, members) rows: e{i} / e{i}f the
    members of ETHNICITIES[i] and the women of them, r_{religion} /
    r_{religion}f the same by religion."""
    index = {name: i for i, name in enumerate(ETHNICITIES)}
    religions = {r.value for r in RELIGIONS}
    f: dict[str, int] = defaultdict(int)
    for ethnicity, religion, gender, n in rows:
        keys = []
        if ethnicity in index:
            keys.append(f"e{index[ethnicity]}")
        if religion in religions:
            keys.append(f"r_{religion}")
        for key in keys:
            f[key] += n
            if gender == Gender.FEMALE:
                f[f"{key}f"] += n
    return f


def ethnicity_religion_sections(
    f: dict, total: int, *, women_column: bool, titles: tuple[str, str], prefix: str = ""
) -> tuple[Section, Section]:
    """Biểu 4's two tables, the 56 ethnic rows in official order and the
    religions, each with its members, women (the 2017 column) and share of
    `total`; row codes "1"… and "II.1"…, after `prefix` ("2b." in Biểu 2)."""
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
        for i, r in enumerate(RELIGIONS)
    ]
    religious = sum(f[f"r_{r.value}"] for r in RELIGIONS)
    rel_women = sum(f[f"r_{r.value}f"] for r in RELIGIONS)
    flags = ["proxy" if i >= len(ETHNIC_GROUPS) else "" for i in range(len(ETHNICITIES))]
    first = Section(
        title=titles[0],
        columns=columns,
        rows=eth_rows,
        totals=line("", _("Cộng"), counted, women_all)[:-1] + [pct(counted, total)],
        codes=[f"{prefix}{r[0]}" for r in eth_rows],
        flags=flags,
    )
    second = Section(
        title=titles[1],
        columns=columns,
        rows=rel_rows,
        totals=line("", _("Cộng"), religious, rel_women),
        codes=[f"{prefix}II.{r[0]}" for r in rel_rows],
        flags=[""] * len(rel_rows),
    )
    return first, second


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
        rows = reads.list_groups(snap.root.path, params.day, ETHNIC_COLUMNS)
        total = sum(n for *_values, n in rows)
        first, second = ethnicity_religion_sections(
            ethnic_figures(rows),
            total,
            women_column=form_set.key != "2012",
            titles=(_("I. Đảng viên chia theo dân tộc"), _("II. Đảng viên trong các tôn giáo")),
        )
        first.note = _("Tổng số đảng viên trong danh sách: %(n)s.") % {"n": total}
        second.note = _(
            "Đảng viên trong các tôn giáo, so với tổng số đảng viên, chiếm %(p)s%%."
        ) % {"p": pct(second.totals[2], total) if total else 0}
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


def new_conditions(v2017: bool) -> dict[str, tuple[Cond, ...]]:
    """The keys of Biểu 2 and what a new member counts in, by their data on
    the day of admission and their age that day."""
    conds: dict[str, tuple] = {
        "total": (),
        "women": (Cond("gender", "=", Gender.FEMALE),),
        "minority": (MINORITY,),
        "religious": (Cond("religion", "not_in", ("", Religion.NONE)),),
        "youth": (Cond("is_youth_union_member", "true"),),
        "business_owner": (Cond("is_private_business_owner", "true"),),
        "foreign_marriage": (Cond("married_to_foreigner", "true"),),
        "readmitted": (Cond("is_readmitted", "true"),),
        "civil_servant": (
            Cond(
                "occupation_category",
                "in",
                (Occupation.STATE, Occupation.PARTY_FRONT, Occupation.COMMUNE),
            ),
        ),
        "public_service": (Cond("occupation_category", "=", Occupation.PUBLIC_SERVICE),),
        "enterprise": (
            Cond(
                "occupation_category",
                "in",
                (
                    Occupation.ENTERPRISE_MANAGER,
                    Occupation.ENTERPRISE_STAFF,
                    Occupation.ENTERPRISE_WORKER,
                    Occupation.NON_PUBLIC_SERVICE,
                ),
            ),
        ),
        "agriculture": (Cond("occupation_category", "=", Occupation.AGRICULTURE),),
        "armed_forces": (Cond("occupation_category", "=", Occupation.ARMED_FORCES),),
        "students": (Cond("occupation_category", "in", (Occupation.STUDENT, Occupation.PUPIL)),),
    }
    for o in Occupation:
        conds[f"occ_{o.value}"] = (Cond("occupation_category", "=", o.value),)
    for e in Education:
        conds[f"edu_{e.value}"] = (Cond("education", "=", e.value),)
    for q in Qualification:
        conds[f"qual_{q.value}"] = (Cond("qualification", "=", q.value),)
    for t in AcademicTitle:
        conds[f"title_{t.value}"] = (Cond("academic_title", "=", t.value),)
    bands, last_low = (AGES_2017, 61) if v2017 else (AGES_2012[:3], 51)
    for i, (_label, low, high) in enumerate(bands):
        # the first band takes the few under 18 too (a mistyped birth year)
        conds[f"age_{i}"] = (
            (Cond("age", "<=", high),) if i == 0 else (Cond("age", "between", (low, high)),)
        )
    conds[f"age_{len(bands)}"] = (Cond("age", ">=", last_low),)
    return conds


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
        """The figures of each line for the admissions of the period: one
        query, whatever the unit's size."""
        return self.admissions(root_path, params, ())[0]

    def admissions(self, root_path: str, params: Params, by: tuple[str, ...]):
        """The figures of each line, and the same per value of the columns
        `by` of the admissions ({values: figures}): one query."""
        v2017 = self.version_for(params.end)[0].key != "2012"
        conds = new_conditions(v2017)
        fields = sorted({*reads.fields_of(conds), *(c for c in by if c != "path")})
        counted = reads.admitted(root_path, params.start, params.end, fields, age=True)
        groups = reads.count_by(counted, conds, by or None, sums=("age",))
        f = dict.fromkeys([*conds, "sum_age"], 0)
        for values in groups.values():
            for key, n in values.items():
                f[key] += n
        # every new member has a birth date: the average is over all of them
        # (a period without admissions shows 0, as it always did)
        f["average_age"] = average_age(f) or 0
        return f, groups

    def sections(self, snap, params):
        """The form's sections in print order: I and II (the lines of the
        version), III, then the annex 2b by ethnicity and religion. The
        period's admissions are read once for I, III and 2b, grouped by cell
        path, ethnicity, religion and gender."""
        this, groups = self.admissions(snap.root.path, params, ("path", *ETHNIC_COLUMNS))
        by_ethnicity: dict[tuple, int] = defaultdict(int)
        for (_path, *ethnic), values in groups.items():
            by_ethnicity[tuple(ethnic)] += values["total"]
        rows = [(*ethnic, n) for ethnic, n in by_ethnicity.items()]
        paths = {path for path, *_ethnic in groups}
        return [*self.analysis(snap, params, this, paths), *self.annex_2b(snap, params, rows)]

    def analysis(self, snap, params, this: dict, paths: set[str]) -> list[Section]:
        """I and II from the period's figures `this` (and a year before), III
        from `paths`, the cells' paths of the period's admissions."""
        _set, version = self.version_for(params.end)
        last = self.figures(snap.root.path, year_before(params))
        third = grassroots.section(snap, params, _set.key != "2012", admitted_in=paths)
        section = standard_section(version.title.capitalize(), version.lines, this, last)
        for row, line in zip(section.rows, version.lines, strict=True):
            if not line.key:
                row[2:] = [None, None, None]
            if line.key == "average_age":
                row[4] = None
        return [section, third]

    def annex_2b(self, snap, params, rows) -> list[Section]:
        """Biểu 2b: the new members of the period by ethnicity (the 54 groups
        in official order, 55 and 56) and religion, Biểu 4's tables (its
        columns by the version too) with the shares of the new members, from
        `rows` (ethnicity, religion, gender, members)."""
        form_set, _v = self.version_for(params.end)
        total = sum(n for *_values, n in rows)
        first, second = ethnicity_religion_sections(
            ethnic_figures(rows),
            total,
            women_column=form_set.key != "2012",
            titles=(
                _("2b. I. Đảng viên mới kết nạp chia theo dân tộc"),
                _("2b. II. Đảng viên mới kết nạp theo tôn giáo"),
            ),
            prefix="2b.",
        )
        first.note = _("Tổng số đảng viên mới kết nạp trong kỳ: %(n)s.") % {"n": total}
        second.note = _(
            "Đảng viên mới kết nạp theo tôn giáo, so với tổng số đảng viên mới kết nạp, "
            "chiếm %(p)s%%."
        ) % {"p": pct(second.totals[2], total) if total else 0}
        return [first, second]

    def finish(self, table, snap, params):
        super().finish(table, snap, params)
        table.form["proxies"].insert(0, {"code": "*", "label": "Mã dòng", "why": CODES_PROXY})
        if not params.by_children:
            table.form["proxies"].append(
                {
                    "code": "2b.55, 2b.56",
                    "label": "Quốc tịch gốc nước ngoài; Dân tộc khác",
                    "why": FOREIGN_PROXY,
                }
            )

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
        annex = next((s for s in table.sections if s.codes[:1] == ["2b.1"]), None)
        if annex is not None:
            counted = annex.totals[[c.key for c in annex.columns].index("total")]
            out.append(
                Check(
                    label=_("Biểu 2b: cộng 56 dòng dân tộc = I"),
                    ok=counted == total,
                    rows=["2b.1–2b.56", "I"],
                    detail=""
                    if counted == total
                    else _("%(a)s ≠ %(b)s (có đảng viên chưa ghi dân tộc)")
                    % {"a": counted, "b": total},
                )
            )
        return out

    def breakdown(self, snap, params):
        admitted: dict[int, int] = defaultdict(int)
        counted = reads.admitted(snap.root.path, params.start, params.end, ())
        for unit_id, n in reads.count_groups(counted, ["unit_id"]):
            branch = snap.branch_of(unit_id)
            if branch is not None:
                admitted[branch] += n
        section = _children_section(
            snap,
            _("Đảng viên mới kết nạp theo đơn vị trực thuộc"),
            [Column("admitted", _("Kết nạp"))],
            lambda c: [admitted[c.id]],
        )
        section.totals = [_("Cộng"), sum(r[1] for r in section.rows)]
        return section
