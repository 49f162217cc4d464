"""Demo tree: one province, two ward/commune committees with 12 and 14 cells,
and the demo accounts. At province scale, ~1,000 grassroots organizations and
~4,800 cells more, inserted in bulk."""

from datetime import date

from django.contrib.auth import get_user_model

from chibo.bulk import copy_insert, reserve_ids
from chibo.demo import PASSWORD, DemoContext
from organizations.models import (
    TYPE_FIELDS,
    AdministrativeUnit,
    BaseType,
    Category,
    EconomicSector,
    EnterpriseForm,
    Level,
    Role,
    ServiceKind,
    Unit,
    UnitVersion,
    path_segment,
)
from organizations.services import role_grant, unit_found, unit_link_locality

FOUNDED = date(1975, 5, 1)
NATIONAL_CODE = "DEMO-TW"
WARD_FOUNDED = date(2025, 7, 1)


def _cells_ward1() -> list[tuple[str, str]]:
    cells = [("Chi bộ cơ quan phường", Category.AGENCY)]
    cells += [(f"Chi bộ khu phố {i}", Category.RESIDENTIAL) for i in range(1, 8)]
    cells += [
        ("Chi bộ Công an phường", Category.POLICE),
        ("Chi bộ Trường Tiểu học Kim Đồng", Category.SCHOOL),
        ("Chi bộ Trường THCS Lê Lợi", Category.SCHOOL),
        ("Chi bộ Trạm Y tế phường", Category.HEALTH),
    ]
    return cells


def _cells_ward2() -> list[tuple[str, str]]:
    cells = [("Chi bộ cơ quan xã", Category.AGENCY)]
    cells += [(f"Chi bộ ấp {i}", Category.VILLAGE) for i in range(1, 9)]
    cells += [
        ("Chi bộ Công an xã", Category.POLICE),
        ("Chi bộ Quân sự xã", Category.MILITARY),
        ("Chi bộ Trường Tiểu học xã", Category.SCHOOL),
        ("Chi bộ Trường THCS xã", Category.SCHOOL),
        ("Chi bộ Hợp tác xã Nông nghiệp", Category.ENTERPRISE),
    ]
    return cells


def built() -> str | None:
    """Which demo this database holds ("small", "province", "million") or
    None: seed_demo builds it once."""
    if Unit.objects.filter(code=NATIONAL_CODE).exists():
        return "million"
    if not Unit.objects.filter(code="DEMO-TINH").exists():
        return None
    return "province" if Unit.objects.filter(code="DEMO-P-0001").exists() else "small"


def resume(ctx: DemoContext) -> None:
    """The small demo is already there: what build() left for the province."""
    ctx.data["province"] = Unit.objects.get(code="DEMO-TINH")


