"""Build organizations/data/legacy_administrative_units.json.gz, the
administrative units of Viet Nam as they stood before 1 July 2025 (63
provinces, their districts, and their communes, wards and townships), each
with the units of 1 July 2025 it became.

Source: the `vietnamadminunits` package (MIT licence), its data/dataset.db
(table admin_units_legacy: the units on the eve of the reform) and
data/converter_2025.json (which old commune became which new one; a commune
divided between several new ones names the main one). The new units are
matched to the ones chibo already loads from `vietnam-provinces` by name
within their province (then by code), since the two packages give a few of
the new wards different codes.

Run it only to refresh the data file, from the repository root:

    .venv/bin/pip install vietnamadminunits==1.0.4
    .venv/bin/python organizations/data/build_legacy_units.py

It reads the package's data files without importing the package (which
needs shapely and geopy), and prints what it could not match."""

import gzip
import importlib.util
import json
import re
import sqlite3
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

OUT = Path(__file__).with_name("legacy_administrative_units.json.gz")
REFORM_DATE = "2025-07-01"  # first day of the new units; the old ones' valid_to

PROVINCE_KINDS = {"Tỉnh": "province", "Thành phố": "city"}
DISTRICT_KINDS = {
    "Huyện": "district",
    "Quận": "urban_district",
    "Thị xã": "town",
    "Thành phố": "provincial_city",
}
WARD_KINDS = {"Xã": "commune", "Phường": "ward", "Thị trấn": "township"}


def fold(text: str) -> str:
    """Letters and digits only, without accents: "Cư M'gar" and "Cư M’gar",
    "Chân Mây - Lăng Cô" and "Chân Mây – Lăng Cô" are the same name."""
    text = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def package_data() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("pip install vietnamadminunits==1.0.4 first")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def main() -> None:
    from vietnam_provinces import Province, Ward
    from vietnam_provinces import __data_version__ as vp_version

    data = package_data()
    db = sqlite3.connect(data / "dataset.db")
    converter = json.loads((data / "converter_2025.json").read_text())

    # the current units chibo loads, by province
    current_provinces = {f"{int(p.code):02d}": p.name for p in Province.iter_all()}
    current_wards: dict[str, dict[str, list[str]]] = {}
    ward_names: dict[str, str] = {}
    for w in Ward.iter_all():
        code = f"{int(w.code):05d}"
        ward_names[code] = w.name
        current_wards.setdefault(f"{int(w.province_code):02d}", {}).setdefault(
            fold(w.name), []
        ).append(code)

    # the package's new units: (province key, ward key) -> (code, name, province code)
    new_wards = {
        (pk, wk): (code, name, pcode)
        for pk, wk, code, name, pcode in db.execute(
            "SELECT provinceKey, wardKey, wardCode, ward, provinceCode FROM admin_units"
        )
    }
    new_province_codes = dict(
        db.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    )

    unmatched: list[str] = []

    def current_ward(new_province_key: str, new_ward_key: str) -> str | None:
        found = new_wards.get((new_province_key, new_ward_key))
        if found is None:
            unmatched.append(f"{new_province_key}/{new_ward_key}")
            return None
        code, name, pcode = found
        same_name = current_wards.get(pcode, {}).get(fold(name), [])
        if len(same_name) == 1:
            return same_name[0]
        if code in ward_names and fold(ward_names[code]) == fold(name):
            return code
        unmatched.append(f"{name} ({code})")
        return None

    # old key "province_district_ward" -> [(current ward code, main)]
    successors: dict[str, list[tuple[str, bool]]] = {}
    for new_pk, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wk, old_keys in wards.items():
            code = current_ward(new_pk, new_wk)
            for old in old_keys:
                if code:
                    successors.setdefault(old, []).append((code, True))
    for new_pk, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            for part in parts:
                code = current_ward(new_pk, part["newWardKey"])
                if code:
                    successors.setdefault(old, []).append((code, bool(part["isDefaultNewWard"])))
    province_successors: dict[str, list[str]] = {}
    for new_pk, old_keys in converter["DICT_PROVINCE"].items():
        code = new_province_codes.get(new_pk)
        if code not in current_provinces:
            unmatched.append(f"province {new_pk}")
            continue
        for old in old_keys:
            province_successors.setdefault(old, []).append(code)

    provinces, districts, wards = {}, {}, []
    rows = db.execute(
        """SELECT provinceCode, province, provinceKey, districtCode, district, districtType,
                  districtKey, wardCode, ward, wardType, wardKey
           FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"""
    )
    for pcode, pname, pkey, dcode, dname, dtype, dkey, wcode, wname, wtype, wkey in rows:
        if pcode not in provinces:
            kind = PROVINCE_KINDS["Thành phố" if pname.startswith("Thành phố") else "Tỉnh"]
            provinces[pcode] = [pcode, pname, kind, sorted(set(province_successors.get(pkey, [])))]
        if dcode not in districts:
            # an island district without communes became a special zone (đặc khu)
            islands = [c for c, _main in successors.get(f"{pkey}_{dkey}_", [])]
            districts[dcode] = [dcode, dname, DISTRICT_KINDS[dtype], pcode, islands]
        if wcode:
            found = successors.get(f"{pkey}_{dkey}_{wkey}", [])
            wards.append([wcode, wname, WARD_KINDS[wtype], dcode, [[c, m] for c, m in found]])
            if not found:
                unmatched.append(f"no successor: {wname}, {dname}, {pname}")

    out = {
        "source": (
            f"vietnamadminunits {version('vietnamadminunits')} (MIT): data/dataset.db, "
            f"data/converter_2025.json; new units matched to vietnam-provinces {vp_version}"
        ),
        "valid_to": REFORM_DATE,
        "provinces": list(provinces.values()),
        "districts": list(districts.values()),
        "wards": wards,
    }
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
    print(
        f"{OUT.name}: {len(provinces)} provinces, {len(districts)} districts, "
        f"{len(wards)} communes/wards/townships; {len(unmatched)} not matched"
    )
    for line in unmatched[:50]:
        print("  ", line)


if __name__ == "__main__":
    main()
