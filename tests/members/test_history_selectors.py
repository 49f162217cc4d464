from datetime import date

from members.choices import PlacementKind
from members.models import Exemption, Placement
from members.selectors import count_members_on, members_on
from members.services import member_place
from tests.factories import make_member


def test_a_transfer_moves_the_member_between_cells_on_its_date(tree):
    mover = tree.members.m1a[0]
    member_place(actor=None, member=mover, unit=tree.cell1b, day=date(2020, 6, 1))

    before = {r.member for r in members_on(tree.cell1a, date(2020, 5, 31))}
    after = {r.member for r in members_on(tree.cell1a, date(2020, 6, 1))}
    assert mover in before and mover not in after
    assert mover in {r.member for r in members_on(tree.cell1b, date(2020, 6, 1))}
    assert (
        count_members_on(tree.ward1, date(2020, 5, 31))
        == count_members_on(tree.ward1, date(2020, 6, 1))
        == 5
    )
    assert count_members_on(tree.cell1a, date(2020, 6, 1)) == 2


def test_members_on_flags_exempt_and_away_and_skips_hosted_temporaries(tree):
    exempt, away = tree.members.m1a[0], tree.members.m1a[1]
    Exemption.objects.create(member=exempt, reason="age", valid_from=date(2019, 1, 1))
    Placement.objects.create(
        member=away, unit=tree.cell2a, kind=PlacementKind.TEMPORARY, valid_from=date(2019, 1, 1)
    )
    rows = {r.member: r for r in members_on(tree.cell1a, date(2019, 6, 1))}
    assert rows[exempt].exempt and not rows[exempt].away
    assert rows[away].away.unit == tree.cell2a
    hosted = {r.member for r in members_on(tree.cell2a, date(2019, 6, 1))}
    assert away not in hosted


def test_someone_placed_later_is_not_a_member_before(tree):
    late = make_member(tree.cell2a, since=date(2021, 1, 1))
    assert late not in {r.member for r in members_on(tree.cell2a, date(2020, 12, 31))}
    assert late in {r.member for r in members_on(tree.cell2a, date(2021, 1, 1))}
