"""The demo tree's committees and community posts, built once members exist:
seats are held by members, so this is above both apps."""

from datetime import date

from chibo.demo import DemoContext
from members.choices import MEMBER_STATUSES, Status
from members.models import Member
from organizations.demo import WARD_FOUNDED
from organizations.models import Body, Category, CommunityPost, Position
from organizations.services import community_post_assign, term_open
from structure.services import seat_assign


def build_late(ctx: DemoContext) -> None:
    """Once members exist: each demo cell's congress of 01/07/2025 with its
    secretary (a cell committee where 9 or more are official), the two ward
    committees' executive committees, and village heads and front-work heads
    of residential and village cells, some of them not party members. One
    cell is left without a secretary so the warning shows."""
    admin = ctx.data.get("admin")
    cells = ctx.data["cells"]
    for index, cell in enumerate(cells):
        members = list(
            Member.objects.filter(unit=cell, status__in=MEMBER_STATUSES).order_by("sort_key")
        )
        if index == 3 or not members:
            continue  # no congress recorded: "no secretary" shows on this cell
        term = term_open(actor=admin, unit=cell, congress_on=WARD_FOUNDED)
        officials = [m for m in members if m.status == Status.OFFICIAL]
        body = Body.CELL_COMMITTEE if len(officials) >= 9 else Body.DIRECT
        seats = [(Position.SECRETARY, (officials or members)[0])]
        if len(members) > 1:
            seats.append((Position.DEPUTY_SECRETARY, members[1]))
        if body == Body.CELL_COMMITTEE:
            seats += [(Position.COMMITTEE_MEMBER, m) for m in members[2:5]]
        for position, member in seats:
            seat_assign(
                actor=admin,
                term=term,
                member=member,
                position=position,
                body=body,
                valid_from=_placed_since(member),
            )
        if cell.category in (Category.RESIDENTIAL, Category.VILLAGE):
            head = members[0] if index % 3 else None
            since = max(_placed_since(members[0]), _placed_since(members[-1]))
            community_post_assign(
                actor=admin,
                unit=cell,
                kind=CommunityPost.Kind.VILLAGE_HEAD,
                member=head,
                person_name="" if head else ctx.person_name("M"),
                valid_from=since,
            )
            front = members[-1] if index % 4 else None
            community_post_assign(
                actor=admin,
                unit=cell,
                kind=CommunityPost.Kind.FRONT_HEAD,
                member=front,
                person_name="" if front else ctx.person_name("F"),
                valid_from=since,
            )
    for ward in (ctx.data["ward1"], ctx.data["ward2"]):
        term = term_open(actor=admin, unit=ward, congress_on=WARD_FOUNDED)
        members = list(
            Member.objects.filter(
                unit__path__startswith=ward.path, status=Status.OFFICIAL
            ).order_by("sort_key")[:3]
        )
        for position, member in zip(
            (Position.SECRETARY, Position.STANDING_DEPUTY, Position.COMMITTEE_MEMBER),
            members,
            strict=False,
        ):
            seat_assign(
                actor=admin,
                term=term,
                member=member,
                position=position,
                body=Body.EXECUTIVE,
                valid_from=_placed_since(member),
            )
    ctx.say("  nhiệm kỳ, cấp ủy và trưởng thôn / trưởng ban công tác Mặt trận của chi bộ mẫu\n")


def _placed_since(member) -> date:
    """The later of the ward's founding and the day the member joined their cell."""
    placement = member.placements.filter(valid_to__isnull=True, kind="permanent").first()
    return max(WARD_FOUNDED, placement.valid_from) if placement else WARD_FOUNDED
