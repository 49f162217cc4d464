"""Load Viet Nam's administrative units into AdministrativeUnit, never typed
by hand: the units of 1 July 2025 from the maintained `vietnam-provinces`
package, and those before it (63 provinces, their districts, communes, wards
and townships, each with the new units it became) from the data file
organizations/data/legacy_administrative_units.json.gz, built from the
`vietnamadminunits` package by organizations/data/build_legacy_units.py.

The migrations run both loaders; `manage.py load_administrative_units` runs
them again (adding only what is missing) after the packages or the file are
updated. They take the model classes, so a data migration can pass its
historical ones."""

import gzip
import json
from datetime import date
from pathlib import Path

REFORM_DATE = date(2025, 7, 1)  # the 2-level local government took effect

PROVINCE_KINDS = {"tỉnh": "province", "thành phố trung ương": "city"}
WARD_KINDS = {"xã": "commune", "phường": "ward", "đặc khu": "special_zone"}


def province_code(code) -> str:
    return f"{int(code):02d}"


def ward_code(code) -> str:
    return f"{int(code):05d}"


def load_administrative_units(model) -> int:
    """Insert the units that are missing; returns how many were added."""
    from vietnam_provinces import Province, Ward
    from vietnam_provinces import __data_version__ as version

    source = f"vietnam-provinces {version}"
    # codes are reused: an old unit and a new one may share one
    existing = set(model.objects.filter(valid_to__isnull=True).values_list("code", flat=True))
    provinces = []
    for p in Province.iter_all():
        code = province_code(p.code)
        if code not in existing:
            provinces.append(
                model(
                    code=code,
                    name=p.name,
                    kind=PROVINCE_KINDS.get(p.division_type.value, "province"),
                    valid_from=REFORM_DATE,
                    source=source,
                )
            )
    model.objects.bulk_create(provinces)
    by_code = {
        u.code: u.pk
        for u in model.objects.filter(kind__in=["province", "city"], valid_to__isnull=True)
    }
    wards = []
    for w in Ward.iter_all():
        code = ward_code(w.code)
        if code not in existing:
            wards.append(
                model(
                    code=code,
                    name=w.name,
                    kind=WARD_KINDS.get(w.division_type.value, "commune"),
                    parent_id=by_code.get(province_code(w.province_code)),
                    valid_from=REFORM_DATE,
                    source=source,
                )
            )
    model.objects.bulk_create(wards, batch_size=1000)
    return len(provinces) + len(wards)


LEGACY_FILE = Path(__file__).parent / "data" / "legacy_administrative_units.json.gz"


def load_legacy_administrative_units(model, succession_model) -> int:
    """Insert the pre-2025 units that are missing (valid_to 01/07/2025, so in
    force until 30/06/2025) and their successions to the units of 1 July
    2025; returns how many units were added."""
    with gzip.open(LEGACY_FILE, "rt", encoding="utf-8") as f:
        data = json.load(f)
    valid_to = date.fromisoformat(data["valid_to"])
    source = data["source"][:100]
    old = model.objects.filter(valid_to=valid_to)
    existing = set(old.values_list("code", flat=True))
    before = len(existing)

    def add(rows, parents: dict[str, int] | None) -> None:
        model.objects.bulk_create(
            [
                model(
                    code=code,
                    name=name,
                    kind=kind,
                    parent_id=parents.get(parent) if parents else None,
                    valid_to=valid_to,
                    source=source,
                )
                for code, name, kind, parent in rows
                if code not in existing
            ],
            batch_size=2000,
        )

    def ids(kinds) -> dict[str, int]:
        return dict(old.filter(kind__in=kinds).values_list("code", "pk"))

    add([(c, n, k, None) for c, n, k, _succ in data["provinces"]], None)
    add([(c, n, k, p) for c, n, k, p, _succ in data["districts"]], ids(["province", "city"]))
    district_kinds = ["district", "urban_district", "town", "provincial_city"]
    add([(c, n, k, d) for c, n, k, d, _succ in data["wards"]], ids(district_kinds))

    current = dict(model.objects.filter(valid_to__isnull=True).values_list("code", "pk"))
    provinces = ids(["province", "city"])
    districts = ids(district_kinds)
    wards = ids(["commune", "ward", "township"])
    done = set(succession_model.objects.values_list("predecessor_id", "successor_id"))
    links = []
    for code, _n, _k, successors in data["provinces"]:
        links += [(provinces.get(code), current.get(s), True) for s in successors]
    for code, _n, _k, _p, successors in data["districts"]:
        links += [(districts.get(code), current.get(s), True) for s in successors]
    for code, _n, _k, _d, successors in data["wards"]:
        links += [(wards.get(code), current.get(s), main) for s, main in successors]
    succession_model.objects.bulk_create(
        [
            succession_model(predecessor_id=a, successor_id=b, main=main)
            for a, b, main in {(a, b): (a, b, m) for a, b, m in links}.values()
            if a and b and (a, b) not in done
        ],
        batch_size=2000,
    )
    return old.count() - before