def build(ctx: DemoContext) -> None:
    User = get_user_model()
    # Đồng Nai: the province of before 1 July 2025 until then, the merged one since
    province_admin = AdministrativeUnit.objects.get(code="75", valid_to__isnull=True)
    province_before = AdministrativeUnit.objects.filter(code="75", valid_to=WARD_FOUNDED).first()
    wards = list(
        AdministrativeUnit.objects.filter(parent=province_admin, kind="ward").order_by("code")[:1]
    )
    communes = list(
        AdministrativeUnit.objects.filter(parent=province_admin, kind="commune").order_by("code")[
            :1
        ]
    )
    province = unit_found(
        actor=None,
        name="Đảng bộ tỉnh Đồng Nai",
        level=Level.PROVINCIAL,
        founded_on=FOUNDED,
        code="DEMO-TINH",
        administrative_unit=province_before,
    )
    unit_link_locality(
        actor=None, unit=province, administrative_unit=province_admin, effective_on=WARD_FOUNDED
    )
    province.refresh_from_db()
    ward1 = unit_found(
        actor=None,
        name=f"Đảng bộ {wards[0].name}",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=province,
        founded_on=WARD_FOUNDED,
        code="DEMO-W1",
        administrative_unit=wards[0],
        unit_type={"base_type": BaseType.WARD},
    )
    ward2 = unit_found(
        actor=None,
        name=f"Đảng bộ {communes[0].name}",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=province,
        founded_on=WARD_FOUNDED,
        code="DEMO-W2",
        administrative_unit=communes[0],
        unit_type={"base_type": BaseType.COMMUNE},
    )
    cells = []
    for parent, specs in ((ward1, _cells_ward1()), (ward2, _cells_ward2())):
        for i, (name, category) in enumerate(specs, start=1):
            cells.append(
                unit_found(
                    actor=None,
                    name=name,
                    level=Level.CELL,
                    category=category,
                    parent=parent,
                    founded_on=WARD_FOUNDED,
                    code=f"{parent.code}-C{i:02d}",
                )
            )
    ctx.data.update(province=province, ward1=ward1, ward2=ward2, cells=cells)

    def account(username, full_name, *, superuser=False):
        user = User(
            username=username, full_name=full_name, is_staff=superuser, is_superuser=superuser
        )
        user.set_password(PASSWORD)
        user.save()
        return user

    admin = account("admin", "Quản trị hệ thống", superuser=True)
    role_grant(actor=admin, user=admin, unit=province, kind=Role.Kind.ADMIN)
    role_grant(
        actor=admin,
        user=account("board", "Ban Tổ chức Tỉnh ủy"),
        unit=province,
        kind=Role.Kind.REVIEWER,
    )
    role_grant(
        actor=admin,
        user=account("ward1", "Văn phòng Đảng ủy phường"),
        unit=ward1,
        kind=Role.Kind.STAFF,
    )
    role_grant(
        actor=admin, user=account("ward2", "Văn phòng Đảng ủy xã"), unit=ward2, kind=Role.Kind.STAFF
    )
    secretary_cell = next(
        c for c in cells if c.parent_id == ward1.pk and c.category == Category.RESIDENTIAL
    )
    role_grant(
        actor=admin,
        user=account("secretary1", "Bí thư chi bộ khu phố 1"),
        unit=secretary_cell,
        kind=Role.Kind.SECRETARY,
    )
    ctx.data.update(admin=admin, secretary_cell=secretary_cell)
    ctx.say(
        f"  {len(cells)} chi bộ trong 2 đảng bộ; tài khoản admin, board, ward1, ward2, secretary1\n"
    )


def _bulk_units(parent_of: list[Unit], specs: list[dict]) -> list[Unit]:
    """Insert units in bulk, then their paths and first versions."""
    units = Unit.objects.bulk_create([Unit(path="", **s) for s in specs], batch_size=2000)
    by_id = {p.pk: p for p in parent_of}
    for u in units:
        u.path = by_id[u.parent_id].path + path_segment(u.pk)
    Unit.objects.bulk_update(units, ["path"], batch_size=2000)
    UnitVersion.objects.bulk_create(
        [
            UnitVersion(
                unit=u,
                name=u.name,
                level=u.level,
                category=u.category,
                parent_id=u.parent_id,
                path=u.path,
                administrative_unit_id=u.administrative_unit_id,
                valid_from=u.founded_on,
                change="founded",
                **{f: getattr(u, f) for f in TYPE_FIELDS},
            )
            for u in units
        ],
        batch_size=2000,
    )
    return units


# Plausible types for the province's grassroots organizations that are not a
# commune or ward: agencies, schools and hospitals, enterprises of every
# ownership Biểu 5 tells apart, a cooperative.
_E = BaseType.ENTERPRISE
_ES = EconomicSector
_DEMO_TYPES = [
    {"base_type": BaseType.PARTY_AGENCY},
    {"base_type": BaseType.STATE_AGENCY},
    {"base_type": BaseType.SERVICE_PUBLIC, "service_kind": ServiceKind.HOSPITAL},
    {
        "base_type": _E,
        "enterprise_form": EnterpriseForm.LIMITED,
        "state_capital": 100,
        "economic_sector": _ES.INDUSTRY,
    },
    {
        "base_type": _E,
        "enterprise_form": EnterpriseForm.JOINT_STOCK,
        "state_capital": 65,
        "economic_sector": _ES.TRANSPORT,
    },
    {
        "base_type": _E,
        "enterprise_form": EnterpriseForm.JOINT_STOCK,
        "state_capital": 30,
        "economic_sector": _ES.CONSTRUCTION,
    },
    {"base_type": _E, "enterprise_form": EnterpriseForm.JOINT_STOCK, "economic_sector": _ES.TRADE},
    {"base_type": _E, "enterprise_form": EnterpriseForm.LIMITED, "economic_sector": _ES.INDUSTRY},
    {
        "base_type": _E,
        "enterprise_form": EnterpriseForm.PRIVATE,
        "economic_sector": _ES.AGRICULTURE,
    },
    {
        "base_type": _E,
        "enterprise_form": EnterpriseForm.LIMITED,
        "foreign_capital": 100,
        "economic_sector": _ES.INDUSTRY,
    },
    {"base_type": BaseType.COOPERATIVE},
    {"base_type": BaseType.SERVICE_PRIVATE, "service_kind": ServiceKind.UNIVERSITY},
]


