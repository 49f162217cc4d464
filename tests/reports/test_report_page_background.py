"""A report page for a unit of more units than CHIBO_REPORT_PAGE_BACKGROUND_UNITS
(a nation) is worked out by the background worker (issue 14 item 6): the
request answers at once with the queued state, in the same number of queries
however large the tree; once the worker has made the table, the page shows
it, the same table the request would have made; a province below the limit
is answered in the request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.exports import generated_file_run
from chibo.models import GeneratedFile
from organizations.models import Category
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def url(unit, name="structure", extra=""):
    return reverse("reports:report", args=[name, unit.pk]) + f"?date=01/06/2025{extra}"


@pytest.fixture
def no_worker(settings):
    """The tree fixture has 6 units: more than 3 go to the worker, which does
    not run by itself here."""
    settings.CHIBO_REPORT_PAGE_BACKGROUND_UNITS = 3
    settings.CHIBO_FORM_PAGE_BACKGROUND_UNITS = 3
    settings.TASKS = DUMMY
    return settings


def test_a_large_units_report_page_is_queued_then_shows_the_workers_table(
    client, tree, board, no_worker
):
    client.force_login(board)
    response = client.get(url(tree.province))
    assert response.status_code == 200
    assert "được tính ở chế độ nền" in response.content.decode()
    assert response.context["table"] is None
    job = GeneratedFile.objects.get()
    assert (job.kind, job.format, job.status) == ("reports.report", "json", "queued")
    # asked again while it is being made: the same job, not a second one
    client.get(url(tree.province))
    assert GeneratedFile.objects.count() == 1
    generated_file_run(job.pk)
    done = client.get(url(tree.province))
    assert "được tính ở chế độ nền" not in done.content.decode()
    table = done.context["table"]
    assert table is not None and table.unit_id == tree.province.pk
    # the table the request makes itself for a unit under the limit
    no_worker.CHIBO_REPORT_PAGE_BACKGROUND_UNITS = 0
    direct = client.get(url(tree.province)).context["table"]
    assert table.sections == direct.sections


def test_a_unit_under_the_limit_is_answered_in_the_request(client, tree, board, no_worker):
    client.force_login(board)
    response = client.get(url(tree.ward1, "composition", "&by=children"))
    assert response.status_code == 200
    assert response.context["table"] is not None
    assert not GeneratedFile.objects.exists()


def test_the_queued_page_sends_the_same_queries_for_a_larger_tree(client, tree, board, no_worker):
    client.force_login(board)
    client.get(url(tree.province))  # the job exists: later requests find it

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(tree.province)).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        ward = make_unit(f"Đảng bộ xã Thêm {i}", parent=tree.province, level=tree.ward1.level)
        cell = make_unit(f"Chi bộ ấp {i}", parent=ward, category=Category.VILLAGE)
        make_member(cell)
    # the data changed: a new job is queued, in the same number of queries
    # as finding the old one plus its creation
    client.get(url(tree.province))
    assert count() == before


def test_an_official_form_goes_to_the_worker_from_a_smaller_tree(client, tree, board, settings):
    """A form reads every member's history and profile: a province's goes to
    the worker (CHIBO_FORM_PAGE_BACKGROUND_UNITS) while its other reports
    stay in the request."""
    settings.TASKS = DUMMY
    settings.CHIBO_REPORT_PAGE_BACKGROUND_UNITS = 100
    settings.CHIBO_FORM_PAGE_BACKGROUND_UNITS = 3
    client.force_login(board)
    assert client.get(url(tree.province)).context["table"] is not None
    form = client.get(reverse("reports:report", args=["member_profile", tree.province.pk]))
    assert form.status_code == 200 and form.context["table"] is None
    assert GeneratedFile.objects.get().params["report"] == "member_profile"
    ward = client.get(reverse("reports:report", args=["member_profile", tree.ward1.pk]))
    assert ward.context["table"] is not None
