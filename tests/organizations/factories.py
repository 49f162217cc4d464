"""Helpers for the organizations tests: the ward of seed 003 and decisions."""

from datetime import date
from types import SimpleNamespace

from organizations.models import Category, Level
from tests.factories import make_member, make_unit

DECISION = {"decision_number": "01-QĐ/ĐU", "decision_date": date(2019, 9, 20)}


def decision(effective_on: date, number: str = "01-QĐ/ĐU") -> dict:
    return {
        "decision_number": number,
        "decision_date": effective_on,
        "effective_on": effective_on,
    }


def seed003_ward(parent=None) -> SimpleNamespace:
    """Seed 003's ward: an agency cell of 30 members beside 9 residential
    cells (10 members each), a police cell and 5 school cells (4 each)."""
    ward = make_unit(
        "Đảng bộ phường Phúc Đồng",
        level=Level.GRASSROOTS_COMMITTEE if parent else Level.GRASSROOTS_COMMITTEE,
        parent=parent,
        founded_on=date(1990, 1, 1),
    )
    agency = make_unit(
        "Chi bộ cơ quan phường", parent=ward, category=Category.AGENCY, founded_on=date(1990, 1, 1)
    )
    residential = [
        make_unit(f"Chi bộ tổ dân phố {i}", parent=ward, founded_on=date(1990, 1, 1))
        for i in range(1, 10)
    ]
    others = [make_unit("Chi bộ Công an", parent=ward, category=Category.POLICE)] + [
        make_unit(f"Chi bộ trường {i}", parent=ward, category=Category.SCHOOL) for i in range(1, 6)
    ]
    agency_members = [make_member(agency) for _ in range(30)]
    for cell in residential:
        for _ in range(10):
            make_member(cell)
    for cell in others:
        for _ in range(4):
            make_member(cell)
    return SimpleNamespace(
        ward=ward,
        agency=agency,
        residential=residential,
        others=others,
        agency_members=agency_members,
    )