def build_province(ctx: DemoContext) -> None:
    """~1,000 grassroots organizations (950 committees with 5 cells, 50
    grassroots cells), ~4,800 cells, all under the demo province."""
    rng = ctx.rng
    province = ctx.data["province"]
    communes = list(
        AdministrativeUnit.objects.filter(parent=province.administrative_unit).order_by("code")[2:]
    )
    cat_cycle = [
        Category.RESIDENTIAL,
        Category.RESIDENTIAL,
        Category.VILLAGE,
        Category.SCHOOL,
        Category.POLICE,
    ]
    grassroots_specs = []
    for i in range(1000):
        is_committee = i < 950
        adm = communes[i] if i < len(communes) else None
        if is_committee and adm:
            kind = {"ward": BaseType.WARD, "commune": BaseType.COMMUNE}
            unit_type = {"base_type": kind.get(adm.kind, BaseType.OTHER)}
        elif is_committee:
            unit_type = _DEMO_TYPES[i % len(_DEMO_TYPES)]
        else:  # the "Chi bộ cơ sở Doanh nghiệp"
            enterprises = [t for t in _DEMO_TYPES if t["base_type"] == _E]
            unit_type = enterprises[i % len(enterprises)]
        grassroots_specs.append(
            {
                **unit_type,
                "code": f"DEMO-P-{i + 1:04d}",
                "name": (f"Đảng bộ {adm.name}" if adm else f"Đảng bộ cơ sở số {i + 1}")
                if is_committee
                else f"Chi bộ cơ sở Doanh nghiệp số {i + 1}",
                "level": Level.GRASSROOTS_COMMITTEE if is_committee else Level.GRASSROOTS_CELL,
                "category": "" if is_committee else Category.ENTERPRISE,
                "parent_id": province.pk,
                "administrative_unit_id": adm.pk if adm and is_committee else None,
                "founded_on": WARD_FOUNDED,
            }
        )
    grassroots = _bulk_units([province], grassroots_specs)
    cell_specs = []
    for g in grassroots:
        if g.level != Level.GRASSROOTS_COMMITTEE:
            continue
        cell_specs.append(
            {
                "name": f"Chi bộ cơ quan – {g.name}",
                "level": Level.CELL,
                "category": Category.AGENCY,
                "parent_id": g.pk,
                "founded_on": WARD_FOUNDED,
            }
        )
        for k in range(1, 5):
            cat = cat_cycle[rng.randrange(len(cat_cycle))]
            cell_specs.append(
                {
                    "name": f"Chi bộ số {k} – {g.name}",
                    "level": Level.CELL,
                    "category": cat,
                    "parent_id": g.pk,
                    "founded_on": WARD_FOUNDED,
                }
            )
    cells = _bulk_units(grassroots, cell_specs)
    ctx.data["province_cells"] = cells + [g for g in grassroots if g.level == Level.GRASSROOTS_CELL]
    ctx.say(f"  quy mô tỉnh: {len(grassroots)} TCCSĐ, {len(ctx.data['province_cells'])} chi bộ\n")


# --- National scale (`--scale million`): ten provinces under a national root, by COPY -------


def _copy_units(parents: dict[int, Unit], specs: list[dict]) -> list[Unit]:
    """Units and their first versions by COPY: ids reserved first, so the
    paths (the parent's path and the unit's id) go in with the rows."""
    units = []
    for pk, spec in zip(reserve_ids(Unit, len(specs)), specs, strict=True):
        spec = {"category": "", "administrative_unit_id": None, "code": None, **spec}
        units.append(Unit(pk=pk, path=parents[spec["parent_id"]].path + path_segment(pk), **spec))
    fields = ("code", "name", "level", "category", "parent_id", "path")
    copy_insert(
        Unit,
        (
            {
                "id": u.pk,
                "founded_on": u.founded_on,
                "administrative_unit_id": u.administrative_unit_id,
                **{f: getattr(u, f) for f in fields},
            }
            for u in units
        ),
        with_pk=True,
    )
    copy_insert(
        UnitVersion,
        (
            {
                "unit_id": u.pk,
                "name": u.name,
                "level": u.level,
                "category": u.category,
                "parent_id": u.parent_id,
                "path": u.path,
                "administrative_unit_id": u.administrative_unit_id,
                "valid_from": u.founded_on,
                "change": "founded",
            }
            for u in units
        ),
    )
    return units


