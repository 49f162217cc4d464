"""The head and foot of every document (Hướng dẫn 36-HD/VPTW): who issues it
and the committee above, the place and date line, and who signs for the body.
Reads the tree and its seats only, so every app's documents share it."""

import re
from datetime import date

from chibo.dates import in_words
from organizations.models import Position, Seat, Unit, valid_on

# The date line names the place without its kind (Hướng dẫn 36-HD/VPTW:
# "Tân Phong, ngày ..."), so "Phường Tân Phong" gives "Tân Phong".
_PLACE_PREFIX = re.compile(r"^(Phường|Xã|Thị trấn|Đặc khu|Tỉnh|Thành phố|Huyện|Quận|Thị xã)\s+")


def locality_of(unit: Unit) -> tuple[Unit | None, str]:
    """(the unit's parent, the place name for the date line): the nearest
    administrative unit up the tree. One query."""
    ids = unit.ancestor_ids()
    ancestors = {
        u.pk: u for u in Unit.objects.filter(pk__in=ids).select_related("administrative_unit")
    }
    chain = [unit] + [ancestors[i] for i in reversed(ids) if i in ancestors]
    place = ""
    for u in chain:
        if u.administrative_unit_id:
            place = _PLACE_PREFIX.sub("", u.administrative_unit.name)
            break
    return ancestors.get(unit.parent_id), place


# The signature of a unit's documents (Hướng dẫn 36-HD/VPTW, signing on behalf
# of a collective: "T/M" + the body, then the signer's position and name).
_ON_BEHALF = {"cell": "T/M CHI BỘ", "cell_committee": "T/M CHI ỦY", "committee": "T/M ĐẢNG ỦY"}
_SIGNING = (Position.SECRETARY, Position.STANDING_DEPUTY, Position.DEPUTY_SECRETARY)


def signer_on(unit: Unit, day: date, *, cell_committee: bool = False) -> dict:
    """Who signs for `unit` (for its cell committee) on `day`: the secretary
    (bí thư) then, else a deputy; {"on_behalf", "title", "name"}, name "" when
    nobody held either seat."""
    if cell_committee:
        on_behalf = _ON_BEHALF["cell_committee"]
    else:
        on_behalf = _ON_BEHALF["cell" if unit.is_cell else "committee"]
    rank = {p: i for i, p in enumerate(_SIGNING)}
    seats = sorted(
        Seat.objects.filter(valid_on(day), unit=unit, position__in=_SIGNING).select_related(
            "member"
        ),
        key=lambda s: (rank[s.position], s.member.sort_key),
    )
    if not seats:
        return {"on_behalf": on_behalf, "title": "BÍ THƯ", "name": ""}
    seat = seats[0]
    title = "BÍ THƯ" if seat.position == Position.SECRETARY else "PHÓ BÍ THƯ"
    return {"on_behalf": on_behalf, "title": title, "name": seat.member.full_name}


def date_line(place: str, day: date) -> str:
    """The place-and-date line of every document: "Bình Phước, ngày 01 tháng 12
    năm 2026" (Hướng dẫn 36-HD/VPTW)."""
    words = in_words(day)
    return f"{place}, {words}" if place else words[:1].upper() + words[1:]


def official_header(unit: Unit, day: date, *, cell_committee: bool = False) -> dict:
    """The context every document's frame reads: issuer_parent, issuer,
    date_line, signer."""
    parent, place = locality_of(unit)
    return {
        "issuer_parent": parent.name if parent else "",
        "issuer": unit.name,
        "date_line": date_line(place, day),
        "signer": signer_on(unit, day, cell_committee=cell_committee),
    }
