"""The replica router (chibo/replica.py): the read-only pages and the
worker's files read from the replica; writes, and the reads right after a
write, from the primary. The replica is a second connection to the same
test database (TEST MIRROR)."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from chibo.exports import generated_file_run
from chibo.models import GeneratedFile
from chibo.replica import PIN_COOKIE, replica_reads
from members.models import Member
from tests.reviews.factories import open_cycle

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

pytestmark = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["chibo.replica.ReplicaRouter"]


def queries(alias, fn):
    with CaptureQueriesContext(connections[alias]) as ctx:
        result = fn()
    return len(ctx), result


def test_the_member_list_and_a_report_read_from_the_replica(routed, tree, board, client):
    client.force_login(board)
    for url in ["/dang-vien/", f"/bao-cao/structure/{tree.province.pk}/"]:
        on_replica, response = queries(
            "replica", lambda u=url: client.get(u, HTTP_HOST="localhost")
        )
        assert response.status_code == 200
        assert on_replica > 0, url
    # the unit page is not on the list: the primary alone
    on_replica, response = queries(
        "replica", lambda: client.get(f"/to-chuc/{tree.ward1.pk}/", HTTP_HOST="localhost")
    )
    assert response.status_code == 200 and on_replica == 0


def test_after_a_post_the_browser_reads_from_the_primary_for_a_while(
    routed, tree, ward1_staff, client
):
    client.force_login(ward1_staff)
    member = tree.members.m1a[0]
    response = client.post(
        f"/dang-vien/{member.pk}/sua/", {"phone": "0900000000"}, HTTP_HOST="localhost"
    )
    assert PIN_COOKIE in response.cookies
    on_replica, response = queries(
        "replica", lambda: client.get("/dang-vien/", HTTP_HOST="localhost")
    )
    assert response.status_code == 200 and on_replica == 0
    # once the pin has run out, the list reads from the replica again
    client.cookies[PIN_COOKIE] = "0"
    on_replica, _r = queries("replica", lambda: client.get("/dang-vien/", HTTP_HOST="localhost"))
    assert on_replica > 0


def test_writes_go_to_the_primary_and_pin_the_rest_of_the_request(routed, tree):
    member = tree.members.m1a[0]
    with replica_reads():
        on_replica, _ = queries("replica", lambda: list(Member.objects.all()))
        assert on_replica == 1
        on_replica, _ = queries(
            "replica", lambda: Member.objects.filter(pk=member.pk).update(phone="0911")
        )
        assert on_replica == 0
        on_replica, phone = queries("replica", lambda: Member.objects.get(pk=member.pk).phone)
        assert on_replica == 0 and phone == "0911"


def test_a_job_keeps_reading_from_the_replica_while_it_writes_its_progress(routed, tree):
    member = tree.members.m1a[0]
    with replica_reads(pin_on_write=False):
        Member.objects.filter(pk=member.pk).update(phone="0922")
        on_replica, _ = queries("replica", lambda: list(Member.objects.all()))
        assert on_replica == 1


def test_without_the_router_everything_reads_from_the_primary(tree, board, client):
    client.force_login(board)
    on_replica, response = queries(
        "replica", lambda: client.get("/dang-vien/", HTTP_HOST="localhost")
    )
    assert response.status_code == 200 and on_replica == 0
    assert PIN_COOKIE not in response.cookies


def test_every_read_only_list_and_export_on_the_list_reads_from_the_replica(
    routed, tree, ward1_staff, client, settings
):
    """Each address of CHIBO_REPLICA_VIEWS (reports, exports, long lists),
    asked by the ward's staff, reads from the replica; a list left off
    (`members:due` included) would fail here."""
    cycle = open_cycle(tree.ward1, 2025)
    urls = {
        "/bao-cao/": "reports:catalogue",
        f"/bao-cao/structure/{tree.ward1.pk}/?format=xlsx": "reports:report",
        "/dang-vien/?format=csv": "members:list",
        "/dang-vien/den-han/huy-hieu/": "members:due",
        "/sinh-hoat/": "meetings:tracker",
        f"/danh-gia/ket-qua/{tree.ward1.pk}/": "reviews:results",
        "/dang-phi/": "dues:due",
        "/to-chuc/cay/": "organizations:tree",
        f"/to-chuc/{tree.ward1.pk}/theo-ngay/": "organizations:unit_as_of",
        "/to-chuc/canh-bao/": "organizations:warnings",
        f"/danh-gia/{cycle.pk}/bieu-quyet.pdf": "reviews:cycle_vote_pdf",
        f"/danh-gia/{cycle.pk}/quyet-dinh.docx": "reviews:cycle_decision_docx",
        f"/dang-phi/don-vi/{tree.cell1a.pk}/so/?format=xlsx": "dues:book",
        f"/dang-phi/don-vi/{tree.ward1.pk}/thu-nop/?format=pdf": "dues:remittance",
    }
    client.force_login(ward1_staff)
    for url, name in urls.items():
        assert resolve(url.split("?")[0]).view_name == name
        assert name in settings.CHIBO_REPLICA_VIEWS
        on_replica, response = queries(
            "replica", lambda u=url: client.get(u, HTTP_HOST="localhost")
        )
        assert response.status_code == 200, url
        assert on_replica > 0, url
        assert PIN_COOKIE not in response.cookies, url  # nothing written


def test_a_file_queued_by_a_get_pins_the_browser_to_the_primary(
    routed, tree, board, client, settings
):
    """Asking for a large roster writes its job: the request's reads after
    that go to the primary, and so do the browser's next pages (the job's
    page first), so it finds the job it just queued."""
    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"*": 1}
    settings.TASKS = DUMMY
    client.force_login(board)
    on_replica, response = queries(
        "replica", lambda: client.get("/dang-vien/?format=csv", HTTP_HOST="localhost")
    )
    assert response.status_code == 302 and on_replica > 0  # the estimate, before the write
    assert GeneratedFile.objects.using("default").get().status == "queued"
    assert PIN_COOKIE in response.cookies
    on_replica, page = queries(
        "replica", lambda: client.get(response["Location"], HTTP_HOST="localhost")
    )
    assert page.status_code == 200 and on_replica == 0
    on_replica, _r = queries("replica", lambda: client.get("/dang-vien/", HTTP_HOST="localhost"))
    assert on_replica == 0


def test_the_worker_makes_the_file_from_the_replica_and_records_it_on_the_primary(
    routed, tree, board, client, settings
):
    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"*": 1}
    settings.TASKS = DUMMY
    client.force_login(board)
    client.get("/dang-vien/?format=xlsx", HTTP_HOST="localhost")
    job = GeneratedFile.objects.get()
    with CaptureQueriesContext(connections["default"]) as primary:
        on_replica, done = queries("replica", lambda: generated_file_run(job.pk))
    assert done.status == GeneratedFile.Status.DONE and done.size > 0
    assert on_replica > 0  # the members, their units
    written = [q["sql"] for q in primary.captured_queries if q["sql"].startswith("UPDATE")]
    assert written  # the claim and the outcome, on the primary


def test_inside_a_transaction_reads_stay_on_the_primary(routed, tree):
    """What a transaction wrote is not on the replica yet: a service reading
    back inside its own atomic block reads the primary, even where the rest
    may read the replica."""
    member = tree.members.m1a[0]
    with replica_reads(pin_on_write=False), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(phone="0933")
        on_replica, phone = queries("replica", lambda: Member.objects.get(pk=member.pk).phone)
        assert on_replica == 0 and phone == "0933"