def build_million(ctx: DemoContext) -> None:
    """A national root over `ctx.provinces` provinces (10), each shaped like
    the province demo: `ctx.grassroots` grassroots organizations (1,000; 95%
    committees of 5 cells, 5% grassroots cells), about 4.8 cells each."""
    rng = ctx.rng
    national = unit_found(
        actor=None,
        name="Đảng bộ toàn quốc (dữ liệu đo hiệu năng)",
        level=Level.CENTRAL,
        founded_on=FOUNDED,
        code=NATIONAL_CODE,
    )
    cat_cycle = [
        Category.RESIDENTIAL,
        Category.RESIDENTIAL,
        Category.VILLAGE,
        Category.SCHOOL,
        Category.POLICE,
    ]
    User = get_user_model()
    admin = ctx.data.get("admin") or User.objects.filter(username="admin").first()
    if admin is None:  # an empty database: the national scale's own administrator
        admin = User(username="admin", full_name="Quản trị hệ thống", is_staff=True)
        admin.is_superuser = True
        admin.set_password(PASSWORD)
        admin.save()
        role_grant(actor=admin, user=admin, unit=national, kind=Role.Kind.ADMIN)
    provinces, cells = [], []
    for p in range(1, ctx.provinces + 1):
        province = unit_found(
            actor=None,
            name=f"Đảng bộ tỉnh số {p:02d}",
            level=Level.PROVINCIAL,
            parent=national,
            founded_on=FOUNDED,
            code=f"DEMO-N{p:02d}",
        )
        provinces.append(province)
        committees = max(round(ctx.grassroots * 0.95), 1)
        grassroots = _copy_units(
            {province.pk: province},
            [
                {
                    "code": f"DEMO-N{p:02d}-{i + 1:04d}",
                    "name": f"Đảng bộ xã số {i + 1} tỉnh {p:02d}"
                    if i < committees
                    else f"Chi bộ cơ sở Doanh nghiệp số {i + 1} tỉnh {p:02d}",
                    "level": Level.GRASSROOTS_COMMITTEE
                    if i < committees
                    else Level.GRASSROOTS_CELL,
                    "category": "" if i < committees else Category.ENTERPRISE,
                    "parent_id": province.pk,
                    "founded_on": WARD_FOUNDED,
                }
                for i in range(ctx.grassroots)
            ],
        )
        specs = []
        for g in grassroots:
            if g.level != Level.GRASSROOTS_COMMITTEE:
                continue
            specs.append(
                {
                    "name": f"Chi bộ cơ quan – {g.name}",
                    "level": Level.CELL,
                    "category": Category.AGENCY,
                    "parent_id": g.pk,
                    "founded_on": WARD_FOUNDED,
                }
            )
            for k in range(1, 5):
                specs.append(
                    {
                        "name": f"Chi bộ số {k} – {g.name}",
                        "level": Level.CELL,
                        "category": cat_cycle[rng.randrange(len(cat_cycle))],
                        "parent_id": g.pk,
                        "founded_on": WARD_FOUNDED,
                    }
                )
        cells += _copy_units({g.pk: g for g in grassroots}, specs)
        cells += [g for g in grassroots if g.level == Level.GRASSROOTS_CELL]
    for username, full_name, unit in [
        ("national", "Ban Tổ chức Trung ương (đo hiệu năng)", national),
        ("board01", "Ban Tổ chức Tỉnh ủy số 01 (đo hiệu năng)", provinces[0]),
    ]:
        user = User(username=username, full_name=full_name)
        user.set_password(PASSWORD)
        user.save()
        role_grant(actor=admin, user=user, unit=unit, kind=Role.Kind.REVIEWER)
    ctx.data.update(national=national, million_provinces=provinces, million_cells=cells)
    ctx.say(
        f"  quy mô toàn quốc: {len(provinces)} tỉnh, "
        f"{len({c.parent_id for c in cells})} đơn vị trên chi bộ, {len(cells)} chi bộ; "
        "tài khoản national, board01\n"
    )
