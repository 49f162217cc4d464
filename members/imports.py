"""Importing member rosters from spreadsheets: parse → check every row →
preview → apply.

    batch = import_start(actor=user, file_name="ds.xlsx", data=b"...", options={...})
    import_preview(batch)        # reads and checks, writes nothing but the batch
    import_apply(batch)          # checks again against the database of now, then writes

    import_file(actor=..., file_name=..., data=..., dry_run=..., skip_invalid=...)
                                  # both at once: the management command and the bench

Rules (issue 4):
- Rows are matched to existing members by card number, then by national ID
  (CCCD), never by name. A matched member outside the importer's reach is
  an error; so is a CCCD that belongs to another member than the card.
- "Chi bộ" is matched to a cell the importer may edit, by code or by name
  ignoring case and diacritics; a cell that does not exist and a cell
  outside the importer's reach get the same message, so nothing leaks.
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
- All-or-nothing by default; `skip_invalid` writes the valid rows only.
- Every import is an ImportBatch (who, when, which file, each row's outcome)
  plus an audit record "member_import".
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from chibo.audit import audit_record
from chibo.errors import ServiceError
from chibo.models import AuditEvent, ImportBatch
from chibo.spreadsheets import (
    CellError,
    Sheet,
    SpreadsheetError,
    build_xlsx,
    cell_text,
    estimate_rows,
    header_key,
    read_sheet,
)
from chibo.tasks import import_progress
from chibo.text import fold, normalize, sort_key
from members.choices import PlacementKind, Status
from members.models import Member, Placement, StatusPeriod
from members.resources import DATE_FIELDS, MEMBER_COLUMNS, parse_cell
from members.rules import old_enough_for_admission
from members.services import validate_cell
from organizations.models import CELL_LEVELS, Role, Unit
from organizations.selectors import role_paths, sees_everything

NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"
OUTCOME_LABELS = {
    NEW: gettext_lazy("Thêm mới"),
    UPDATED: gettext_lazy("Cập nhật"),
    UNCHANGED: gettext_lazy("Không đổi"),
    ERROR: gettext_lazy("Lỗi"),
}
EDIT_KINDS = (Role.Kind.ADMIN, Role.Kind.STAFF)
CHUNK = 1000
_LABELS = {c.key: c.label for c in MEMBER_COLUMNS}

Progress = Callable[[int, int, str], None]


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _shown(value: Any) -> Any:
    if isinstance(value, date):
        return _d(value)
    if value is None:
        return ""
    return value


@dataclass(slots=True)
class RowOutcome:
    row: int
    outcome: str = ""
    name: str = ""
    card: str = ""
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # [(column header, message)]
    changes: dict = field(default_factory=dict)  # {field: (old, new)}
    member: Member | None = None
    member_id: int | None = None  # a member this import created
    cell: Unit | None = None

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def as_json(self) -> dict:
        out: dict[str, Any] = {"row": self.row, "outcome": self.outcome, "name": self.name}
        if self.card:
            out["card"] = self.card
        if self.changes:
            out["changes"] = {
                _LABELS[k]: [_shown(a), _shown(b)] for k, (a, b) in self.changes.items()
            }
        if self.errors:
            out["errors"] = [{"column": c, "message": m} for c, m in self.errors]
        return out


@dataclass
class Report:
    rows: list[RowOutcome]
    headers: dict[str, str]
    header_row: int

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def error_list(self) -> list[dict]:
        return [{"row": r.row, "column": c, "message": m} for r in self.rows for c, m in r.errors]


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
        return _("Chi bộ “%(name)s” không tìm thấy hoặc không thuộc phạm vi của bạn.") % {
            "name": text
        }


def _sees_all(actor) -> bool:
    return actor is None or not getattr(actor, "pk", None) or sees_everything(actor)


def _in_reach(actor, member: Member, paths: list[str] | None) -> bool:
    if paths is None:
        return True
    return member.unit_id is not None and any(member.unit.path.startswith(p) for p in paths)


# --- checking ------------------------------------------------------------------


def analyse(
    data: bytes,
    *,
    actor,
    default_cell: Unit | None = None,
    progress: Progress | None = None,
) -> Report:
    """Read and check every row against the database; writes nothing.
    Raises SpreadsheetError when the file as a whole cannot be read."""
    sheet = read_sheet(data, columns=MEMBER_COLUMNS)
    total = max(1, estimate_rows(data))
    header = _headers(sheet)
    cells = _Cells(actor)
    rows: list[RowOutcome] = []
    limit = getattr(settings, "CHIBO_MAX_IMPORT_ROWS", 200_000)
    for row in sheet.rows:
        rows.append(_parse_row(row.number, row.values, header, cells, default_cell))
        if len(rows) > limit:
            raise SpreadsheetError(
                _("Tệp có hơn %(n)s dòng; hãy chia thành nhiều tệp.") % {"n": f"{limit:,}"}
            )
        if progress and len(rows) % CHUNK == 0:
            progress(len(rows), total, "analysing")
    if not rows:
        raise SpreadsheetError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    _match_and_check(rows, header, actor)
    if progress:
        progress(len(rows), len(rows), "analysing")
    return Report(rows=rows, headers=sheet.headers, header_row=sheet.header_row)


def _headers(sheet: Sheet) -> Callable[[str], str]:
    def header(key: str) -> str:
        return sheet.header_for(key, MEMBER_COLUMNS)

    return header


def _parse_row(number, raw_values, header, cells: _Cells, default_cell) -> RowOutcome:
    out = RowOutcome(row=number)
    for key, raw in raw_values.items():
        if raw is None:
            continue
        try:
            if key == "unit":
                out.cell = cells.find(raw)
            else:
                out.values[key] = parse_cell(key, raw)
        except CellError as exc:
            out.error(header(key), exc.message)
    if raw_values.get("unit") is None:
        out.cell = default_cell
    out.name = out.values.get("full_name", "") or cell_text(raw_values.get("full_name"))
    out.card = out.values.get("card_number", "")
    return out


def _members_by(field_name: str, keys: list[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        for m in Member.objects.filter(**{f"{field_name}__in": chunk}):
            found[getattr(m, field_name)] = m
    _share_units(found.values())
    return found


def _share_units(members) -> None:
    """Give the members their cell from one query, one Unit object per cell
    (select_related would build a Unit for every member)."""
    members = [m for m in members if m.unit_id is not None and "unit" not in m._state.fields_cache]
    units = Unit.objects.in_bulk({m.unit_id for m in members})
    for m in members:
        m.unit = units[m.unit_id]


def _members_by_nid(nids: list[str], by_card: dict[str, Member]) -> dict[str, Member]:
    """Members by CCCD, reusing those already loaded by card (a re-imported
    roster matches the same member both ways: load it once)."""
    loaded = {m.pk: m for m in by_card.values()}
    pks: dict[str, int] = {}
    for i in range(0, len(nids), CHUNK * 5):
        chunk = nids[i : i + CHUNK * 5]
        pks.update(Member.objects.filter(national_id__in=chunk).values_list("national_id", "pk"))
    missing = [pk for pk in pks.values() if pk not in loaded]
    for i in range(0, len(missing), CHUNK):
        for m in Member.objects.filter(pk__in=missing[i : i + CHUNK]):
            loaded[m.pk] = m
    _share_units(loaded.values())
    return {nid: loaded[pk] for nid, pk in pks.items()}


def _match_and_check(rows: list[RowOutcome], header, actor) -> None:
    """Match each row to a member and check it. Members are loaded a few
    thousand rows at a time and only those with changes are kept, so a
    re-imported 100,000-row roster never holds every member at once."""
    paths = None if _sees_all(actor) else role_paths(actor, EDIT_KINDS)
    seen_card: dict[str, int] = {}
    seen_nid: dict[str, int] = {}
    for i in range(0, len(rows), CHUNK * 5):
        _match_chunk(rows[i : i + CHUNK * 5], header, actor, paths, seen_card, seen_nid)


def _match_chunk(rows, header, actor, paths, seen_card, seen_nid) -> None:
    by_card = _members_by("card_number", [r.card for r in rows if r.card])
    by_nid = _members_by_nid(
        [r.values["national_id"] for r in rows if r.values.get("national_id")], by_card
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
        else:
            _check_new(r, header)
        r.outcome = (
            ERROR if r.errors else (NEW if member is None else UPDATED if r.changes else UNCHANGED)
        )
        if r.outcome == UPDATED:
            r.member = member
        elif r.outcome != NEW:
            r.values = {}  # nothing to write: let the member and the values go


def _check_dates(r: RowOutcome, header, birth, admitted, official, *, check_age=True) -> None:
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


def _check_new(r: RowOutcome, header) -> None:
    v = r.values
    for key in ("full_name", "gender", "birth_date", "admitted_on"):
        if not v.get(key) and not any(c == header(key) for c, _m in r.errors):
            r.error(
                header(key),
                _("Thiếu “%(column)s” (bắt buộc khi thêm đảng viên mới).")
                % {"column": header(key)},
            )
    if r.cell is None and not any(c == header("unit") for c, _m in r.errors):
        r.error(header("unit"), _("Thiếu chi bộ (bắt buộc khi thêm đảng viên mới)."))
    _check_dates(r, header, v.get("birth_date"), v.get("admitted_on"), v.get("official_on"))
    if r.cell is not None and v.get("admitted_on"):
        try:
            validate_cell(r.cell, _since(r))
        except ServiceError as exc:
            r.error(header("unit"), " ".join(exc.messages))


def _since(r: RowOutcome) -> date:
    """The day the member's first status and placement start: the day they
    became what they are now, or the founding of the cell if that is later."""
    start = r.values.get("official_on") or r.values["admitted_on"]
    return max(start, r.cell.founded_on)


def _check_update(r: RowOutcome, member: Member, header) -> None:
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


# --- writing -------------------------------------------------------------------


def _write(report: Report, *, actor, reason: str, progress: Progress | None) -> None:
    """Create the new members and update the changed ones, in bulk."""
    user = actor if getattr(actor, "pk", None) else None
    new_rows = [r for r in report.rows if r.outcome == NEW]
    updated = [r for r in report.rows if r.outcome == UPDATED]
    total = len(new_rows) + len(updated)
    done = 0
    placement_reason = _("Nhập hồ sơ")
    member_defaults = {
        f.attname: f.get_default()
        for f in Member._meta.concrete_fields
        if not f.primary_key and f.attname != "created_at"
    }
    for i in range(0, len(new_rows), CHUNK * 5):
        chunk = new_rows[i : i + CHUNK * 5]
        rows = []
        for r in chunk:
            name = normalize(r.values["full_name"])
            rows.append(
                {
                    **member_defaults,
                    **r.values,
                    "full_name": name,
                    "sort_key": sort_key(name),
                    "search_name": fold(name),
                    "unit_id": r.cell.pk,
                    "status": Status.OFFICIAL
                    if r.values.get("official_on")
                    else Status.PROBATIONARY,
                }
            )
        ids = _insert_members(rows, user=user, reason=reason)
        statuses, placements = [], []
        user_id = user.pk if user else None
        for r, row, pk in zip(chunk, rows, ids, strict=True):
            since = _since(r)
            r.member_id = pk
            statuses.append(
                {
                    "member_id": pk,
                    "status": row["status"],
                    "valid_from": since,
                    "created_by_id": user_id,
                }
            )
            placements.append(
                {
                    "member_id": pk,
                    "unit_id": r.cell.pk,
                    "kind": PlacementKind.PERMANENT,
                    "valid_from": since,
                    "reason": placement_reason,
                    "created_by_id": user_id,
                }
            )
        _insert(StatusPeriod, statuses)
        _insert(Placement, placements)
        done += len(chunk)
        if progress:
            progress(done, total, "running")
    if updated:
        fields: set[str] = set()
        events = []
        for r in updated:
            m = r.member
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
                            str(Member._meta.get_field(k).verbose_name) for k in r.changes
                        ),
                    },
                    data={
                        "import": reason,
                        "changes": {k: [_shown(a), _shown(b)] for k, (a, b) in r.changes.items()},
                    },
                )
            )
        bulk_update_with_history(
            [r.member for r in updated],
            Member,
            sorted(fields),
            batch_size=CHUNK,
            default_user=user,
            default_change_reason=reason,
        )
        AuditEvent.objects.bulk_create(events, batch_size=CHUNK)
        if progress:
            progress(total, total, "running")


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
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [Member._meta.db_table, Member._meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
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
    _copy_rows(
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
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    defaults = {
        f.attname: now if getattr(f, "auto_now_add", False) else f.get_default() for f in fields
    }
    json_fields = [f for f in fields if f.get_internal_type() == "JSONField"]
    pick = operator.itemgetter(*[f.attname for f in fields])

    def values(row: dict) -> tuple:
        full = {**defaults, **row}
        for f in json_fields:
            full[f.attname] = f.get_db_prep_save(full[f.attname], connection)
        return pick(full)

    _copy_rows(model._meta.db_table, [f.column for f in fields], map(values, rows))


def _copy_rows(table: str, columns: list[str], rows) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


# --- batches -------------------------------------------------------------------


def import_start(*, actor, file_name: str, data: bytes, options: dict | None = None) -> ImportBatch:
    """Record an upload (nothing is read yet)."""
    user = actor if getattr(actor, "pk", None) else None
    paths = [] if _sees_all(actor) else role_paths(actor, EDIT_KINDS)
    return ImportBatch.objects.create(
        kind=ImportBatch.Kind.MEMBERS,
        created_by=user,
        file_name=(file_name or "tep-tai-len")[:255],
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        options=options or {},
        status=ImportBatch.Status.ANALYSING,
        total_rows=estimate_rows(data),
        unit_path=min(paths, key=len) if paths else "",
    )


def _actor(batch: ImportBatch):
    return batch.created_by


def _default_cell(batch: ImportBatch, actor) -> Unit | None:
    pk = batch.options.get("default_unit")
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


def _progress_of(batch: ImportBatch, progress: Progress | None) -> Progress:
    def report(done: int, total: int, phase: str) -> None:
        import_progress(batch.pk, done, total, phase)
        if progress:
            progress(done, total, phase)

    return report


def _store(batch: ImportBatch, report: Report) -> None:
    batch.total_rows = len(report.rows)
    batch.processed_rows = len(report.rows)
    batch.new_count = report.count(NEW)
    batch.updated_count = report.count(UPDATED)
    batch.unchanged_count = report.count(UNCHANGED)
    batch.error_count = report.count(ERROR)
    batch.errors = report.error_list()
    batch.result = {
        "header_row": report.header_row,
        "headers": report.headers,
        "rows": [r.as_json() for r in report.rows],
    }


def _save(batch: ImportBatch) -> None:
    """Save what the work changed, not the file (megabytes) again."""
    keep = ("id", "content", "created_at", "created_by")
    batch.save(
        update_fields=[f.name for f in ImportBatch._meta.concrete_fields if f.name not in keep]
    )


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.FAILED
    batch.message = message
    batch.finished_at = timezone.now()
    _save(batch)
    return batch


def import_preview(batch: ImportBatch, *, progress: Progress | None = None) -> ImportBatch:
    """Check every row and keep the outcome on the batch; writes no member."""
    actor = _actor(batch)
    try:
        report = analyse(
            bytes(batch.content),
            actor=actor,
            default_cell=_default_cell(batch, actor),
            progress=_progress_of(batch, progress),
        )
    except SpreadsheetError as exc:
        return _fail(batch, exc.message)
    _store(batch, report)
    batch.status = ImportBatch.Status.PREVIEWED
    batch.message = ""
    _save(batch)
    return batch


def import_apply(
    batch: ImportBatch, *, actor=None, progress: Progress | None = None
) -> ImportBatch:
    """Check again (the database may have changed since the preview), then
    write: everything, or nothing when a row has an error, unless the batch
    was asked to skip invalid rows."""
    actor = actor if actor is not None else _actor(batch)
    skip_invalid = bool(batch.options.get("skip_invalid"))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    report_progress = _progress_of(batch, progress)
    try:
        report = analyse(
            bytes(batch.content),
            actor=actor,
            default_cell=_default_cell(batch, actor),
            progress=report_progress,
        )
    except SpreadsheetError as exc:
        return _fail(batch, exc.message)
    _store(batch, report)
    if batch.error_count and not skip_invalid:
        return _fail(
            batch,
            _(
                "Có %(n)s dòng lỗi nên không nhập dòng nào. Hãy sửa các dòng lỗi, hoặc chọn "
                "“chỉ nhập các dòng hợp lệ”."
            )
            % {"n": batch.error_count},
        )
    reason = _("Nhập từ tệp %(file)s (lần nhập số %(id)s)") % {
        "file": batch.file_name,
        "id": batch.pk,
    }
    try:
        with transaction.atomic():
            _write_and_record(batch, report, actor=actor, reason=reason, progress=report_progress)
    except (IntegrityError, DataError):
        # someone changed the same members between the check and the write
        return _fail(
            batch,
            _(
                "Dữ liệu vừa được người khác thay đổi trong lúc nhập nên không có gì được ghi. "
                "Hãy tải tệp lên và thử lại."
            ),
        )
    return batch


def _write_and_record(batch: ImportBatch, report: Report, *, actor, reason, progress) -> None:
    _write(report, actor=actor, reason=reason, progress=progress)
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.message = ""
    _save(batch)
    audit_record(
        actor=actor,
        action="member_import",
        target=batch,
        summary=_(
            "Nhập tệp %(file)s: %(new)s thêm mới, %(updated)s cập nhật, "
            "%(unchanged)s không đổi, %(errors)s dòng lỗi bỏ qua"
        )
        % {
            "file": batch.file_name,
            "new": batch.new_count,
            "updated": batch.updated_count,
            "unchanged": batch.unchanged_count,
            "errors": batch.error_count,
        },
        data={
            "sha256": batch.sha256,
            "new": [r.member_id for r in report.rows if r.outcome == NEW],
            "updated": [r.member.pk for r in report.rows if r.outcome == UPDATED],
        },
    )


def import_file(
    *,
    actor,
    file_name: str,
    data: bytes,
    dry_run: bool = False,
    skip_invalid: bool = False,
    default_unit: Unit | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Upload, check and (unless `dry_run`) apply in one call: the management
    command's path, and the benchmark's."""
    batch = import_start(
        actor=actor,
        file_name=file_name,
        data=data,
        options={
            "skip_invalid": skip_invalid,
            "dry_run": dry_run,
            "default_unit": default_unit.pk if default_unit else None,
        },
    )
    if dry_run:
        return import_preview(batch, progress=progress)
    return import_apply(batch, actor=actor, progress=progress)


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    """The rows of the file that had an error, as they were written, with a
    "Lỗi" column: fix them and upload the file again."""
    messages: dict[int, list[str]] = {}
    for e in batch.errors:
        messages.setdefault(e["row"], []).append(f"{e['column']}: {e['message']}")
    sheet = read_sheet(bytes(batch.content), columns=MEMBER_COLUMNS)
    keys = list(sheet.headers)
    out = []
    for row in sheet.rows:
        if row.number in messages:
            out.append(
                [row.values.get(k) for k in keys]
                + [_("Dòng %(row)s — ") % {"row": row.number} + "; ".join(messages[row.number])]
            )
    return build_xlsx(
        [sheet.headers[k] for k in keys] + [_("Lỗi")],
        out,
        date_columns=[i for i, k in enumerate(keys) if k in DATE_FIELDS | {"birth_date"}],
    )
