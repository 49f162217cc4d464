"""The replica router (chibo/replica.py): the read-only pages and the
worker's files read from the replica; writes, and the reads right after a
write, from the primary. The replica is a second connection to the same
test database (TEST MIRROR)."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from chibo.replica import PIN_COOKIE, replica_reads
from members.models import Member

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
