"""The member roster as a kind of import (chibo.imports): one row per
member, matched to the register, checked, and written in bulk.

Rules (issue 4):
- Rows are matched to existing members by card number, then by national ID
  (CCCD), never by name. A matched member outside the importer's reach is
  an error; so is a CCCD that belongs to another member than the card.
- "Chi bộ" is matched to a cell the importer may edit, by code or by name
  ignoring case and diacritics; a cell that does not exist and a cell
  outside the importer's reach get the same message, so nothing leaks.
  Rows without a cell go to the upload's default cell, if one was chosen.
- New members are created by the same rules as members.services.member_create
  (validate_cell, the date order of the profile, one StatusPeriod and one
  permanent Placement, a history record naming the import), but in bulk:
  row-by-row creation is far under the 5,000 rows/s the issue asks for. The
  audit trail gets one "member_import" record per import listing every
  member created and updated, and one "member_update" record per updated
  member with its changes (not one per created member: at 100,000 rows that
  doubled the writes and told nothing the import record does not).
- For a matched member, a non-empty cell that differs from the profile is an
  update (the previous value is kept by the member's history); an empty cell
  changes nothing. The cell a member belongs to and the recognition as an
  official member are lifecycle steps with their own services: an import
  that would change them is refused for that row.
- A new member born less than 16 years ago gets a warning (members.rules).
- A new member's past is reconstructed from the row's dates
  (members.services.reconstruct_past, the same rows member_create_with_past
  writes): probationary from "Ngày vào Đảng" to "Ngày chính thức", official
  from then, exempt from "Ngày miễn sinh hoạt" if given, in the cell from
  "Ngày chuyển đến chi bộ" if the sheet has it, else from the admission (or
  the cell's founding, if later); every row marked "theo dữ liệu nhập".
  Dates that contradict each other or the Điều lệ (members.services.
  past_problems) are row errors, or warnings where the rule allows doubt.
  For a member already kept, these columns change nothing: a different date
  is a warning (transfers and exemptions are lifecycle steps).

What the roster writes is `roster_write`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from chibo.bulk import copy_insert, copy_rows, pks_by, reserve_ids
from chibo.errors import ServiceError
from chibo.imports import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportKind,
    Progress,
    RowOutcome,
    shown,
)
from chibo.masking import is_masked, masked_tail
from chibo.models import AuditEvent
from chibo.spreadsheets import CellError, Column, Row, cell_text, header_key, parse_date
from chibo.text import fold, normalize, sort_key
from members.choices import RECONSTRUCTED, PlacementKind, Status
from members.counts import counts_refresh, units_of_members
from members.models import Exemption, Member, Placement, StatusPeriod
from members.resources import DATE_FIELDS, MEMBER_COLUMNS, parse_cell
from members.rules import old_enough_for_admission, younger_than_a_candidate
from members.services import (
    Past,
    exemption_reason_for,
    past_problems,
    past_rows,
    reconstruct_past,
    validate_cell,
)
from organizations.models import CELL_LEVELS, Role, Unit
from organizations.selectors import closest_unit_names, role_paths, sees_everything

EDIT_KINDS = (Role.Kind.ADMIN, Role.Kind.STAFF)
CHUNK = 1000


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# Columns of the member's past that are not dossier fields: what the history
# of a new member is reconstructed from.
PAST_COLUMNS: list[Column] = [
    Column(
        "placed_on",
        "Ngày chuyển đến chi bộ",
        aliases=(
            "Ngày chuyển sinh hoạt đến",
            "Ngày chuyển đến",
            "Ngày đến chi bộ",
            "Ngày sinh hoạt tại chi bộ",
            "Sinh hoạt tại chi bộ từ ngày",
            "Ngày bắt đầu sinh hoạt",
            "Ngày nhận sinh hoạt",
        ),
        kind="date",
        help=gettext_lazy(
            "Ngày bắt đầu sinh hoạt ở chi bộ này (chuyển đến từ nơi khác), dd/mm/yyyy; "
            "để trống nếu sinh hoạt tại chi bộ từ khi vào Đảng."
        ),
    ),
    Column(
        "exempt_on",
        "Ngày miễn sinh hoạt",
        aliases=(
            "Miễn sinh hoạt từ ngày",
            "Ngày miễn công tác và sinh hoạt",
            "Ngày miễn công tác và sinh hoạt đảng",
            "Ngày miễn CT và SH",
            "Miễn sinh hoạt",
        ),
        kind="date",
        help=gettext_lazy(
            "Ngày được miễn công tác và sinh hoạt đảng, dd/mm/yyyy; để trống nếu không."
        ),
    ),
    Column(
        "exemption_reason",
        "Lý do miễn sinh hoạt",
        aliases=("Lý do miễn",),
        help=gettext_lazy("Tuổi cao, Sức khỏe yếu hoặc ghi tự do; để trống thì theo tuổi."),
    ),
]
PAST_KEYS = {c.key for c in PAST_COLUMNS}


@dataclass(slots=True)
class MemberRow(RowOutcome):
    values: dict = field(default_factory=dict)  # {field: value to store}
    member: Member | None = None  # the member an UPDATED row changes
    member_id: int | None = None  # the member a NEW row created
    cell: Unit | None = None
    placed_on: date | None = None  # "Ngày chuyển đến chi bộ"
    exempt_on: date | None = None
    exemption_reason: str = ""  # what the sheet wrote
    past: Past | None = None  # a new member's past, as checked (reconstruct_past)
    # a kept member's past before the day chibo's first rows start, written
    # from the row's dates: (Past, the day the kept rows start, the cell)
    fill: tuple | None = None
    # {"national_id"/"card_number": last digits} of cells an export masked
    masked: dict = field(default_factory=dict)

    @property
    def card(self) -> str:
        return self.key


class RosterKind(ImportKind):
    name = "members"
    slug = "danh-sach-dang-vien"
    title = gettext_lazy("Danh sách đảng viên")
    description = gettext_lazy(
        "Một dòng một đảng viên. Đảng viên đã có được nhận ra theo số thẻ đảng viên, rồi "
        "theo số CCCD (không theo họ tên). Ô để trống không làm thay đổi dữ liệu đã có. "
        "Chuyển sinh hoạt và công nhận chính thức không làm qua nhập tệp. Quá trình của đảng "
        "viên mới (dự bị, chính thức, miễn sinh hoạt, sinh hoạt tại chi bộ) được ghi theo các "
        "ngày trong tệp, đánh dấu “theo dữ liệu nhập”."
    )
    columns = MEMBER_COLUMNS + PAST_COLUMNS
    example = {
        "full_name": "Nguyễn Văn An",
        "gender": "Nam",
        "birth_date": date(1975, 5, 19),
        "birthplace": "Xã Kim Liên, tỉnh Nghệ An",
        "home_town": "Xã Kim Liên, tỉnh Nghệ An",
        "residence": "Số 12, tổ dân phố 3, phường Một",
        "ethnicity": "Kinh",
        "religion": "Không",
        "national_id": "040075000123",
        "phone": "0912345678",
        "education": "12/12",
        "qualification": "Đại học",
        "academic_title": "",
        "theory_level": "Trung cấp",
        "occupation": "Công chức",
        "occupation_category": "CBCC xã",
        "position": "Chuyên viên",
        "is_civil_servant": "x",
        "workplace": "UBND phường Một",
        "is_retired": "",
        "is_youth_union_member": "",
        "is_discharged_soldier": "x",
        "is_private_business_owner": "",
        "married_to_foreigner": "",
        "is_readmitted": "",
        "admitted_on": date(2005, 3, 3),
        "official_on": date(2006, 3, 3),
        "card_number": "12345678",
        "dossier_number": "LL-001",
        "unit": "Chi bộ khu phố 1",
        "placed_on": date(2012, 8, 1),
    }
    required_when_new = ("gender", "birth_date", "admitted_on", "unit")
    template_title = gettext_lazy(
        "DANH SÁCH ĐẢNG VIÊN — điền từ dòng 3; ngày ghi dd/mm/yyyy; “Chi bộ” ghi tên hoặc mã chi bộ"
    )
    file_label = gettext_lazy("Tệp danh sách (.xlsx hoặc .csv)")
    subject_label = gettext_lazy("Họ và tên")
    key_label = gettext_lazy("Số thẻ")
    done_message = gettext_lazy("Đã nhập: %(new)s đảng viên mới, %(updated)s hồ sơ cập nhật.")
    audit_action = "member_import"

    def may_use(self, user) -> bool:
        return sees_everything(user) or bool(role_paths(user, EDIT_KINDS))

    def option_fields(self, user) -> dict:
        cells = _editable_cells(user)
        return {
            "default_unit": forms.TypedChoiceField(
                label=gettext_lazy("Chi bộ cho các dòng không ghi chi bộ"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—")] + [(c.pk, c.name) for c in cells],
            )
        }

    def command_options(self, *, unit: str | None = None) -> dict:
        if not unit:
            return {}
        cell = Unit.objects.filter(code=unit, level__in=CELL_LEVELS).first()
        if cell is None:
            raise ValueError(_("Không có chi bộ mã “%(code)s”.") % {"code": unit})
        return {"default_unit": cell.pk}

    def scope_path(self, actor) -> str:
        paths = [] if _sees_all(actor) else role_paths(actor, EDIT_KINDS)
        return min(paths, key=len) if paths else ""

    # read, checked and written settings.CHIBO_IMPORT_CHUNK_ROWS rows at a
    # time (chibo.imports): a province's roster is never held whole
    streams = True

    def setup(self, ctx: ImportContext) -> None:
        state = ctx.state
        state["cells"] = _Cells(ctx.actor)
        state["default_cell"] = _default_cell(ctx.options.get("default_unit"), ctx.actor)
        state["today"] = date.today()
        # card and CCCD -> the row that first gave it, over the whole file
        state["seen_card"], state["seen_nid"] = {}, {}
        state["analysed"] = 0
        state["units"] = set()  # the cells whose member counts the import changes

    def prepare(self, rows: Iterable[Row], ctx: ImportContext) -> list[MemberRow]:
        # no database here (a worker thread reads a chunk ahead): the cells
        # were loaded by setup and are only looked up
        state = ctx.state
        cells, default_cell, today = state["cells"], state["default_cell"], state["today"]
        return [
            _parse_row(row.number, row.values, ctx.header, cells, default_cell, today)
            for row in rows
        ]

    def analyse(self, rows: list[MemberRow], ctx: ImportContext) -> list[MemberRow]:
        state = ctx.state
        out = list(rows)
        state["analysed"] += len(out)
        ctx.progress(state["analysed"], max(1, ctx.total, state["analysed"]), "analysing")
        _match_and_check(out, ctx.header, ctx.actor, state["seen_card"], state["seen_nid"])
        return out

    def apply(self, rows: list[MemberRow], ctx: ImportContext) -> dict:
        ctx.state["units"] |= roster_write(rows, actor=ctx.actor, reason=ctx.reason)
        return {
            "new": [r.member_id for r in rows if r.outcome == NEW],
            "updated": [r.member.pk for r in rows if r.outcome == UPDATED],
        }

    def finish(self, ctx: ImportContext) -> dict:
        # the bulk inserts send no signals: the member counts of the cells the
        # file wrote to, recomputed from the history in the same transaction
        counts_refresh(ctx.state.get("units", ()))
        return {}


def _editable_cells(user) -> list[Unit]:
    cells = Unit.objects.filter(level__in=CELL_LEVELS, dissolved_on__isnull=True)
    if not sees_everything(user):
        paths = role_paths(user, EDIT_KINDS)
        cells = [c for c in cells if any(c.path.startswith(p) for p in paths)]
    return sorted(cells, key=lambda c: sort_key(c.name))


def _default_cell(pk, actor) -> Unit | None:
    if not pk:
        return None
    cell = Unit.objects.filter(pk=pk, level__in=CELL_LEVELS).first()
    if cell is None:
        return None
    if not _sees_all(actor) and not any(
        cell.path.startswith(p) for p in role_paths(actor, EDIT_KINDS)
    ):
        return None
    return cell


class _Cells:
    """The cells the importer may edit, found by code or by name."""

    def __init__(self, actor):
        cells = Unit.objects.filter(level__in=CELL_LEVELS)
        if not _sees_all(actor):
            paths = role_paths(actor, EDIT_KINDS)
            cells = [c for c in cells if any(c.path.startswith(p) for p in paths)]
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = {}
        for cell in cells:
            if cell.code:
                self.by_code[header_key(cell.code)] = cell
            self.by_name.setdefault(header_key(cell.name), []).append(cell)
        self._found: dict[str, Unit | str] = {}

    def find(self, raw: Any) -> Unit:
        found = self._found.get(raw)
        if found is None:
            text = cell_text(raw)
            found = self._found[raw] = self._look_up(text, header_key(text))
        if isinstance(found, str):
            raise CellError(found)
        return found

    def _look_up(self, text: str, key: str) -> Unit | str:
        if key in self.by_code:
            return self.by_code[key]
        matches = self.by_name.get(key, [])
        active = [c for c in matches if c.dissolved_on is None]
        if len(active) > 1:
            return _("Có %(n)s chi bộ tên “%(name)s” trong phạm vi của bạn; hãy ghi mã chi bộ.") % {
                "n": len(active),
                "name": text,
            }
        if active or matches:
            return (active or matches)[0]
        message = _("Chi bộ “%(name)s” không tìm thấy hoặc không thuộc phạm vi của bạn.") % {
            "name": text
        }
        names = [c.name for cells in self.by_name.values() for c in cells]
        close = closest_unit_names(text, names)
        if close:
            message += " " + _("Có phải: %(names)s?") % {
                "names": ", ".join(f"“{name}”" for name in close)
            }
        return message


def _sees_all(actor) -> bool:
    return actor is None or not getattr(actor, "pk", None) or sees_everything(actor)


def _in_reach(actor, member: Member, paths: list[str] | None) -> bool:
    if paths is None:
        return True
    return member.unit_id is not None and any(member.unit.path.startswith(p) for p in paths)


# --- checking ------------------------------------------------------------------


def _parse_row(number, raw_values, header, cells: _Cells, default_cell, today) -> MemberRow:
    out = MemberRow(row=number)
    for key, raw in raw_values.items():
        if raw is None:
            continue
        try:
            if key == "unit":
                out.cell = cells.find(raw)
            elif key in MASKABLE and is_masked(raw):
                out.masked[key] = masked_tail(raw)  # resolved against the stored number
            elif key == "exemption_reason":
                out.exemption_reason = cell_text(raw)
            elif key in PAST_KEYS:
                setattr(out, key, parse_date(raw))
            else:
                out.values[key] = parse_cell(key, raw)
        except CellError as exc:
            out.error(header(key), exc.message)
    if raw_values.get("unit") is None:
        out.cell = default_cell
    out.name = out.values.get("full_name", "") or cell_text(raw_values.get("full_name"))
    out.key = out.values.get("card_number", "")
    birth = out.values.get("birth_date")
    if birth and younger_than_a_candidate(birth, today):
        out.warn(
            header("birth_date"),
            _("Theo ngày sinh %(birth)s, người này chưa đủ 16 tuổi; hãy kiểm tra lại năm sinh.")
            % {"birth": _d(birth)},
        )
    return out


def _members_by_numbers(rows: list[MemberRow]) -> tuple[dict, dict]:
    """The members the rows name: ({card: Member}, {CCCD: Member}). The
    numbers are looked up first (one query each, ids only); only the members
    found are loaded, once each even when a row names one both ways (a
    re-imported roster), with their cells from one query."""
    by_card = pks_by(Member, "card_number", [r.card for r in rows if r.card])
    by_nid = pks_by(Member, "national_id", [r.values.get("national_id") for r in rows])
    pks = sorted(set(by_card.values()) | set(by_nid.values()))
    loaded: dict[int, Member] = {}
    for i in range(0, len(pks), CHUNK):
        loaded.update((m.pk, m) for m in Member.objects.filter(pk__in=pks[i : i + CHUNK]))
    _share_units(loaded.values())
    return (
        {card: loaded[pk] for card, pk in by_card.items()},
        {nid: loaded[pk] for nid, pk in by_nid.items()},
    )


def _share_units(members) -> None:
    """Give the members their cell from one query, one Unit object per cell
    (select_related would build a Unit for every member)."""
    members = [m for m in members if m.unit_id is not None and "unit" not in m._state.fields_cache]
    units = Unit.objects.in_bulk({m.unit_id for m in members})
    for m in members:
        m.unit = units[m.unit_id]


def _match_and_check(rows: list[MemberRow], header, actor, seen_card, seen_nid) -> None:
    """Match each row to a member and check it. Members are loaded a few
    thousand rows at a time and only those with changes are kept, so a
    re-imported 100,000-row roster never holds every member at once.
    `seen_card` and `seen_nid` ({number: row}) are the file's rows so far,
    earlier chunks included: a repeat is an error, even of a row already
    written."""
    paths = None if _sees_all(actor) else role_paths(actor, EDIT_KINDS)
    for i in range(0, len(rows), CHUNK * 5):
        _match_chunk(rows[i : i + CHUNK * 5], header, actor, paths, seen_card, seen_nid)


MASKABLE = ("national_id", "card_number")


def _unmask(rows, header) -> None:
    """Rows whose CCCD or card cell is masked ("••••1234", a masked export
    read back): the member is the one with that name (and birth date, when
    the row gives it) whose stored numbers end with the digits kept, and the
    row then carries the stored numbers, so nothing is overwritten with the
    mask and no one is created twice. No such member, or more than one: the
    row is refused with a message."""
    masked = [r for r in rows if r.masked]
    if not masked:
        return
    names = {r.name for r in masked if r.name}
    found: dict[str, list[Member]] = {}
    names_list = sorted(names)
    for i in range(0, len(names_list), CHUNK):
        for m in Member.objects.filter(full_name__in=names_list[i : i + CHUNK]):
            found.setdefault(m.full_name, []).append(m)
    for r in masked:
        birth = r.values.get("birth_date")
        real_card = r.values.get("card_number") or r.key
        real_nid = r.values.get("national_id")

        def fits(m, r=r, birth=birth, real_card=real_card, real_nid=real_nid):
            if birth and m.birth_date != birth:
                return False
            if real_card and "card_number" not in r.masked and m.card_number != real_card:
                return False
            if real_nid and "national_id" not in r.masked and m.national_id != real_nid:
                return False
            return all(
                getattr(m, key) and getattr(m, key).endswith(tail) for key, tail in r.masked.items()
            )

        matches = [m for m in found.get(r.name, []) if fits(m)]
        if len(matches) != 1:
            key = next(iter(r.masked))
            r.error(
                header(key),
                _(
                    "Ô này là số đã che (“…%(tail)s”) nên không dùng được để nhận ra đảng "
                    "viên: %(why)s. Hãy ghi số đầy đủ (xuất tệp có đầy đủ số) hoặc để trống ô."
                )
                % {
                    "tail": r.masked[key],
                    "why": _("không có đảng viên nào tên %(name)s có số như vậy") % {"name": r.name}
                    if not matches
                    else _("có nhiều đảng viên tên %(name)s có số như vậy") % {"name": r.name},
                },
            )
            continue
        member = matches[0]
        if "national_id" in r.masked:
            r.values["national_id"] = member.national_id
        if "card_number" in r.masked:
            r.values["card_number"] = member.card_number
            r.key = member.card_number


def _match_chunk(rows, header, actor, paths, seen_card, seen_nid) -> None:
    _unmask(rows, header)
    by_card, by_nid = _members_by_numbers(rows)
    recorded = _recorded_past(
        [
            m.pk
            for r in rows
            if r.placed_on or r.exempt_on
            for m in (by_card.get(r.card), by_nid.get(r.values.get("national_id")))
            if m is not None
        ]
    )
    starts = _first_rows(
        list(
            {
                m.pk
                for r in rows
                for m in (by_card.get(r.card), by_nid.get(r.values.get("national_id")))
                if m is not None and m.status in (Status.PROBATIONARY, Status.OFFICIAL)
            }
        )
    )
    for r in rows:
        card = r.card
        nid = r.values.get("national_id")
        if card:
            if card in seen_card:
                r.error(
                    header("card_number"),
                    _("Số thẻ đảng viên %(card)s trùng với dòng %(row)s.")
                    % {"card": card, "row": seen_card[card]},
                )
            else:
                seen_card[card] = r.row
        if nid:
            if nid in seen_nid:
                r.error(
                    header("national_id"),
                    _("Số CCCD %(nid)s trùng với dòng %(row)s.")
                    % {"nid": nid, "row": seen_nid[nid]},
                )
            else:
                seen_nid[nid] = r.row
        m_card = by_card.get(card) if card else None
        m_nid = by_nid.get(nid) if nid else None
        member = m_card or m_nid
        if member is not None and not _in_reach(actor, member, paths):
            column = header("card_number") if m_card else header("national_id")
            r.error(
                column,
                _("%(what)s đã được dùng cho một đảng viên ngoài phạm vi của bạn.")
                % {
                    "what": _("Số thẻ đảng viên %(v)s") % {"v": card}
                    if m_card
                    else _("Số CCCD %(v)s") % {"v": nid}
                },
            )
        elif m_card and m_nid and m_card.pk != m_nid.pk:
            r.error(
                header("national_id"),
                _("Số CCCD %(nid)s đã được dùng cho đảng viên khác (%(name)s).")
                % {"nid": nid, "name": m_nid.full_name if _in_reach(actor, m_nid, paths) else "…"},
            )
        elif m_nid and not m_card and card and m_nid.card_number:
            r.error(
                header("card_number"),
                _(
                    "Số CCCD %(nid)s thuộc đảng viên %(name)s có số thẻ %(card)s, "
                    "khác số thẻ trong tệp."
                )
                % {"nid": nid, "name": m_nid.full_name, "card": m_nid.card_number},
            )
        elif member is not None:
            _check_update(r, member, header)
            if not r.errors:
                _check_fill(r, member, starts.get(member.pk))
            _check_recorded_past(r, member, header, recorded)
        else:
            _check_new(r, header)
        r.outcome = (
            ERROR
            if r.errors
            else (NEW if member is None else UPDATED if r.changes or r.fill else UNCHANGED)
        )
        if r.outcome == UPDATED:
            r.member = member
        elif r.outcome != NEW:
            r.values = {}  # nothing to write: let the member and the values go


def _check_dates(r: MemberRow, header, birth, admitted, official, *, check_age=True) -> None:
    if admitted and official and official < admitted:
        r.error(
            header("official_on"),
            _("Ngày chính thức (%(official)s) trước ngày vào Đảng (%(admitted)s).")
            % {"official": _d(official), "admitted": _d(admitted)},
        )
    if birth and admitted and admitted < birth:
        r.error(header("admitted_on"), _("Ngày vào Đảng trước ngày sinh."))
    elif check_age and birth and admitted and not old_enough_for_admission(birth, admitted):
        # most often a mistyped year of birth or of admission
        r.error(
            header("admitted_on"),
            _("Ngày vào Đảng (%(admitted)s) khi chưa đủ 18 tuổi (sinh ngày %(birth)s).")
            % {"admitted": _d(admitted), "birth": _d(birth)},
        )


def _check_new(r: MemberRow, header) -> None:
    v = r.values
    for key in ("full_name", "gender", "birth_date", "admitted_on"):
        if not v.get(key) and not r.has_error(header(key)):
            r.error(
                header(key),
                _("Thiếu “%(column)s” (bắt buộc khi thêm đảng viên mới).")
                % {"column": header(key)},
            )
    if r.cell is None and not r.has_error(header("unit")):
        r.error(header("unit"), _("Thiếu chi bộ (bắt buộc khi thêm đảng viên mới)."))
    for problem in past_problems(
        birth_date=v.get("birth_date"),
        admitted_on=v.get("admitted_on"),
        official_on=v.get("official_on"),
        placed_on=r.placed_on,
        exempt_on=r.exempt_on,
    ):
        (r.warn if problem.warning else r.error)(header(problem.field), problem.message)
    if r.exemption_reason and not r.exempt_on:
        r.error(
            header("exempt_on"),
            _("Có lý do miễn sinh hoạt nhưng thiếu “%(column)s”.")
            % {"column": header("exempt_on")},
        )
    dates_ok = not r.errors or not any(
        r.has_error(header(k)) for k in ("admitted_on", "official_on", "placed_on")
    )
    if r.cell is not None and v.get("admitted_on") and dates_ok:
        try:
            validate_cell(r.cell, _past(r).placed_on)  # remembered on the row for roster_write
        except ServiceError as exc:
            column = header("placed_on") if r.placed_on else header("unit")
            r.error(column, " ".join(exc.messages))
        else:
            if not r.placed_on and r.cell.founded_on > v["admitted_on"]:
                r.notes.append(
                    _("Sinh hoạt tại %(cell)s từ ngày thành lập chi bộ (%(day)s)")
                    % {"cell": r.cell.name, "day": _d(r.cell.founded_on)}
                )


def _past(r: MemberRow) -> Past:
    """The new member's past, from the row's dates (members.services.reconstruct_past),
    worked out once per row."""
    if r.past is None:
        r.past = reconstruct_past(
            admitted_on=r.values["admitted_on"],
            official_on=r.values.get("official_on"),
            founded_on=r.cell.founded_on,
            placed_on=r.placed_on,
            exempt_on=r.exempt_on,
        )
    return r.past


_AGE_WORDS = {"tuoi"}  # "tuổi cao"
_HEALTH_WORDS = {"khoe", "benh", "om", "yeu"}  # "sức khỏe yếu", "bệnh", "ốm đau"


def _exemption_reason(r: MemberRow) -> tuple[str, str]:
    """(Exemption.Reason, note) from what the sheet wrote, or by age if nothing."""
    text = r.exemption_reason
    words = set(fold(text).replace(",", " ").split())
    if words & _AGE_WORDS:
        return Exemption.Reason.AGE, ""
    if words & _HEALTH_WORDS:
        return Exemption.Reason.HEALTH, ""
    if text:
        return Exemption.Reason.OTHER, text
    v = r.values
    return exemption_reason_for(v["gender"], v["birth_date"], r.exempt_on), ""


def _check_update(r: MemberRow, member: Member, header) -> None:
    if r.cell is not None and r.cell.pk != member.unit_id:
        r.error(
            header("unit"),
            _(
                "%(name)s đang sinh hoạt tại “%(current)s”; chuyển sinh hoạt phải làm theo "
                "thủ tục chuyển sinh hoạt, không qua nhập tệp."
            )
            % {"name": member.full_name, "current": member.unit.name if member.unit_id else "—"},
        )
    for key, value in r.values.items():
        old = getattr(member, key)
        if (old or "") != (value or ""):
            r.changes[key] = (old, value)
    if "official_on" in r.changes and member.status == Status.PROBATIONARY:
        r.error(
            header("official_on"),
            _(
                "%(name)s đang là đảng viên dự bị; công nhận chính thức phải làm theo thủ tục "
                "công nhận, không qua nhập tệp."
            )
            % {"name": member.full_name},
        )
    merged = {k: r.values.get(k, getattr(member, k)) for k in DATE_FIELDS | {"birth_date"}}
    # the age at admission only when the file changes it: a member already
    # kept with it must still re-import unchanged
    _check_dates(
        r,
        header,
        merged["birth_date"],
        merged["admitted_on"],
        merged["official_on"],
        check_age=bool({"birth_date", "admitted_on"} & set(r.changes)),
    )


def _recorded_past(member_ids: list[int]) -> dict[int, tuple[set, set]]:
    """{member id: (first days of their open permanent placements, first days
    of their exemptions)}, for comparing a kept member with the sheet's dates."""
    out: dict[int, tuple[set, set]] = {pk: (set(), set()) for pk in member_ids}
    for i in range(0, len(member_ids), CHUNK):
        chunk = member_ids[i : i + CHUNK]
        for pk, day in Placement.objects.filter(
            member_id__in=chunk, kind=PlacementKind.PERMANENT, valid_to__isnull=True
        ).values_list("member_id", "valid_from"):
            out[pk][0].add(day)
        for pk, day in Exemption.objects.filter(member_id__in=chunk).values_list(
            "member_id", "valid_from"
        ):
            out[pk][1].add(day)
    return out


