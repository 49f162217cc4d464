"""The import pipeline itself (chibo.imports), through a kind that exists
only here: accounts, one row per username. What holds for it holds for every
kind: preview writes nothing, a double confirm applies once, a preview that
no longer holds stops the import, valid rows only, the rejected rows keep the
file's own columns, and a broken file says why, whatever the kind."""

import io
import json
import threading
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chibo.errors import ServiceError
from chibo.imports import (
    NEW,
    UNCHANGED,
    UPDATED,
    ImportKind,
    RowOutcome,
    import_check,
    import_confirm,
    import_file,
    import_start,
    register,
    rejected_rows_xlsx,
    unregister,
)
from chibo.models import AuditEvent, ImportBatch, User
from chibo.spreadsheets import Column, cell_text

HEADERS = ["STT", "Tên đăng nhập", "Ghi chú của văn phòng", "Họ và tên"]


class AccountKind(ImportKind):
    """The docstring's example kind: accounts by username."""

    name, slug, title = "test_accounts", "tai-khoan-thu", "Tài khoản (thử)"
    columns = [
        Column("username", "Tên đăng nhập", required=True),
        Column("full_name", "Họ và tên", aliases=("Họ tên",)),
    ]
    example = {"username": "nva", "full_name": "Nguyễn Văn An"}
    subject_label = "Tên đăng nhập"
    slow = 0.0  # seconds apply waits, to make two confirmations overlap
    fail_after: int | None = None  # raise after creating this many accounts

    def may_use(self, user):
        return bool(user.is_superuser)

    def analyse(self, rows, ctx):
        known = dict(User.objects.values_list("username", "full_name"))
        out = []
        for row in rows:
            r = RowOutcome(row=row.number, name=cell_text(row.values.get("username")))
            full_name = cell_text(row.values.get("full_name"))
            if not r.name or " " in r.name:
                r.error(ctx.header("username"), "Tên đăng nhập không được trống hay có dấu cách.")
            elif r.name not in known:
                r.outcome = NEW
                r.changes = {"full_name": ("", full_name)}
            elif full_name and full_name != known[r.name]:
                r.outcome = UPDATED
                r.changes = {"full_name": (known[r.name], full_name)}
            else:
                r.outcome = UNCHANGED
            if not full_name:
                r.warn(ctx.header("full_name"), "Chưa có họ tên.")
            out.append(r)
        return out

    def apply(self, rows, ctx):
        time.sleep(self.slow)
        created = []
        for r in rows:
            if r.outcome == NEW:
                if self.fail_after is not None and len(created) >= self.fail_after:
                    raise ServiceError("Tài khoản này bị khóa.")
                created.append(
                    User.objects.create(username=r.name, full_name=r.changes["full_name"][1]).pk
                )
            elif r.outcome == UPDATED:
                User.objects.filter(username=r.name).update(full_name=r.changes["full_name"][1])
        return {"created": created}


@pytest.fixture
def kind():
    k = register(AccountKind())
    yield k
    unregister(k.name)


