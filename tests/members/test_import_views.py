import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from chibo.models import ImportBatch
from members.models import Member
from tests.members.import_factories import (
    HEADERS,
    import_file,
    roster_csv,
    roster_row,
    roster_xlsx,
)


def upload(client, data, name="ds.xlsx", **extra):
    return client.post(
        reverse("members:import"), {"file": SimpleUploadedFile(name, data), **extra}, follow=True
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ward1_staff", 200),
        ("admin_user", 200),
        ("board", 403),
        ("cell_secretary", 403),
        ("outsider", 403),
    ],
)
def test_only_office_staff_and_administrators_may_import(persona, status, client, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("members:import")).status_code == status
    assert client.get(reverse("members:import_template")).status_code == status


def test_the_import_page_asks_to_log_in(client, tree):
    response = client.get(reverse("members:import"))
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


def test_upload_previews_every_row_then_confirm_writes(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    response = upload(client, roster_xlsx([roster_row(1), roster_row(2)]))
    page = response.content.decode()
    assert "Thêm mới" in page and "Lê Thị Nhập 2" in page
    assert not Member.objects.filter(card_number__in=["90000001", "90000002"]).exists()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED
    response = client.post(reverse("members:import_confirm", args=[batch.pk]), follow=True)
    assert "Đã nhập: 2 đảng viên mới" in response.content.decode()
    assert Member.objects.filter(card_number__in=["90000001", "90000002"]).count() == 2


def test_a_bad_row_is_shown_with_its_row_column_and_message(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    response = upload(
        client, roster_xlsx([roster_row(1), roster_row(2, **{"Ngày sinh": "31/02/1970"})])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<td data-label="Dòng">6</td>' in page
    assert "Ngày 31/02/1970 không có thật." in page


def test_confirming_with_an_error_writes_nothing_unless_valid_rows_only(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    upload(client, roster_xlsx([roster_row(1), roster_row(2, **{"Số CCCD": "1"})]))
    batch = ImportBatch.objects.get()
    response = client.post(reverse("members:import_confirm", args=[batch.pk]), follow=True)
    assert "không nhập dòng nào" in response.content.decode()
    assert not Member.objects.filter(card_number="90000001").exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED  # the choice is still open

    client.post(reverse("members:import_confirm", args=[batch.pk]), {"skip_invalid": "on"})
    assert Member.objects.filter(card_number="90000001").exists()
    assert not Member.objects.filter(card_number="90000002").exists()
    batch.refresh_from_db()
    assert (batch.status, batch.new_count, batch.error_count) == ("done", 1, 1)


def test_a_clash_with_a_change_made_meanwhile_fails_cleanly(client, tree, ward1_staff, monkeypatch):
    from django.db import IntegrityError

    from members import imports

    client.force_login(ward1_staff)
    upload(client, roster_xlsx([roster_row(1)]))
    batch = ImportBatch.objects.get()

    def clash(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(imports, "roster_write", clash)
    response = client.post(reverse("members:import_confirm", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    assert "người khác thay đổi trong lúc nhập" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert not Member.objects.filter(card_number="90000001").exists()


def test_a_member_created_between_preview_and_confirm_is_not_renamed(client, tree, ward1_staff):
    """Issue 15, defect 3: the preview said "new"; meanwhile someone entered
    the member by hand. Confirming must not rename them nor give them the
    file's dates: it stops and shows the new preview."""
    from tests.factories import make_member

    client.force_login(ward1_staff)
    upload(client, roster_xlsx([roster_row(1), roster_row(2)]))
    batch = ImportBatch.objects.get()
    assert batch.new_count == 2
    meanwhile = make_member(tree.cell1a, full_name="Lê Thị Khác", card_number="90000001")
    response = client.post(reverse("members:import_confirm", args=[batch.pk]), follow=True)
    page = response.content.decode()
    assert "Dữ liệu đã thay đổi từ lúc kiểm tra tệp: 1 dòng (dòng 5)" in page
    meanwhile.refresh_from_db()
    assert (meanwhile.full_name, meanwhile.admitted_on) == ("Lê Thị Khác", date(2000, 1, 1))
    assert not Member.objects.filter(card_number="90000002").exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert (batch.new_count, batch.updated_count) == (1, 1)
    row = batch.result["rows"][0]
    assert row["outcome"] == "updated"
    assert row["changes"]["Họ và tên"] == ["Lê Thị Khác", "Lê Thị Nhập 1"]
    # seen and confirmed again, it applies what the new preview showed
    client.post(reverse("members:import_confirm", args=[batch.pk]))
    meanwhile.refresh_from_db()
    assert meanwhile.full_name == "Lê Thị Nhập 1"
    assert Member.objects.filter(card_number="90000002").exists()


def test_a_second_confirmation_sent_together_with_the_first_imports_nothing(
    client, tree, ward1_staff, monkeypatch
):
    """A double click: the second request read the batch before the first
    started it, and must not import the file a second time."""
    from chibo.imports import get_kind
    from chibo.imports import views as import_views

    client.force_login(ward1_staff)
    upload(client, roster_xlsx([roster_row(1)], title=False))
    stale = ImportBatch.objects.get()
    assert stale.status == ImportBatch.Status.PREVIEWED
    ImportBatch.objects.filter(pk=stale.pk).update(status=ImportBatch.Status.RUNNING)
    monkeypatch.setattr(import_views, "_batch_or_404", lambda *a, **k: (stale, get_kind("members")))
    response = client.post(reverse("members:import_confirm", args=[stale.pk]))
    assert response.status_code == 302
    assert not Member.objects.filter(card_number="90000001").exists()
    assert ImportBatch.objects.get(pk=stale.pk).status == ImportBatch.Status.RUNNING


def test_the_rejected_rows_download_with_an_error_column_and_import_again_once_fixed(
    client, tree, ward1_staff
):
    client.force_login(ward1_staff)
    rows = [
        roster_row(1),
        roster_row(2, **{"Số CCCD": "1"}),
        roster_row(3, **{"Chi bộ": "Không có"}),
    ]
    upload(client, roster_xlsx(rows))
    batch = ImportBatch.objects.get()
    response = client.get(reverse("members:import_rejected", args=[batch.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [[c.value for c in r] for r in sheet.iter_rows()]
    # every column of the uploaded file (its "STT" too), in its order, then "Lỗi"
    assert table[0] == HEADERS + ["Lỗi"]
    headers = table[0]
    assert [r[headers.index("Họ và tên")] for r in table[1:]] == ["Lê Thị Nhập 2", "Lê Thị Nhập 3"]
    assert [r[0] for r in table[1:]] == [2, 3]
    assert "Số CCCD: Số CCCD “1” phải gồm đúng 12 chữ số." in table[1][-1]
    # the offending cell itself carries its message
    cccd = sheet.cell(row=2, column=headers.index("Số CCCD") + 1)
    assert cccd.comment.text == "Số CCCD “1” phải gồm đúng 12 chữ số."
    assert sheet.cell(row=2, column=1).comment is None
    # fixed, the same file imports cleanly
    table[1][headers.index("Số CCCD")] = "040180000002"
    table[2][headers.index("Chi bộ")] = "Chi bộ khu phố 1"
    from openpyxl import Workbook

    wb = Workbook()
    for r in table:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    batch = import_file(actor=ward1_staff, file_name="da-sua.xlsx", data=buf.getvalue())
    assert batch.errors == []
    assert batch.new_count == 2


def test_the_rejected_rows_of_a_large_upload_are_made_in_the_background(
    client, tree, ward1_staff, ward2_staff, settings
):
    """The rejected rows are the whole upload read again: past
    CHIBO_EXPORT_BACKGROUND_ROWS rows of the upload (not of its errors) the
    worker makes the file, the page offers it, the same batch asked again
    gets the same file, and another ward gets neither."""
    from chibo.models import GeneratedFile

    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"*": 3}
    client.force_login(ward1_staff)
    rows = [roster_row(i) for i in range(1, 5)] + [roster_row(5, **{"Số CCCD": "1"})]
    upload(client, roster_xlsx(rows))
    batch = ImportBatch.objects.get()
    assert (batch.total_rows, batch.error_count) == (5, 1)
    response = client.get(reverse("members:import_rejected", args=[batch.pk]))
    job = GeneratedFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("generated_file", args=[job.pk])
    assert (job.kind, job.status, job.total) == ("imports.rejected", "done", 5)
    page = client.get(response["Location"]).content.decode()
    assert reverse("imports:batch", args=[batch.pk]) in page  # the way back
    download = client.get(reverse("generated_file_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    table = [[c.value for c in r] for r in sheet.iter_rows()]
    assert [r[table[0].index("Họ và tên")] for r in table[1:]] == ["Lê Thị Nhập 5"]
    assert download["Content-Disposition"].endswith(f'dong-loi-lan-nhap-{batch.pk}.xlsx"')
    again = client.get(reverse("imports:rejected", args=[batch.pk]))
    assert again["Location"] == response["Location"] and GeneratedFile.objects.count() == 1
    # a small upload's stays immediate
    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"*": 5000}
    assert client.get(reverse("imports:rejected", args=[batch.pk])).status_code == 200
    client.force_login(ward2_staff)
    assert client.get(response["Location"]).status_code == 404
    assert client.get(reverse("generated_file_download", args=[job.pk])).status_code == 404


def test_the_rejected_rows_of_an_emptied_upload_are_not_found_and_no_job_waits(
    client, tree, ward1_staff, settings
):
    from chibo.models import GeneratedFile

    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"*": 0}
    client.force_login(ward1_staff)
    upload(client, roster_xlsx([roster_row(1, **{"Số CCCD": "1"})]))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(content=b"")  # past CHIBO_IMPORT_KEEP_DAYS
    response = client.get(reverse("members:import_rejected", args=[batch.pk]))
    assert response.status_code == 404 and not GeneratedFile.objects.exists()


def test_someone_elses_import_is_not_found(client, tree, ward1_staff, ward2_staff):
    client.force_login(ward1_staff)
    upload(client, roster_csv([roster_row(1)]), name="ds.csv")
    batch = ImportBatch.objects.get()
    client.force_login(ward2_staff)
    for name in ("members:import_preview", "members:import_rejected", "members:import_progress"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("members:import_confirm", args=[batch.pk])).status_code == 404
    assert not Member.objects.filter(card_number="90000001").exists()


def test_a_big_file_runs_in_the_background_and_the_result_stays(
    client, tree, ward1_staff, settings
):
    settings.CHIBO_IMPORT_BACKGROUND_ROWS = 5  # tests run tasks immediately
    client.force_login(ward1_staff)
    response = upload(client, roster_csv([roster_row(i) for i in range(1, 11)]), name="lon.csv")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert "Thêm mới" in response.content.decode()
    client.post(reverse("members:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.new_count) == (ImportBatch.Status.DONE, 10)
    # the page still shows the outcome later, and the list of recent imports names it
    assert (
        "Đã nhập: 10 đảng viên mới"
        in client.get(reverse("members:import_preview", args=[batch.pk])).content.decode()
    )
    assert "lon.csv" in client.get(reverse("members:import")).content.decode()


def test_the_progress_bar_polls_while_working_and_reloads_when_done(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    upload(client, roster_csv([roster_row(1)]), name="ds.csv")
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.RUNNING, processed_rows=300, total_rows=1200
    )
    page = client.get(reverse("members:import_preview", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<progress max="100" value="25"' in page
    partial = client.get(reverse("members:import_progress", args=[batch.pk]))
    assert "HX-Refresh" not in partial
    assert "300 / 1200 dòng" in partial.content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.DONE)
    partial = client.get(reverse("members:import_progress", args=[batch.pk]))
    assert partial["HX-Refresh"] == "true"


def test_a_failed_background_task_shows_a_message_not_a_stuck_bar(tree, ward1_staff, monkeypatch):
    from chibo.imports import tasks

    batch = import_file(
        actor=ward1_staff, file_name="ds.csv", data=roster_csv([roster_row(1)]), dry_run=True
    )

    def boom(batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tasks, "import_apply", boom)
    with pytest.raises(RuntimeError):
        tasks.apply_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "lỗi hệ thống" in batch.message


def test_the_template_downloads_as_a_workbook(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    response = client.get(reverse("members:import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Họ và tên"
    assert sheet["A3"].value == "Nguyễn Văn An"


def test_administrators_see_every_import_in_the_admin(client, tree, admin_user, ward1_staff):
    import_file(actor=ward1_staff, file_name="ds-phuong-mot.csv", data=roster_csv([roster_row(1)]))
    client.force_login(admin_user)
    page = client.get(reverse("admin:chibo_importbatch_changelist")).content.decode()
    assert "ds-phuong-mot.csv" in page
    batch = ImportBatch.objects.get()
    assert client.get(reverse("admin:chibo_importbatch_change", args=[batch.pk])).status_code == 200