@dataclass(slots=True, frozen=True)
class _First:
    """The first status period and permanent placement of a kept member."""

    status: str
    status_from: date
    placed_from: date
    cell: Unit
    reason: str


def _first_rows(member_ids: list[int]) -> dict[int, _First]:
    """{member id: _First} of the members with both, as plain values (a
    re-imported province loads 100,000 of them)."""
    statuses: dict[int, tuple] = {}
    placements: dict[int, tuple] = {}
    for i in range(0, len(member_ids), CHUNK):
        chunk = member_ids[i : i + CHUNK]
        for pk, *rest in (
            StatusPeriod.objects.filter(member_id__in=chunk)
            .order_by("member_id", "valid_from")
            .values_list("member_id", "status", "valid_from")
        ):
            statuses.setdefault(pk, rest)
        for pk, *rest in (
            Placement.objects.filter(member_id__in=chunk, kind=PlacementKind.PERMANENT)
            .order_by("member_id", "valid_from")
            .values_list("member_id", "valid_from", "unit_id", "reason")
        ):
            placements.setdefault(pk, rest)
    units = Unit.objects.in_bulk({p[1] for p in placements.values()})
    return {
        pk: _First(st, st_from, p_from, units[unit_id], reason)
        for pk, (st, st_from) in statuses.items()
        if pk in placements
        for p_from, unit_id, reason in [placements[pk]]
    }