def sheet(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH TÀI KHOẢN"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = [[1, "an", "cũ", "Nguyễn Văn An"], [2, "binh", "", "Trần Thị Bình"]]


def previewed(kind, rows, actor=None) -> ImportBatch:
    batch = import_start(kind.name, actor=actor, file_name="tk.xlsx", data=sheet(rows))
    return import_check(batch)


def usernames() -> set[str]:
    return set(User.objects.values_list("username", flat=True))


def test_a_preview_checks_every_row_and_writes_nothing_but_the_batch(db, kind):
    before = (usernames(), AuditEvent.objects.count())
    batch = previewed(kind, GOOD + [[3, "có cách", "", "X"]])
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert (batch.new_count, batch.error_count) == (2, 1)
    assert batch.errors == [
        {
            "row": 5,
            "column": "Tên đăng nhập",
            "message": "Tên đăng nhập không được trống hay có dấu cách.",
        }
    ]
    assert (usernames(), AuditEvent.objects.count()) == before
    assert ImportBatch.objects.get().kind == "test_accounts"  # any registered kind, no migration


def test_confirming_applies_in_one_go_and_records_one_audit_event(db, kind):
    batch = previewed(kind, GOOD)
    assert import_confirm(batch) is True
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert {"an", "binh"} <= usernames()
    [event] = AuditEvent.objects.filter(action="test_accounts_import")
    assert event.target_id == batch.pk and len(event.data["created"]) == 2
    assert event.data["sha256"] == batch.sha256


def test_two_confirmations_of_one_preview_apply_it_once(db, kind):
    batch = previewed(kind, GOOD)
    first, second = ImportBatch.objects.get(pk=batch.pk), ImportBatch.objects.get(pk=batch.pk)
    assert import_confirm(first) is True
    assert import_confirm(second) is False  # read before the first claimed it: applies nothing
    assert User.objects.filter(username__in=["an", "binh"]).count() == 2
    assert AuditEvent.objects.filter(action="test_accounts_import").count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="two sessions writing at once need PostgreSQL (SQLite has one writer)",
)
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_sent_together_from_two_sessions_apply_once(kind):
    kind.slow = 0.3  # the first is still writing when the second arrives
    batch = previewed(kind, GOOD)
    barrier = threading.Barrier(2)
    claimed: list[bool] = []

    def confirm():
        try:
            mine = ImportBatch.objects.get(pk=batch.pk)
            barrier.wait()
            claimed.append(import_confirm(mine))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == [False, True]
    assert User.objects.filter(username__in=["an", "binh"]).count() == 2
    assert AuditEvent.objects.filter(action="test_accounts_import").count() == 1
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE


def test_a_row_that_changed_since_the_preview_stops_the_import_and_shows_the_new_preview(db, kind):
    batch = previewed(kind, GOOD)
    User.objects.create(username="an", full_name="Người khác")  # meanwhile, by someone else
    assert import_confirm(batch) is True
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert "Dữ liệu đã thay đổi từ lúc kiểm tra tệp" in batch.message
    assert "dòng 3" in batch.message
    assert batch.result["changed_rows"] == [3]
    assert [r["outcome"] for r in batch.result["rows"]] == [UPDATED, NEW]
    # nothing written: not the other row either
    assert User.objects.get(username="an").full_name == "Người khác"
    assert not User.objects.filter(username="binh").exists()
    # confirmed again, with the new preview seen, it applies
    assert import_confirm(batch) is True
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert User.objects.get(username="an").full_name == "Nguyễn Văn An"


def test_a_row_now_in_error_also_stops_the_import(db, kind, monkeypatch):
    batch = previewed(kind, GOOD)
    monkeypatch.setattr(
        AccountKind, "analyse", _with_error_on("binh", AccountKind.analyse), raising=True
    )
    import_confirm(batch, skip_invalid=True)  # even when invalid rows would be skipped
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.result["changed_rows"] == [4]
    assert not User.objects.filter(username__in=["an", "binh"]).exists()


def _with_error_on(username, analyse):
    def patched(self, rows, ctx):
        out = analyse(self, rows, ctx)
        for r in out:
            if r.name == username:
                r.error("Tên đăng nhập", "Đã bị khóa trong lúc chờ.")
        return out

    return patched


