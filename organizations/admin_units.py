"""Load Viet Nam's administrative units from the maintained `vietnam-provinces`
package into AdministrativeUnit (never typed by hand)."""

from datetime import date

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
    existing = set(model.objects.values_list("code", flat=True))
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
    by_code = {u.code: u.pk for u in model.objects.filter(kind__in=["province", "city"])}
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