ENTERED = "Nhập hồ sơ"  # the reason of the first placement member_create writes


def _check_fill(r: MemberRow, member: Member, first) -> None:
    """A member entered before chibo reconstructed the past (member_create,
    or this import before it did) is recorded only from the day they became
    what they were then: the official date, or the cell's founding. The row's
    dates tell what came before; it is written as the past of a new member
    would be, ending on that day, and the kept rows stay as they are. Only a
    history of exactly that shape is completed, so a second import of the same
    file finds nothing to add."""
    if first is None:
        return
    day = first.status_from
    admitted = r.values.get("admitted_on", member.admitted_on)
    official = r.values.get("official_on", member.official_on)
    cell = first.cell
    if not admitted or admitted >= day or first.placed_from != day:
        return
    if first.reason != _(ENTERED) or cell.pk != member.unit_id:
        return
    if day != max(official or admitted, cell.founded_on):
        return
    then = Status.OFFICIAL if official and official <= day else Status.PROBATIONARY
    if first.status != then:
        return
    if any(
        not p.warning
        for p in past_problems(
            birth_date=r.values.get("birth_date", member.birth_date),
            admitted_on=admitted,
            official_on=official,
            placed_on=r.placed_on,
        )
    ):
        return
    past = reconstruct_past(
        admitted_on=admitted,
        official_on=official,
        founded_on=cell.founded_on,
        placed_on=r.placed_on,
    )
    r.fill = (past, day, cell)
    parts = [
        _("%(status)s từ %(day)s") % {"status": Status(st).label.lower(), "day": _d(start)}
        for st, start, _end in past.statuses
        if start < day
    ]
    if past.placed_on < day:
        parts.append(
            _("sinh hoạt tại %(cell)s từ %(day)s") % {"cell": cell.name, "day": _d(past.placed_on)}
        )
    r.notes.append(
        _("Bổ sung quá trình trước ngày %(day)s theo dữ liệu nhập: %(parts)s")
        % {"day": _d(day), "parts": ", ".join(parts)}
    )


