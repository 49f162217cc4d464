"""The committees and the community posts an office keeps on paper, as kinds
of import (chibo.imports): terms and seats ("cap-uy"), village and
front-work heads ("chuc-danh-khu-dan-cu").

Every row goes through the same services as the unit page
(organizations.services.term_open, structure.services.seat_assign,
organizations.services.seat_end, community_post_assign / _end): the
preview runs them in a transaction it rolls back, so their rules (one holder
of a single position in one body at a time, a seat inside its term, the
holder a member of the unit on that day) give the rows' errors; applying
runs them again for real. Rows are written in the order of their dates
(a unit's earlier term before its later one) whatever their order in the
file. A row already recorded (the same seat of the same person from the
same day) is left as it is, so sending a file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.errors import ServiceError
from chibo.imports import (
    NEW,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportKind,
    RowOutcome,
    rolled_back,
)
from chibo.spreadsheets import CellError, Column, Row, cell_text, header_key, parse_date
from chibo.text import normalize
from members.finders import MemberFinder
from members.models import Member
from organizations.models import Body, CommunityPost, Position, Role, Seat, Term, Unit
from organizations.selectors import UnitFinder, role_paths, sees_everything
from organizations.services import (
    community_post_assign,
    community_post_end,
    seat_end,
    term_open,
)
from structure.services import seat_assign

EDIT_KINDS = (Role.Kind.ADMIN, Role.Kind.STAFF)


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _sees_all(actor) -> bool:
    return actor is None or not getattr(actor, "pk", None) or sees_everything(actor)


def units_in_reach(actor):
    """The units the importer may change (office staff and administrators
    of a unit: it and everything below)."""
    units = Unit.objects.all()
    if _sees_all(actor):
        return list(units)
    paths = role_paths(actor, EDIT_KINDS)
    return [u for u in units if any(u.path.startswith(p) for p in paths)]


def may_import_structure(user) -> bool:
    return sees_everything(user) or bool(role_paths(user, EDIT_KINDS))


def parse_choice(value, choices: dict[str, str], what: str) -> str:
    """The stored value a cell names, by any of the words offices write
    (`choices`: header_key of a word -> value)."""
    text = cell_text(value)
    if not text:
        raise CellError(_("Thiếu %(what)s.") % {"what": what})
    found = choices.get(header_key(text))
    if found is None:
        raise CellError(_("Không hiểu %(what)s “%(text)s”.") % {"what": what, "text": text})
    return found


def read_period(r: RowOutcome, values: dict, header, *, start="valid_from", end="valid_to"):
    """(first day, day after the last day or None) from the row's "Từ ngày"
    and "Đến ngày" (its last day, as offices write it); errors on the row."""
    first = last = None
    try:
        first = parse_date(values.get(start))
    except CellError as exc:
        r.error(header(start), exc.message)
    try:
        last = parse_date(values.get(end))
    except CellError as exc:
        r.error(header(end), exc.message)
    if first and last and last < first:
        r.error(
            header(end),
            _("Ngày kết thúc %(end)s trước ngày bắt đầu %(start)s.")
            % {"end": _d(last), "start": _d(first)},
        )
    today = date.today()
    for key, day in ((start, first), (end, last)):
        if day and day > today:
            r.error(header(key), _("Ngày %(day)s chưa tới.") % {"day": _d(day)})
    return first, (last + timedelta(days=1)) if last else None


def _keys(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {header_key(word): value for value, words in pairs.items() for word in words}


# --- committee terms and seats -------------------------------------------------------

BODIES = _keys(
    {
        Body.EXECUTIVE: ("BCH", "Ban Chấp hành", "Ban chấp hành Đảng bộ", "Đảng ủy", "Cấp ủy"),
        Body.STANDING: ("BTV", "Ban Thường vụ", "Thường vụ", "Ban Thường vụ Đảng ủy"),
        Body.CELL_COMMITTEE: ("Chi ủy", "CU", "Cấp ủy chi bộ"),
        Body.DIRECT: ("Chi bộ", "Trực tiếp", "Chi bộ bầu trực tiếp", "Không có chi ủy"),
    }
)
POSITIONS = _keys(
    {
        Position.SECRETARY: ("Bí thư", "BT"),
        Position.STANDING_DEPUTY: ("Phó Bí thư Thường trực", "PBT thường trực", "PBTTT"),
        Position.DEPUTY_SECRETARY: ("Phó Bí thư", "PBT"),
        Position.COMMITTEE_MEMBER: (
            "Ủy viên",
            "Uỷ viên",
            "UV",
            "Cấp ủy viên",
            "Chi ủy viên",
            "Đảng ủy viên",
            "Ủy viên Ban Chấp hành",
            "Ủy viên Ban Thường vụ",
            "UVBCH",
            "UVBTV",
        ),
        Position.GROUP_LEADER: ("Tổ trưởng", "Tổ trưởng tổ đảng"),
    }
)

SEAT_COLUMNS = [
    Column(
        "unit",
        "Đơn vị",
        aliases=("Tổ chức đảng", "Chi bộ", "Đảng bộ", "Tên đơn vị"),
        required=True,
        help="Tên hoặc mã chi bộ, đảng bộ (như trong cây tổ chức).",
    ),
    Column(
        "term",
        "Nhiệm kỳ",
        required=True,
        help="Tên nhiệm kỳ, ví dụ 2020–2025; nhiệm kỳ chưa có được mở theo ngày đại hội.",
    ),
    Column(
        "congress_on",
        "Ngày đại hội",
        kind="date",
        help="Ngày đại hội mở nhiệm kỳ (dd/mm/yyyy); cần khi nhiệm kỳ chưa có trong chibo.",
    ),
    Column(
        "body",
        "Cơ quan",
        aliases=("Ban", "Cấp ủy"),
        required=True,
        help="BCH (Ban Chấp hành), BTV (Ban Thường vụ), Chi ủy, hoặc Chi bộ (chi bộ bầu trực "
        "tiếp bí thư, phó bí thư).",
    ),
    Column(
        "position",
        "Chức vụ",
        required=True,
        help="Bí thư, Phó Bí thư Thường trực, Phó Bí thư, Ủy viên, Tổ trưởng tổ đảng.",
    ),
    Column("full_name", "Họ và tên", aliases=("Họ tên",), help="Như trong danh sách đảng viên."),
    Column(
        "card_number",
        "Số thẻ đảng viên",
        aliases=("Số thẻ", "Số thẻ ĐV"),
        kind="digits",
        help="Nên ghi khi có hai người cùng họ tên.",
    ),
    Column(
        "valid_from",
        "Từ ngày",
        kind="date",
        help="Ngày bắt đầu giữ chức vụ; để trống là từ ngày đại hội.",
    ),
    Column(
        "valid_to",
        "Đến ngày",
        kind="date",
        help="Ngày cuối cùng giữ chức vụ; để trống nếu đang giữ.",
    ),
    Column("decision_number", "Số quyết định", aliases=("Quyết định", "Số QĐ")),
]


@dataclass(slots=True)
class SeatRow(RowOutcome):
    unit_pk: int | None = None
    term_name: str = ""
    congress_on: date | None = None
    body: str = ""
    position: str = ""
    member_pk: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None  # exclusive
    decision_number: str = ""

    def order(self):
        return (
            self.unit_pk or 0,
            self.congress_on or date.min,
            self.valid_from or date.min,
            self.row,
        )


class SeatsKind(ImportKind):
    name = "seats"
    slug = "cap-uy"
    title = gettext_lazy("Nhiệm kỳ và cấp ủy")
    description = gettext_lazy(
        "Một dòng một chức vụ của một người trong một cơ quan (Ban Chấp hành, Ban Thường vụ, "
        "chi ủy) của một nhiệm kỳ. Một người giữ chức vụ ở nhiều cơ quan thì ghi nhiều dòng "
        "(Bí thư Đảng ủy: một dòng BCH, một dòng BTV). Nhiệm kỳ chưa có được mở theo ngày đại "
        "hội; dòng đã có (cùng người, cùng chức vụ, cùng ngày bắt đầu) được giữ nguyên."
    )
    columns = SEAT_COLUMNS
    example = {
        "unit": "Đảng bộ phường Một",
        "term": "2020–2025",
        "congress_on": date(2020, 7, 15),
        "body": "BTV",
        "position": "Bí thư",
        "full_name": "Nguyễn Văn An",
        "card_number": "12345678",
        "valid_from": date(2020, 7, 15),
        "valid_to": "",
        "decision_number": "125-QĐ/QU",
    }
    template_title = gettext_lazy(
        "NHIỆM KỲ VÀ CẤP ỦY — điền từ dòng 3; ngày ghi dd/mm/yyyy; mỗi chức vụ một dòng"
    )
    file_label = gettext_lazy("Tệp danh sách cấp ủy (.xlsx hoặc .csv)")
    subject_label = gettext_lazy("Họ và tên")
    key_label = gettext_lazy("Số thẻ")
    done_message = gettext_lazy("Đã nhập: %(new)s chức vụ mới, %(updated)s chức vụ cập nhật.")
    audit_action = "seat_import"

    def may_use(self, user) -> bool:
        return may_import_structure(user)

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[SeatRow]:
        units = UnitFinder(units_in_reach(ctx.actor))
        people = MemberFinder()
        out = [_parse_seat(row, ctx.header, units, people) for row in rows]

        def trial():
            for r in sorted((r for r in out if not r.errors), key=SeatRow.order):
                try:
                    with transaction.atomic():
                        _write_seat(r, ctx.actor)
                except ServiceError as exc:
                    r.error("", " ".join(exc.messages))

        rolled_back(trial)
        return out

    def apply(self, rows: list[SeatRow], ctx: ImportContext) -> dict:
        done = {"new": [], "updated": []}
        for r in sorted(rows, key=SeatRow.order):
            seat = _write_seat(r, ctx.actor)
            if r.outcome in done:
                done[r.outcome].append(seat.pk)
        return done


def _parse_seat(row: Row, header, units: UnitFinder, people: MemberFinder) -> SeatRow:
    v = row.values
    r = SeatRow(
        row=row.number, name=cell_text(v.get("full_name")), key=cell_text(v.get("card_number"))
    )
    unit = None
    try:
        unit = units.find(v.get("unit"))
        r.unit_pk = unit.pk
        r.notes.append(unit.name)
    except CellError as exc:
        r.error(header("unit"), exc.message)
    r.term_name = normalize(cell_text(v.get("term")).replace("-", "–"))
    if not r.term_name:
        r.error(header("term"), _("Thiếu tên nhiệm kỳ."))
    try:
        r.congress_on = parse_date(v.get("congress_on"))
    except CellError as exc:
        r.error(header("congress_on"), exc.message)
    for key, choices, what in (
        ("body", BODIES, _("cơ quan")),
        ("position", POSITIONS, _("chức vụ")),
    ):
        try:
            setattr(r, key, parse_choice(v.get(key), choices, what))
        except CellError as exc:
            r.error(header(key), exc.message)
    if r.body and r.position:
        r.notes.append(f"{Position(r.position).label} ({Body(r.body).label})")
    if unit is not None:
        try:
            member = people.find(unit=unit, name=v.get("full_name"), card=v.get("card_number"))
            r.member_pk, r.name = member.pk, member.full_name
        except CellError as exc:
            column = "card_number" if cell_text(v.get("card_number")) else "full_name"
            r.error(header(column), exc.message)
    r.valid_from, r.valid_to = read_period(r, v, header)
    r.valid_from = r.valid_from or r.congress_on
    r.decision_number = cell_text(v.get("decision_number"))
    if not r.errors and r.valid_from is None:
        r.error(header("valid_from"), _("Thiếu ngày bắt đầu giữ chức vụ (hoặc ngày đại hội)."))
    return r


def _term_for(r: SeatRow, unit: Unit, actor) -> Term:
    terms = Term.objects.filter(unit=unit)
    term = terms.filter(valid_from=r.congress_on).first() if r.congress_on else None
    if term is None:
        term = next((t for t in terms if normalize(t.name.replace("-", "–")) == r.term_name), None)
    if term is not None:
        return term
    if r.congress_on is None:
        raise ServiceError(
            _("%(unit)s chưa có nhiệm kỳ %(term)s; hãy ghi ngày đại hội để mở nhiệm kỳ.")
            % {"unit": unit.name, "term": r.term_name}
        )
    return term_open(actor=actor, unit=unit, congress_on=r.congress_on, name=r.term_name)


def _write_seat(r: SeatRow, actor) -> Seat:
    """Record the row through the services; sets its outcome."""
    unit = Unit.objects.get(pk=r.unit_pk)
    term = _term_for(r, unit, actor)
    member = Member.objects.get(pk=r.member_pk)
    same = Seat.objects.filter(
        term=term, body=r.body, position=r.position, member=member, valid_from=r.valid_from
    ).first()
    if same is not None:
        # a seat left open in the file and ended by the next congress is the same seat
        closed_by_congress = r.valid_to is None and same.valid_to == term.valid_to
        if same.valid_to == r.valid_to or closed_by_congress:
            r.outcome = UNCHANGED
            return same
        if same.valid_to is None and r.valid_to is not None:
            r.outcome = UPDATED
            r.changes = {"valid_to": (None, r.valid_to - timedelta(days=1))}
            return seat_end(actor=actor, seat=same, day=r.valid_to)
        raise ServiceError(
            _("Chức vụ này đã được ghi đến ngày %(end)s, khác ngày trong tệp.")
            % {"end": _d(same.valid_to - timedelta(days=1)) if same.valid_to else "nay"}
        )
    r.outcome = NEW
    return seat_assign(
        actor=actor,
        term=term,
        member=member,
        position=r.position,
        body=r.body,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        decision_number=r.decision_number,
    )


# --- community posts -----------------------------------------------------------------

POST_KINDS = _keys(
    {
        CommunityPost.Kind.VILLAGE_HEAD: (
            "Trưởng thôn",
            "Trưởng ấp",
            "Trưởng bản",
            "Trưởng khu phố",
            "Tổ trưởng tổ dân phố",
            "Tổ trưởng TDP",
            "Trưởng thôn / tổ trưởng tổ dân phố",
        ),
        CommunityPost.Kind.FRONT_HEAD: (
            "Trưởng ban công tác Mặt trận",
            "Trưởng ban CTMT",
            "Trưởng ban Mặt trận",
            "Trưởng BCTMT",
        ),
    }
)
YES = {header_key(w) for w in ("x", "có", "đảng viên", "là đảng viên", "1", "yes", "v")}
NO = {header_key(w) for w in ("không", "0", "no", "quần chúng")}

POST_COLUMNS = [
    Column(
        "unit",
        "Chi bộ",
        aliases=("Đơn vị", "Thôn, tổ dân phố", "Khu dân cư"),
        required=True,
        help="Tên hoặc mã chi bộ thôn, ấp, tổ dân phố.",
    ),
    Column(
        "kind",
        "Chức danh",
        required=True,
        help="Trưởng thôn (ấp, bản, khu phố), Tổ trưởng tổ dân phố, hoặc Trưởng ban công tác "
        "Mặt trận.",
    ),
    Column("full_name", "Họ và tên", aliases=("Họ tên",), required=True),
    Column(
        "is_member",
        "Là đảng viên",
        aliases=("Đảng viên", "ĐV"),
        help="x (hoặc “có”) nếu là đảng viên: người đó phải có trong danh sách đảng viên; "
        "để trống hoặc “không” nếu không phải.",
    ),
    Column(
        "card_number",
        "Số thẻ đảng viên",
        aliases=("Số thẻ",),
        kind="digits",
        help="Của người là đảng viên, nếu có.",
    ),
    Column("valid_from", "Từ ngày", kind="date", required=True, help="Ngày bắt đầu giữ chức danh."),
    Column(
        "valid_to",
        "Đến ngày",
        kind="date",
        help="Ngày cuối cùng giữ chức danh; để trống nếu đang giữ.",
    ),
]


@dataclass(slots=True)
class PostRow(RowOutcome):
    unit_pk: int | None = None
    kind: str = ""
    member_pk: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None  # exclusive

    def order(self):
        return (self.unit_pk or 0, self.kind, self.valid_from or date.min, self.row)


class CommunityPostsKind(ImportKind):
    name = "community_posts"
    slug = "chuc-danh-khu-dan-cu"
    title = gettext_lazy("Trưởng thôn, tổ trưởng, trưởng ban công tác Mặt trận")
    description = gettext_lazy(
        "Một dòng một người giữ một chức danh ở khu dân cư của một chi bộ thôn, ấp, tổ dân "
        "phố, từ ngày đến ngày. Người là đảng viên được nối với hồ sơ đảng viên; mỗi lúc một "
        "chức danh chỉ có một người."
    )
    columns = POST_COLUMNS
    example = {
        "unit": "Chi bộ khu phố 1",
        "kind": "Tổ trưởng tổ dân phố",
        "full_name": "Trần Thị Bình",
        "is_member": "x",
        "card_number": "",
        "valid_from": date(2022, 1, 1),
        "valid_to": "",
    }
    template_title = gettext_lazy(
        "CHỨC DANH Ở KHU DÂN CƯ — điền từ dòng 3; ngày ghi dd/mm/yyyy; mỗi người một dòng"
    )
    file_label = gettext_lazy("Tệp danh sách (.xlsx hoặc .csv)")
    subject_label = gettext_lazy("Họ và tên")
    done_message = gettext_lazy("Đã nhập: %(new)s người mới, %(updated)s cập nhật.")
    audit_action = "community_post_import"

    def may_use(self, user) -> bool:
        return may_import_structure(user)

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[PostRow]:
        units = UnitFinder(units_in_reach(ctx.actor), what=_("chi bộ"))
        people = MemberFinder()
        out = [_parse_post(row, ctx.header, units, people) for row in rows]

        def trial():
            for r in sorted((r for r in out if not r.errors), key=PostRow.order):
                try:
                    with transaction.atomic():
                        _write_post(r, ctx.actor)
                except ServiceError as exc:
                    r.error("", " ".join(exc.messages))

        rolled_back(trial)
        return out

    def apply(self, rows: list[PostRow], ctx: ImportContext) -> dict:
        done = {"new": [], "updated": []}
        for r in sorted(rows, key=PostRow.order):
            post = _write_post(r, ctx.actor)
            if r.outcome in done:
                done[r.outcome].append(post.pk)
        return done


def _parse_post(row: Row, header, units: UnitFinder, people: MemberFinder) -> PostRow:
    v = row.values
    r = PostRow(row=row.number, name=normalize(cell_text(v.get("full_name"))))
    unit = None
    try:
        unit = units.find(v.get("unit"))
        r.unit_pk = unit.pk
        r.notes.append(unit.name)
    except CellError as exc:
        r.error(header("unit"), exc.message)
    try:
        r.kind = parse_choice(v.get("kind"), POST_KINDS, _("chức danh"))
        r.notes.append(str(CommunityPost.Kind(r.kind).label))
    except CellError as exc:
        r.error(header("kind"), exc.message)
    raw_flag = cell_text(v.get("is_member"))
    flag = "x" if raw_flag == "✓" else "" if raw_flag == "-" else header_key(raw_flag)
    card = cell_text(v.get("card_number"))
    if flag and flag not in YES and flag not in NO:
        r.error(
            header("is_member"),
            _("Không hiểu “%(text)s”: ghi x nếu là đảng viên, để trống nếu không.")
            % {"text": cell_text(v.get("is_member"))},
        )
    elif (flag in YES or card) and unit is not None:  # flag may be empty: not a member
        try:
            member = people.find(unit=unit, name=v.get("full_name"), card=card)
            r.member_pk, r.name = member.pk, member.full_name
            r.notes.append(_("Đảng viên"))
        except CellError as exc:
            r.error(header("card_number" if card else "full_name"), exc.message)
    if not r.name:
        r.error(header("full_name"), _("Thiếu họ và tên."))
    r.valid_from, r.valid_to = read_period(r, v, header)
    if r.valid_from is None and not r.has_error(header("valid_from")):
        r.error(header("valid_from"), _("Thiếu ngày bắt đầu giữ chức danh."))
    return r


def _write_post(r: PostRow, actor) -> CommunityPost:
    unit = Unit.objects.get(pk=r.unit_pk)
    same = CommunityPost.objects.filter(
        unit=unit, kind=r.kind, valid_from=r.valid_from, person_name=r.name
    ).first()
    if same is not None:
        if same.member_id != r.member_pk:
            raise ServiceError(
                _(
                    "Chức danh này đã được ghi cho %(name)s từ %(day)s, khác về là đảng viên hay không."
                )
                % {"name": same.person_name, "day": _d(same.valid_from)}
            )
        # left open in the file, handed over to the next holder since
        handed_over = (
            r.valid_to is None
            and same.valid_to is not None
            and CommunityPost.objects.filter(
                unit=unit, kind=r.kind, valid_from=same.valid_to
            ).exists()
        )
        if same.valid_to == r.valid_to or handed_over:
            r.outcome = UNCHANGED
            return same
        if same.valid_to is None and r.valid_to is not None:
            r.outcome = UPDATED
            r.changes = {"valid_to": (None, r.valid_to - timedelta(days=1))}
            return community_post_end(actor=actor, post=same, day=r.valid_to)
        raise ServiceError(
            _("Chức danh này đã được ghi đến ngày %(end)s, khác ngày trong tệp.")
            % {"end": _d(same.valid_to - timedelta(days=1)) if same.valid_to else "nay"}
        )
    r.outcome = NEW
    post = community_post_assign(
        actor=actor,
        unit=unit,
        kind=r.kind,
        valid_from=r.valid_from,
        person_name=r.name,
        member=Member.objects.get(pk=r.member_pk) if r.member_pk else None,
    )
    if r.valid_to is not None:
        post = community_post_end(actor=actor, post=post, day=r.valid_to)
    return post
