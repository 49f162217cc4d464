"""Committee seats: only a member of the unit may hold one, so they sit
above both the tree and the members."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.errors import ServiceError
from members.choices import MEMBER_STATUSES, PlacementKind
from members.models import Placement
from organizations.models import (
    Body,
    Level,
    Position,
    Seat,
    Term,
    valid_on,
)
from organizations.services import (
    SINGLE_POSITIONS,
    _bodies_for,
    _check_reach,
    _d,
    hand_over,
)


def _overlapping(seats, valid_from: date, valid_to: date | None):
    """The rows of `seats` whose period meets [valid_from, valid_to)."""
    seats = seats.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from))
    return seats if valid_to is None else seats.filter(valid_from__lt=valid_to)


def _held(seat: Seat) -> str:
    if seat.valid_to is None:
        return _("từ %(day)s") % {"day": _d(seat.valid_from)}
    # valid_to is exclusive: the holder's last day is the day before
    return _("từ %(start)s đến %(end)s") % {
        "start": _d(seat.valid_from),
        "end": _d(seat.valid_to - timedelta(days=1)),
    }


@transaction.atomic
def seat_assign(
    *,
    actor,
    term: Term,
    member,
    position: str,
    body: str,
    valid_from: date,
    valid_to: date | None = None,
    decision_number: str = "",
) -> Seat:
    """Give `member` a seat in one body of the term's committee from
    `valid_from` (until the day before `valid_to`, for a seat of the past).

    One person may sit in several bodies at once: the secretary of the
    executive committee (Ban Chấp hành) is also the secretary of its standing
    committee (Ban Thường vụ), and a member of both. Within one body a single
    position (secretary, standing deputy, group leader) has one holder at a
    time: an open seat that began earlier is handed over (it ends the day the
    new one starts); any other overlap is refused, as is the same person
    holding the same seat twice over the same dates."""
    unit = term.unit
    _check_reach(actor, unit)
    if position not in Position.values:
        raise ServiceError(_("Chức vụ không hợp lệ."))
    if body not in _bodies_for(unit):
        raise ServiceError(
            _("“%(body)s” không có ở %(level)s.")
            % {
                "body": Body(body).label if body in Body.values else body,
                "level": unit.get_level_display(),
            }
        )
    if (position == Position.GROUP_LEADER) != (unit.level == Level.PARTY_GROUP):
        raise ServiceError(_("Tổ trưởng tổ đảng chỉ có ở tổ đảng."))
    if valid_to is not None and valid_to <= valid_from:
        raise ServiceError(
            _("Ngày thôi giữ chức vụ (%(end)s) phải sau ngày bắt đầu (%(start)s).")
            % {"end": _d(valid_to), "start": _d(valid_from)}
        )
    if (
        valid_from < term.valid_from
        or (term.valid_to and valid_from >= term.valid_to)
        or (valid_to and term.valid_to and valid_to > term.valid_to)
    ):
        raise ServiceError(
            _("Ngày %(day)s không nằm trong nhiệm kỳ %(name)s.")
            % {
                "day": _d(valid_from if valid_from < term.valid_from else valid_to),
                "name": term.name,
            }
        )
    if member.status not in MEMBER_STATUSES:
        raise ServiceError(_("%(name)s không phải là đảng viên.") % {"name": member.full_name})
    placed = Placement.objects.filter(
        valid_on(valid_from),
        member=member,
        kind=PlacementKind.PERMANENT,
        unit__path__startswith=unit.path,
    ).exists()
    if not placed:
        raise ServiceError(
            _("%(name)s không sinh hoạt trong “%(unit)s” vào ngày %(day)s.")
            % {"name": member.full_name, "unit": unit.name, "day": _d(valid_from)}
        )
    in_body = Seat.objects.select_for_update().filter(unit=unit, body=body)
    same = _overlapping(in_body.filter(member=member, position=position), valid_from, valid_to)
    if same.exists():
        raise ServiceError(
            _("%(name)s đã giữ chức vụ này (%(position)s, %(body)s) %(held)s.")
            % {
                "name": member.full_name,
                "position": Position(position).label,
                "body": Body(body).label,
                "held": _held(same.first()),
            }
        )
    predecessors = Seat.objects.none()
    if position in SINGLE_POSITIONS:
        others = _overlapping(in_body.filter(position=position), valid_from, valid_to)
        if valid_to is None:
            # the holder in office when this one starts hands over that day
            predecessors = others.filter(valid_to__isnull=True, valid_from__lt=valid_from)
            others = others.exclude(pk__in=predecessors.values("pk"))
        clash = others.select_related("member").first()
        if clash is not None:
            raise ServiceError(
                _(
                    "%(name)s giữ chức vụ này %(held)s (%(position)s, %(body)s); "
                    "mỗi lúc chỉ một người giữ chức vụ này."
                )
                % {
                    "name": clash.member.full_name,
                    "held": _held(clash),
                    "position": Position(position).label,
                    "body": Body(body).label,
                }
            )
    return hand_over(
        Seat,
        actor=actor,
        unit=unit,
        valid_from=valid_from,
        predecessors=predecessors,
        holder_name=lambda seat: seat.member.full_name,
        refusal=_("%(name)s giữ chức vụ này từ %(day)s; ngày mới phải sau ngày đó."),
        action="seat_assign",
        summary=_("%(name)s giữ chức %(position)s (%(body)s) của %(unit)s từ %(day)s")
        % {
            "name": member.full_name,
            "position": Position(position).label,
            "body": Body(body).label,
            "unit": unit.name,
            "day": _d(valid_from),
        },
        term=term,
        body=body,
        position=position,
        member=member,
        decision_number=decision_number,
        valid_to=valid_to,
    )