def _fill_rows(r: MemberRow, user_id) -> tuple[list[dict], list[dict]]:
    """The status and placement rows that complete a kept member's past (_check_fill)."""
    past, day, cell = r.fill
    statuses, placements, _e = past_rows(
        past, member_id=r.member.pk, unit_id=cell.pk, user_id=user_id
    )
    statuses = [
        {**row, "valid_to": min(row["valid_to"] or day, day)}
        for row in statuses
        if row["valid_from"] < day
    ]
    placements = [{**row, "valid_to": day} for row in placements if row["valid_from"] < day]
    return statuses, placements


def _check_recorded_past(r: MemberRow, member: Member, header, recorded) -> None:
    """A kept member's placement and exemption are lifecycle steps: a sheet
    whose dates differ from them changes nothing, and says so."""
    placed, exempt = recorded.get(member.pk, (set(), set()))
    if r.fill and r.placed_on and r.fill[0].placed_on == r.placed_on:
        placed = {r.placed_on}  # the completed past starts on it
    if r.placed_on and r.placed_on not in placed:
        r.warn(
            header("placed_on"),
            _(
                "%(name)s sinh hoạt tại chi bộ hiện tại từ %(since)s theo hồ sơ đã có; ngày "
                "trong tệp không làm thay đổi quá trình sinh hoạt."
            )
            % {"name": member.full_name, "since": ", ".join(_d(d) for d in sorted(placed)) or "—"},
        )
    if r.exempt_on and r.exempt_on not in exempt:
        r.warn(
            header("exempt_on"),
            _(
                "Hồ sơ đã có của %(name)s không ghi miễn sinh hoạt từ ngày %(day)s; miễn sinh "
                "hoạt phải làm theo thủ tục, không qua nhập tệp."
            )
            % {"name": member.full_name, "day": _d(r.exempt_on)},
        )