def test_all_or_nothing_refuses_a_file_with_errors_and_valid_rows_only_writes_the_rest(db, kind):
    batch = previewed(kind, GOOD + [[3, "có cách", "", "X"]])
    with pytest.raises(ServiceError, match="Có 1 dòng lỗi nên không nhập dòng nào"):
        import_confirm(batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED  # the choice is still open
    assert not User.objects.filter(username="an").exists()
    assert import_confirm(batch, skip_invalid=True) is True
    batch.refresh_from_db()
    assert (batch.status, batch.new_count, batch.error_count) == ("done", 2, 1)
    assert {"an", "binh"} <= usernames() and "có cách" not in usernames()


def test_the_same_file_again_is_all_unchanged_and_writes_nothing(db, kind):
    import_file(kind.name, actor=None, file_name="tk.xlsx", data=sheet(GOOD))
    events = AuditEvent.objects.count()
    names = dict(User.objects.values_list("username", "full_name"))
    again = import_file(kind.name, actor=None, file_name="tk.xlsx", data=sheet(GOOD))
    assert (again.new_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert dict(User.objects.values_list("username", "full_name")) == names
    assert AuditEvent.objects.count() == events + 1  # the import's own record, nothing else


def test_a_refusal_while_writing_leaves_the_batch_failed_and_nothing_written(db, kind):
    kind.fail_after = 1  # the second account is refused by its service
    batch = import_file(kind.name, actor=None, file_name="tk.xlsx", data=sheet(GOOD))
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "Không nhập được, không có gì được ghi: Tài khoản này bị khóa."
    assert not User.objects.filter(username__in=["an", "binh"]).exists()
    assert not AuditEvent.objects.filter(action="test_accounts_import").exists()


def test_an_unexpected_error_leaves_the_batch_failed_not_running(db, kind, monkeypatch):
    def boom(self, rows, ctx):
        User.objects.create(username="half-written")
        raise RuntimeError("disk full")

    monkeypatch.setattr(AccountKind, "apply", boom)
    batch = previewed(kind, GOOD)
    with pytest.raises(RuntimeError):
        import_confirm(batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "lỗi hệ thống" in batch.message
    assert not User.objects.filter(username="half-written").exists()


def test_warnings_are_shown_and_block_nothing(db, kind):
    batch = import_file(
        kind.name, actor=None, file_name="tk.xlsx", data=sheet([[1, "an", "", None]])
    )
    assert batch.status == ImportBatch.Status.DONE
    [row] = batch.result["rows"]
    assert row["warnings"] == [{"column": "Họ và tên", "message": "Chưa có họ tên."}]


def test_the_rejected_rows_keep_every_column_of_the_file_with_each_message_on_its_cell(db, kind):
    data = sheet(
        [[1, "an", "giữ nguyên", "An"], [2, "có cách", "ghi chú 2", "Bình"], [3, "", "ghi 3", "Ba"]]
    )
    batch = import_check(import_start(kind.name, actor=None, file_name="tk.xlsx", data=data))
    out = load_workbook(io.BytesIO(rejected_rows_xlsx(batch))).active
    table = [[c.value for c in r] for r in out.iter_rows()]
    assert table[0] == HEADERS + ["Lỗi"]  # the unknown "Ghi chú của văn phòng" too, in place
    assert [r[:4] for r in table[1:]] == [
        [2, "có cách", "ghi chú 2", "Bình"],
        [3, None, "ghi 3", "Ba"],
    ]
    assert table[1][4] == (
        "Dòng 4 — Tên đăng nhập: Tên đăng nhập không được trống hay có dấu cách."
    )
    marked = out.cell(row=2, column=2)
    assert marked.comment.text == "Tên đăng nhập không được trống hay có dấu cách."
    assert marked.fill.fgColor.rgb.endswith("FFC7CE")
    assert out.cell(row=2, column=3).comment is None
    # fixed in place and sent back, the rejected file imports: the "Lỗi" column is ignored
    fixed = Workbook()
    for r in table:
        fixed.active.append(r)
    fixed.active["B2"], fixed.active["B3"] = "co-cach", "ba"
    buf = io.BytesIO()
    fixed.save(buf)
    again = import_file(kind.name, actor=None, file_name="da-sua.xlsx", data=buf.getvalue())
    assert (again.status, again.new_count, again.error_count) == ("done", 2, 0)


@pytest.mark.parametrize("name", ["test_accounts", "members", "units"])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + bytes(50), "không phải là bảng tính"),
        (b"", "Tệp trống"),
        (b"a;b;c\n1;2;3\n", "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_a_broken_file_gets_the_same_message_whatever_the_kind(db, kind, name, data, message):
    batch = import_file(name, actor=None, file_name="tep.xlsx", data=data)
    assert batch.status == ImportBatch.Status.FAILED
    assert message in batch.message
    assert not AuditEvent.objects.exists()


def test_an_unregistered_kind_is_refused(db):
    with pytest.raises(LookupError):
        import_start("no-such-kind", actor=None, file_name="x.xlsx", data=sheet(GOOD))


# --- pages ---------------------------------------------------------------------------


def test_the_import_page_lists_the_kinds_the_user_may_import(client, tree, kind, ward1_staff):
    client.force_login(ward1_staff)
    page = client.get(reverse("imports:index")).content.decode()
    assert "Danh sách đảng viên" in page and "Cây tổ chức" in page
    assert "Tài khoản (thử)" not in page  # superusers only
    assert reverse("imports:template", args=["danh-sach-dang-vien"]) in page
    assert client.get(reverse("imports:start", args=[kind.slug])).status_code == 403
    assert client.get(reverse("imports:start", args=["khong-co"])).status_code == 404


@pytest.mark.parametrize("persona", ["board", "outsider"])
def test_people_who_may_import_nothing_are_refused(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("imports:index")).status_code == 403


def test_a_cell_secretary_may_import_only_the_attendance_sheet(client, cell_secretary):
    client.force_login(cell_secretary)
    page = client.get(reverse("imports:index")).content.decode()
    assert "Điểm danh sinh hoạt chi bộ" in page and "Danh sách đảng viên" not in page
    assert client.get(reverse("imports:start", args=["cay-to-chuc"])).status_code == 403


def test_every_template_has_a_guide_sheet_listing_its_columns(client, tree, admin_user, kind):
    client.force_login(admin_user)
    for slug in ("danh-sach-dang-vien", "cay-to-chuc", kind.slug):
        response = client.get(reverse("imports:template", args=[slug]))
        assert response["Content-Disposition"] == f'attachment; filename="mau-{slug}.xlsx"'
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames[1] == "Hướng dẫn"
        guide = [[c.value for c in r] for r in book["Hướng dẫn"].iter_rows(min_row=2)]
        assert guide[0] == ["Cột", "Bắt buộc", "Giá trị được chấp nhận", "Tên cột khác cũng hiểu"]
        headers = [c.value for c in book.worksheets[0][2]]
        assert [r[0] for r in guide[1:]] == headers
    members = {r[0]: r for r in guide_of(client, "danh-sach-dang-vien")}
    assert members["Họ và tên"][1] == "Bắt buộc"
    assert members["Ngày vào Đảng"][1] == "Bắt buộc khi thêm mới"
    assert members["Nơi sinh"][1] == "Không bắt buộc"
    assert "Nam hoặc Nữ" in members["Giới tính"][2]
    assert "03, 05, 07, 08, 09" in members["Số điện thoại"][2]
    assert "SĐT" in members["Số điện thoại"][3]


def guide_of(client, slug):
    response = client.get(reverse("imports:template", args=[slug]))
    book = load_workbook(io.BytesIO(response.content))
    return [[c.value for c in r] for r in book["Hướng dẫn"].iter_rows(min_row=3)]


def test_the_preview_page_shows_errors_in_red_and_confirms_once(client, tree, admin_user, kind):
    client.force_login(admin_user)
    data = sheet(GOOD + [[3, "có cách", "", "X"]])
    page = client.post(
        reverse("imports:start", args=[kind.slug]),
        {"file": SimpleUploadedFile("tk.xlsx", data)},
        follow=True,
    )
    html = page.content.decode()
    assert '<span class="badge outcome-error">Lỗi</span>' in html
    assert '<span class="badge outcome-new">Thêm mới</span>' in html
    assert not User.objects.filter(username="an").exists()
    batch = ImportBatch.objects.get()
    url = reverse("imports:confirm", args=[batch.pk])
    refused = client.post(url, follow=True)
    assert "Có 1 dòng lỗi nên không nhập dòng nào" in refused.content.decode()
    client.post(url, {"skip_invalid": "on"})
    again = client.post(url, {"skip_invalid": "on"}, follow=True)  # a second click
    assert again.status_code == 200
    assert User.objects.filter(username="an").count() == 1
    assert AuditEvent.objects.filter(action="test_accounts_import").count() == 1


def test_a_big_file_is_checked_and_applied_in_the_background(
    client, tree, admin_user, kind, settings, monkeypatch
):
    from chibo.imports import batches

    settings.CHIBO_IMPORT_BACKGROUND_ROWS = 3  # the tests' task backend runs tasks at once
    queued = []
    for name in ("preview_import", "apply_import"):
        monkeypatch.setattr(batches, name, _Recording(getattr(batches, name), queued))
    rows = [[i, f"user{i}x", "", f"Người {i}"] for i in range(1, 8)]
    client.force_login(admin_user)
    client.post(
        reverse("imports:start", args=[kind.slug]),
        {"file": SimpleUploadedFile("lon.xlsx", sheet(rows))},
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED
    client.post(reverse("imports:confirm", args=[batch.pk]))
    assert queued == ["preview_import", "apply_import"]
    batch.refresh_from_db()
    assert (batch.status, batch.new_count) == (ImportBatch.Status.DONE, 7)


def test_a_changed_preview_is_shown_with_its_changed_rows_marked(client, tree, admin_user, kind):
    client.force_login(admin_user)
    client.post(
        reverse("imports:start", args=[kind.slug]),
        {"file": SimpleUploadedFile("tk.xlsx", sheet(GOOD))},
    )
    batch = ImportBatch.objects.get()
    User.objects.create(username="binh", full_name="Ai đó")
    page = client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)
    html = page.content.decode()
    assert "Dữ liệu đã thay đổi từ lúc kiểm tra tệp" in html
    assert "row-changed" in html and "khác lúc xem trước" in html
    assert "Xác nhận nhập" in html
    assert User.objects.get(username="binh").full_name == "Ai đó"


class _Recording:
    """A task whose enqueue is noted."""

    def __init__(self, task, queued):
        self.task, self.queued = task, queued

    def enqueue(self, *args, **kwargs):
        self.queued.append(self.task.name)
        return self.task.enqueue(*args, **kwargs)


# --- the command ---------------------------------------------------------------------


def test_import_data_imports_any_kind_and_prints_json(db, kind, tmp_path, capsys):
    path = tmp_path / "tk.xlsx"
    path.write_bytes(sheet(GOOD))
    call_command("import_data", kind.name, str(path), "--json", "--dry-run")
    out = json.loads(capsys.readouterr().out)
    assert (out["kind"], out["ok"], out["applied"], out["new"]) == ("test_accounts", True, False, 2)
    assert not User.objects.filter(username="an").exists()
    call_command("import_data", kind.name, str(path))
    assert "Đã nhập: 2 thêm mới" in capsys.readouterr().out
    assert User.objects.filter(username="an").exists()


def test_import_data_refuses_an_unknown_kind_or_a_user_who_may_not(db, kind, tmp_path, tree):
    path = tmp_path / "tk.xlsx"
    path.write_bytes(sheet(GOOD))
    with pytest.raises(CommandError, match="Không có loại dữ liệu “khong-co”"):
        call_command("import_data", "khong-co", str(path))
    User.objects.create(username="thuong")
    with pytest.raises(CommandError, match="không được nhập"):
        call_command("import_data", kind.name, str(path), "--user", "thuong")
    with pytest.raises(CommandError, match="không có tùy chọn --unit"):
        call_command("import_data", kind.name, str(path), "--unit", "X")
