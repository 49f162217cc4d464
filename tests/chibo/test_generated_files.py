"""Files made in the background (chibo.exports): the switch from an
immediate download to a background job, progress, reuse while the data has
not changed, who may download, expiry and purge. Shown on the member roster,
the first kind that uses the mechanism."""

import csv
import dataclasses
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chibo import exports
from chibo.exports import (
    data_version,
    generated_file_run,
    generated_files_purge,
    get_kind,
)
from chibo.models import GeneratedFile
from members import services as member_services
from members.models import Member
from organizations.models import Role
from tests.factories import UserFactory, grant, make_member

LIST = reverse("members:list")
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def background(settings):
    """Every export of more than one row goes to the background."""
    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"*": 1}
    return settings


def csv_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def download(client, job) -> bytes:
    response = client.get(reverse("generated_file_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_small_roster_is_downloaded_at_once(client, ward1_staff):
    client.force_login(ward1_staff)
    response = client.get(LIST, {"format": "csv"})
    assert response.status_code == 200
    assert len(csv_of(b"".join(response.streaming_content))) == 1 + 5
    assert not GeneratedFile.objects.exists()


def test_a_large_roster_goes_to_the_background_then_the_page_offers_the_file(
    client, tree, board, background
):
    client.force_login(board)
    response = client.get(LIST, {"format": "csv"})
    job = GeneratedFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("generated_file", args=[job.pk])
    # the (immediate, in tests) worker has made it
    assert job.status == GeneratedFile.Status.DONE
    assert (job.kind, job.format, job.requested_by, job.total) == (
        "members.roster",
        "csv",
        board,
        9,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Tệp đã sẵn sàng" in page
    assert reverse("generated_file_download", args=[job.pk]) in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling
    rows = csv_of(download(client, job))
    assert rows[0][0] == "Họ và tên" and len(rows) == 1 + 9
    # the very rows the immediate export gives
    background.CHIBO_EXPORT_BACKGROUND_ROWS = {"*": 5000}
    immediate = client.get(LIST, {"format": "csv"})
    assert csv_of(b"".join(immediate.streaming_content)) == rows


def test_the_page_shows_progress_while_the_worker_makes_the_file(
    client, tree, board, background, settings
):
    settings.TASKS = DUMMY  # no worker yet: the job waits in the queue
    client.force_login(board)
    job_url = client.get(LIST, {"format": "xlsx", "gender": "M"})["Location"]
    job = GeneratedFile.objects.get()
    assert job.status == GeneratedFile.Status.QUEUED
    page = client.get(job_url).content.decode()
    progress_url = reverse("generated_file_progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    assert "Đang chờ xử lý" in page
    assert "<script" not in page.split("<main", 1)[1]  # htmx attributes, no inline script
    GeneratedFile.objects.filter(pk=job.pk).update(status="running", done=4, total=9)
    box = client.get(progress_url).content.decode()
    assert "Đang tạo tệp" in box and 'value="44"' in box and "4 / 9 dòng" in box
    assert generated_file_run(job.pk) is None  # running: claimed by another worker
    GeneratedFile.objects.filter(pk=job.pk).update(status="queued")
    assert generated_file_run(job.pk).status == GeneratedFile.Status.DONE
    box = client.get(progress_url).content.decode()
    assert "Tải về" in box and "hx-get" not in box


def test_the_same_request_reuses_the_file_while_the_data_has_not_changed(
    client, tree, board, background
):
    client.force_login(board)
    first = client.get(LIST, {"format": "csv"})["Location"]
    assert client.get(LIST, {"format": "csv"})["Location"] == first
    # a colleague with the same reach gets the same file, without new work
    colleague = UserFactory(username="board2")
    grant(colleague, tree.province, Role.Kind.REVIEWER)
    client.force_login(colleague)
    assert client.get(LIST, {"format": "csv"})["Location"] == first
    assert GeneratedFile.objects.count() == 1
    # other filters, another format: other files
    assert client.get(LIST, {"format": "xlsx"})["Location"] != first
    assert client.get(LIST, {"format": "csv", "unit": tree.ward2.pk})["Location"] != first
    assert GeneratedFile.objects.count() == 3


def test_a_dossier_edit_makes_a_new_file_with_the_new_value(client, tree, board, background):
    client.force_login(board)
    first = GeneratedFile.objects.get(
        pk=client.get(LIST, {"format": "csv"})["Location"].split("/")[-2]
    )
    member = tree.members.m2a[0]
    member_services.member_update(actor=None, member=member, phone="0912000111")
    second_url = client.get(LIST, {"format": "csv"})["Location"]
    second = GeneratedFile.objects.get(pk=second_url.split("/")[-2])
    assert second.pk != first.pk
    assert "0912000111" in download(client, second).decode("utf-8-sig")
    assert "0912000111" not in download(client, first).decode("utf-8-sig")


def test_what_counts_as_a_change_of_the_data(tree, ward1_staff):
    """The data version moves with every write a file could show: a service's
    write (audited), an edit of a dossier that bypasses the services (the
    admin site, recorded by simple_history); not with reads, nor with a
    request for a file."""
    start = data_version()
    assert data_version() == start
    list(Member.objects.all())
    assert data_version() == start
    member = tree.members.m1a[0]
    member_services.member_transfer_permanent(
        actor=None, member=member, unit=tree.cell1b, day=date.today()
    )
    after_transfer = data_version()
    assert after_transfer != start
    member.residence = "Số 3, tổ 4"
    member.save()  # as the admin site would
    assert data_version() != after_transfer


def test_a_new_day_makes_a_new_file(client, tree, board, background, monkeypatch):
    """A roster is "as of today": a transfer decided earlier takes effect at
    midnight without any new write, so yesterday's file is not today's."""
    client.force_login(board)
    first = client.get(LIST, {"format": "csv"})["Location"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert client.get(LIST, {"format": "csv"})["Location"] != first


def test_another_ward_cannot_see_or_download_the_file(
    client, tree, ward1_staff, ward2_staff, board, outsider, background
):
    client.force_login(ward1_staff)
    job_url = client.get(LIST, {"format": "csv"})["Location"]
    job = GeneratedFile.objects.get()
    urls = [
        job_url,
        reverse("generated_file_progress", args=[job.pk]),
        reverse("generated_file_download", args=[job.pk]),
    ]
    # ward2's staff, the board (whose own roster is the whole province: another
    # file) and someone with no role get 404 for each
    for other in (ward2_staff, board, outsider):
        client.force_login(other)
        for url in urls:
            assert client.get(url).status_code == 404, (other, url)
    # another staff member of ward1 sees exactly this file: they may have it
    colleague = UserFactory(username="ward1b")
    grant(colleague, tree.ward1, Role.Kind.STAFF)
    client.force_login(colleague)
    for url in urls:
        assert client.get(url).status_code == 200
    # the requester who loses the role loses the file
    Role.objects.filter(user=ward1_staff).update(valid_to=date.today() - timedelta(days=1))
    client.force_login(ward1_staff)
    assert client.get(urls[2]).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the log-in page


def test_the_board_exporting_one_ward_shares_that_wards_file(
    client, tree, ward1_staff, board, background
):
    client.force_login(ward1_staff)
    ward_file = client.get(LIST, {"format": "csv", "unit": tree.ward1.pk})["Location"]
    client.force_login(board)
    assert client.get(LIST, {"format": "csv", "unit": tree.ward1.pk})["Location"] == ward_file
    assert client.get(ward_file).status_code == 200


def test_a_failure_is_shown_as_a_message_and_a_new_request_tries_again(
    client, tree, board, background, monkeypatch
):
    kind = get_kind("members.roster")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setitem(exports._KINDS, kind.name, dataclasses.replace(kind, build=broken))
    client.force_login(board)
    response = client.get(LIST, {"format": "csv"})
    assert response.status_code == 302  # the worker failed, not the request
    job = GeneratedFile.objects.get()
    assert job.status == GeneratedFile.Status.FAILED
    page = client.get(reverse("generated_file", args=[job.pk])).content.decode()
    assert "Có lỗi hệ thống khi tạo tệp" in page
    assert client.get(reverse("generated_file_download", args=[job.pk])).status_code == 404
    monkeypatch.undo()
    again = client.get(LIST, {"format": "csv"})["Location"]
    assert again != reverse("generated_file", args=[job.pk])
    assert GeneratedFile.objects.get(pk=again.split("/")[-2]).status == GeneratedFile.Status.DONE


def test_a_job_lost_by_a_dead_worker_is_made_again(client, tree, board, background, settings):
    settings.TASKS = DUMMY
    client.force_login(board)
    first = client.get(LIST, {"format": "csv"})["Location"]
    job = GeneratedFile.objects.get()
    # two requests at once share the live job (the unique constraint's case)
    assert client.get(LIST, {"format": "csv"})["Location"] == first
    long_ago = timezone.now() - timedelta(minutes=settings.CHIBO_EXPORT_STALE_MINUTES + 1)
    GeneratedFile.objects.filter(pk=job.pk).update(status="running", started_at=long_ago)
    second = client.get(LIST, {"format": "csv"})["Location"]
    assert second != first
    job.refresh_from_db()
    assert job.status == GeneratedFile.Status.FAILED


def test_purge_deletes_expired_files_and_keeps_the_others(client, tree, board, background):
    client.force_login(board)
    client.get(LIST, {"format": "csv"})
    client.get(LIST, {"format": "xlsx"})
    old, fresh = GeneratedFile.objects.order_by("pk")
    storage = old.file.storage
    assert storage.exists(old.file.name) and storage.exists(fresh.file.name)
    GeneratedFile.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    # an expired file is no longer offered, even before the purge runs
    assert client.get(reverse("generated_file_download", args=[old.pk])).status_code == 404
    call_command("purge_generated_files")
    assert list(GeneratedFile.objects.all()) == [fresh]
    assert not storage.exists(old.file.name) and storage.exists(fresh.file.name)
    assert generated_files_purge() == {"removed": 0, "lost": 0}


def test_asking_for_a_large_file_does_little_work_in_the_request(
    client, tree, board, background, settings, django_assert_max_num_queries
):
    """The request only counts the rows, looks for a file to reuse and queues
    the job; the rows are read by the worker. The same number of queries for
    9 members as for 300."""
    settings.TASKS = DUMMY
    client.force_login(board)
    client.get(LIST)  # warm the session
    for i in range(300):
        make_member(tree.cell2a, full_name=f"Lê Thị Số {i:03d}")
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"format": "xlsx"})
    assert response.status_code == 302
    assert GeneratedFile.objects.get().total == 309


def test_the_list_of_my_files(client, tree, board, ward1_staff, background):
    client.force_login(board)
    client.get(LIST, {"format": "csv"})
    page = client.get(reverse("generated_files")).content.decode()
    assert "DANH SÁCH ĐẢNG VIÊN" in page and "CSV" in page
    client.force_login(ward1_staff)
    assert "DANH SÁCH ĐẢNG VIÊN" not in client.get(reverse("generated_files")).content.decode()