# --- writing -------------------------------------------------------------------


def roster_write(
    rows: list[MemberRow], *, actor, reason: str, progress: Progress | None = None
) -> set[int]:
    """Create the new members and update the changed ones, in bulk: what
    the roster writes, inside the pipeline's transaction. Returns the cells
    whose member counts changed: the bulk inserts send no signals, so the
    caller refreshes them (members.counts.counts_refresh), once per import."""
    user = actor if getattr(actor, "pk", None) else None
    new_rows = [r for r in rows if r.outcome == NEW]
    updated = [r for r in rows if r.outcome == UPDATED]
    total = len(new_rows) + len(updated)
    done = 0
    member_defaults = {
        f.attname: f.get_default()
        for f in Member._meta.concrete_fields
        if not f.primary_key and f.attname != "created_at"
    }
    for i in range(0, len(new_rows), CHUNK * 5):
        chunk = new_rows[i : i + CHUNK * 5]
        rows, pasts = [], []
        for r in chunk:
            pasts.append(_past(r))
            name = normalize(r.values["full_name"])
            rows.append(
                {
                    **member_defaults,
                    **r.values,
                    "full_name": name,
                    "sort_key": sort_key(name),
                    "search_name": fold(name),
                    "unit_id": r.cell.pk,
                    "status": pasts[-1].status,
                    "is_exempt": r.exempt_on is not None,
                }
            )
        ids = _insert_members(rows, user=user, reason=reason)
        statuses, placements, exemptions = [], [], []
        user_id = user.pk if user else None
        note = str(RECONSTRUCTED)
        for r, past, pk in zip(chunk, pasts, ids, strict=True):
            r.member_id = pk
            reason_code, exemption_note = _exemption_reason(r) if r.exempt_on else ("", "")
            s_rows, p_rows, e_rows = past_rows(
                past,
                member_id=pk,
                unit_id=r.cell.pk,
                user_id=user_id,
                exemption_reason=reason_code,
                exemption_note=exemption_note,
                note=note,
            )
            statuses += s_rows
            placements += p_rows
            exemptions += e_rows
        _insert(StatusPeriod, statuses)
        _insert(Placement, placements)
        if exemptions:
            _insert(Exemption, exemptions)
        done += len(chunk)
        if progress:
            progress(done, total, "running")
    if updated:
        fields: set[str] = set()
        events = []
        filled_statuses, filled_placements = [], []
        for r in updated:
            m = r.member
            if r.fill:
                s_rows, p_rows = _fill_rows(r, user.pk if user else None)
                filled_statuses += s_rows
                filled_placements += p_rows
            for key, (_old, new) in r.changes.items():
                setattr(m, key, new)
                fields.add(key)
            if "full_name" in r.changes:
                m.sort_key = sort_key(m.full_name)
                m.search_name = fold(m.full_name)
                fields |= {"sort_key", "search_name"}
            events.append(
                AuditEvent(
                    actor=user,
                    action="member_update",
                    target_type="members.member",
                    target_id=m.pk,
                    unit_path=m.unit.path if m.unit_id else "",
                    summary=_("Cập nhật hồ sơ %(name)s từ tệp: %(fields)s")
                    % {
                        "name": m.full_name,
                        "fields": ", ".join(
                            [str(Member._meta.get_field(k).verbose_name) for k in r.changes]
                            + ([_("quá trình trước khi nhập")] if r.fill else [])
                        ),
                    },
                    data={
                        "import": reason,
                        "changes": {k: [shown(a), shown(b)] for k, (a, b) in r.changes.items()},
                        **({"past": r.notes[-1]} if r.fill else {}),
                    },
                )
            )
        changed = [r.member for r in updated if r.changes]
        if changed:
            bulk_update_with_history(
                changed,
                Member,
                sorted(fields),
                batch_size=CHUNK,
                default_user=user,
                default_change_reason=reason,
            )
        if filled_statuses:
            _insert(StatusPeriod, filled_statuses)
        if filled_placements:
            _insert(Placement, filled_placements)
        AuditEvent.objects.bulk_create(events, batch_size=CHUNK)
        if progress:
            progress(total, total, "running")
    return {r.cell.pk for r in new_rows if r.cell is not None} | units_of_members(
        r.member.pk for r in updated if r.member is not None
    )


