"""Finding the member a spreadsheet row names (seats, posts, ratings,
attendance sheets): by card number, else by full name among the members
ever placed in the row's unit (or below it). Never across the whole
register by name alone: two "Nguyễn Văn An" in a province are common."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chibo.spreadsheets import CellError, cell_text
from chibo.text import fold, normalize
from members.models import Member
from organizations.models import Unit


class MemberFinder:
    """Members by card number or by name within a unit's subtree. `find`
    raises CellError with a Vietnamese message naming what was typed."""

    def __init__(self):
        self._by_card: dict[str, Member | None] = {}
        self._in_unit: dict[int, tuple[dict[str, list[Member]], set[int]]] = {}

    def _unit_members(self, unit: Unit) -> tuple[dict[str, list[Member]], set[int]]:
        known = self._in_unit.get(unit.pk)
        if known is None:
            by_name: dict[str, list[Member]] = {}
            ids: set[int] = set()
            for m in Member.objects.filter(placements__unit__path__startswith=unit.path).distinct():
                by_name.setdefault(fold(m.full_name), []).append(m)
                ids.add(m.pk)
            known = self._in_unit[unit.pk] = (by_name, ids)
        return known

    def preload(self, unit: Unit) -> None:
        self._unit_members(unit)

    def find(self, *, unit: Unit, name=None, card=None) -> Member:
        name = normalize(cell_text(name))
        card = cell_text(card).replace(" ", "")
        by_name, ids = self._unit_members(unit)
        if card:
            if card not in self._by_card:
                self._by_card[card] = Member.objects.filter(card_number=card).first()
            member = self._by_card[card]
            if member is None or member.pk not in ids:
                raise CellError(
                    _("Số thẻ %(card)s không có trong danh sách đảng viên của %(unit)s.")
                    % {"card": card, "unit": unit.name}
                )
            if name and fold(name) != fold(member.full_name):
                raise CellError(
                    _("Số thẻ %(card)s là của %(other)s, không phải %(name)s.")
                    % {"card": card, "other": member.full_name, "name": name}
                )
            return member
        if not name:
            raise CellError(_("Thiếu họ và tên (hoặc số thẻ đảng viên)."))
        same = by_name.get(fold(name), [])
        if len(same) > 1:
            raise CellError(
                _("%(unit)s có %(n)s đảng viên tên %(name)s; hãy ghi số thẻ đảng viên.")
                % {"unit": unit.name, "n": len(same), "name": name}
            )
        if not same:
            raise CellError(
                _("%(name)s không có trong danh sách đảng viên của %(unit)s.")
                % {"name": name, "unit": unit.name}
            )
        return same[0]
