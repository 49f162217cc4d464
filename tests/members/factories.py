"""Helpers for the members tests: people at each step of the lifecycle, made
through the services so their histories are real."""

import itertools
from datetime import date

from members.choices import Status
from members.services import member_admit, member_propose_candidate
from tests.factories import make_member

_serial = itertools.count(500)


def candidate_profile(**extra) -> dict:
    n = next(_serial)
    profile = {
        "full_name": f"Lê Thị Ứng Viên {n}",
        "gender": "F",
        "birth_date": date(1995, 5, 5),
        "national_id": f"{900000000000 + n}",
    }
    profile.update(extra)
    return profile


def make_candidate(cell, helpers, *, proposed_on=date(2023, 1, 10), **extra):
    return member_propose_candidate(
        actor=None,
        unit=cell,
        proposed_on=proposed_on,
        helpers=helpers,
        **candidate_profile(**extra),
    )


def make_probationary(cell, helpers, *, decided_on=date(2024, 3, 1), ceremony_on=date(2024, 3, 15)):
    candidate = make_candidate(cell, helpers)
    return member_admit(
        actor=None, member=candidate, decided_on=decided_on, ceremony_on=ceremony_on
    )


def make_official(unit, **profile):
    return make_member(unit, status=Status.OFFICIAL, **profile)