# Bulk inserts. On PostgreSQL rows go in with COPY, several times faster than
# bulk_create's INSERTs at this size (Django prepares each of the ~30 values of
# each row in Python); ids are taken from the sequence first so the history,
# placement and status rows can point at the new members. Elsewhere (SQLite in
# development and tests) plain bulk_create, with simple_history's helper.


def _insert_members(rows: list[dict], *, user, reason: str) -> list[int]:
    """Insert members given as {attname: value} with their first history
    record; returns their ids in order."""
    if connection.vendor != "postgresql":
        members = [Member(**row) for row in rows]
        bulk_create_with_history(
            members, Member, batch_size=CHUNK, default_user=user, default_change_reason=reason
        )
        if any(m.pk is None for m in members):  # a database that does not return ids
            ids = dict(
                Member.objects.filter(
                    card_number__in=[m.card_number for m in members if m.card_number]
                ).values_list("card_number", "pk")
            )
            for m in members:
                m.pk = ids.get(m.card_number)
        return [m.pk for m in members]
    now = timezone.now()
    ids = reserve_ids(Member, len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
        row["created_at"] = now
    _insert(Member, rows, with_pk=True)
    history = Member.history.model
    special = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": user.pk if user else None,
    }
    columns = [f for f in history._meta.concrete_fields if not f.primary_key]
    copy_rows(
        history._meta.db_table,
        [f.column for f in columns],
        (
            [special[f.attname] if f.attname in special else row[f.attname] for f in columns]
            for row in rows
        ),
    )
    return ids


def _insert(model, rows: list[dict], *, with_pk: bool = False) -> None:
    """Insert rows given as {attname: value}; the model's defaults fill the rest."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=CHUNK)
        return
    copy_insert(model, rows, with_pk=with_pk)
