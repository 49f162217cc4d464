"""Issue 15, defects 7 and 9: an import whose worker is gone is marked failed
and may be retried; the page says when no worker takes the job; a zip bomb
is refused from the zip directory before anything is expanded; stored uploads
are emptied after CHIBO_IMPORT_KEEP_DAYS, the import's record kept."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chibo.imports import import_check, import_start, import_uploads_purge
from chibo.models import ImportBatch
from members.models import Member
from tests.members.import_factories import roster_row, roster_xlsx


def _previewed(user, rows=None):
    data = roster_xlsx(rows or [roster_row(1)])
    return import_check(import_start("members", actor=user, file_name="ds.xlsx", data=data))


def _bomb(expanded_mb: int, *, rows_declared: str = "A1:B3") -> bytes:
    """A real workbook whose sheet expands to `expanded_mb` MB (of one
    repeated empty row) from a few hundred kilobytes."""
    good = zipfile.ZipFile(io.BytesIO(roster_xlsx([roster_row(1)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in good.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                continue
            zf.writestr(info, good.read(info))
        head = (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{rows_declared}"/>'
            "<sheetData>"
        ).encode()
        filler = b"<row/>" * (expanded_mb * 1024 * 1024 // 6)
        zf.writestr("xl/worksheets/sheet1.xml", head + filler + b"</sheetData></worksheet>")
    return out.getvalue()


# --- 9. uploads -----------------------------------------------------------------------


def test_a_file_that_expands_far_beyond_the_limit_is_refused_before_it_is_read(
    tree, ward1_staff, settings, monkeypatch
):
    settings.CHIBO_MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
    data = _bomb(60)
    assert len(data) < 1024 * 1024  # under a megabyte on the wire

    import python_calamine

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", never)
    batch = import_start("members", actor=ward1_staff, file_name="bom.xlsx", data=data)
    assert batch.total_rows == 0  # not counted by expanding it either
    batch = import_check(batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert "khi giải nén lên tới 60 MB, vượt giới hạn 20 MB" in batch.message


def test_a_sheet_declaring_more_rows_than_the_limit_is_refused(tree, ward1_staff, settings):
    settings.CHIBO_IMPORT_MAX_ROWS = 1000
    data = _bomb(1, rows_declared="A1:M1048576")
    batch = import_check(import_start("members", actor=ward1_staff, file_name="x.xlsx", data=data))
    assert batch.status == ImportBatch.Status.FAILED
    assert "khai báo 1.048.576 dòng, vượt giới hạn 1.000 dòng" in batch.message


def test_old_uploads_are_emptied_and_their_record_kept(tree, ward1_staff, settings):
    settings.CHIBO_IMPORT_KEEP_DAYS = 30
    old, recent, running = (_previewed(ward1_staff) for _ in range(3))
    month_ago = timezone.now() - timedelta(days=31)
    ImportBatch.objects.filter(pk__in=[old.pk, running.pk]).update(created_at=month_ago)
    ImportBatch.objects.filter(pk=running.pk).update(status=ImportBatch.Status.RUNNING)
    assert import_uploads_purge() == 1
    old.refresh_from_db()
    assert bytes(old.content) == b""
    assert old.file_name == "ds.xlsx" and old.sha256 and old.result["rows"]
    assert bytes(ImportBatch.objects.get(pk=recent.pk).content)
    assert bytes(ImportBatch.objects.get(pk=running.pk).content)


# --- 7. dead workers --------------------------------------------------------------------


def _lose(batch, status, minutes=11):
    """The worker that claimed `batch` died `minutes` ago."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, heartbeat_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_confirmation_whose_worker_died_is_failed_and_may_be_retried(client, tree, ward1_staff):
    batch = _previewed(ward1_staff)
    _lose(batch, ImportBatch.Status.RUNNING)  # stuck at "running" since
    client.force_login(ward1_staff)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "đã dừng giữa chừng" in page and "Làm lại" in page
    assert not Member.objects.filter(full_name="Lê Thị Nhập 1").exists()

    client.post(reverse("imports:retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED  # back to its preview
    client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Member.objects.filter(full_name="Lê Thị Nhập 1").count() == 1


def test_a_preview_whose_worker_died_is_checked_again_on_retry(client, tree, ward1_staff):
    batch = import_start(
        "members", actor=ward1_staff, file_name="ds.xlsx", data=roster_xlsx([roster_row(2)])
    )
    _lose(batch, ImportBatch.Status.ANALYSING)
    client.force_login(ward1_staff)
    client.get(reverse("imports:progress", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    client.post(reverse("imports:retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert [r["outcome"] for r in batch.result["rows"]] == ["new"]


def test_a_working_import_with_recent_progress_is_left_alone(client, tree, ward1_staff):
    batch = _previewed(ward1_staff)
    _lose(batch, ImportBatch.Status.RUNNING, minutes=3)
    ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=10)
    client.force_login(ward1_staff)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.RUNNING
    assert "Chưa có tiến trình chạy nền" not in page


def test_the_page_says_plainly_when_no_worker_takes_the_job(client, tree, ward1_staff):
    batch = import_start(
        "members", actor=ward1_staff, file_name="ds.xlsx", data=roster_xlsx([roster_row(3)])
    )
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    client.force_login(ward1_staff)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Chưa có tiến trình chạy nền nào nhận việc này" in page
    assert "db_worker" in page


def test_the_maintenance_command_marks_lost_imports_and_empties_old_files(
    tree, ward1_staff, capsys
):
    lost = _previewed(ward1_staff)
    _lose(lost, ImportBatch.Status.RUNNING)
    old = _previewed(ward1_staff)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    call_command("purge_generated_files")
    assert ImportBatch.objects.get(pk=lost.pk).status == ImportBatch.Status.FAILED
    assert bytes(ImportBatch.objects.get(pk=old.pk).content) == b""
    assert "1 lần nhập mất tiến trình nền" in capsys.readouterr().out


@pytest.mark.parametrize("status", [ImportBatch.Status.DONE, ImportBatch.Status.PREVIEWED])
def test_only_a_lost_import_may_be_retried(client, tree, ward1_staff, status):
    batch = _previewed(ward1_staff)
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    client.force_login(ward1_staff)
    client.post(reverse("imports:retry", args=[batch.pk]))
    assert ImportBatch.objects.get(pk=batch.pk).status == status
