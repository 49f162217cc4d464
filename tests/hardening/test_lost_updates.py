"""Issue 15, defect 1: two staff editing one record. The second save is told
that the record changed, and what changed, and writes nothing; its page,
shown again, saves on a second "Ghi" (chibo.concurrency). The parallel cases
run on PostgreSQL, each session in its own thread and connection."""

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from meetings.models import Attendance
from members.models import Member
from tests.hardening.html import post_form
from tests.hardening.test_imports_and_races import _slowed, _together
from tests.meetings.factories import make_meeting

on_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="sessions writing at the same moment need PostgreSQL (SQLite has one writer)",
)


def _staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _open(client, url, containing):
    return post_form(client.get(url).content, containing=containing)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- attendance -----------------------------------------------------------------------


def test_two_staff_changing_the_same_attendance_the_second_is_told_what_changed(tree, ward1_staff):
    meeting = make_meeting(tree.cell1a, actor=ward1_staff)
    a, b = tree.members.m1a[0], tree.members.m1a[1]
    url = reverse("meetings:attendance", args=[meeting.pk])
    first, second = _staff_client(ward1_staff), _staff_client(ward1_staff)
    form1, form2 = _open(first, url, "_seen"), _open(second, url, "_seen")

    form1[f"status_{a.pk}"] = "excused"
    form1[f"reason_{a.pk}"] = "Ốm đau"
    assert first.post(url, form1).status_code == 302
    form2[f"status_{b.pk}"] = "unexcused"
    response = second.post(url, form2)
    assert response.status_code == 200
    text = _messages(response)
    assert "Trong lúc bạn sửa" in text and a.full_name in text, text
    assert "Vắng có lý do (Ốm đau)" in text
    # nothing of the second save written; the first one kept
    assert Attendance.objects.get(meeting=meeting, member=a).status == "excused"
    assert not Attendance.objects.filter(meeting=meeting, member=b, status="unexcused").exists()
    # the page shown again shows the first change and saves on a second click
    again = post_form(response.content, containing="_seen")
    assert again[f"status_{a.pk}"] == "excused"
    again[f"status_{b.pk}"] = "unexcused"
    assert second.post(url, again).status_code == 302
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("member", "status"))
    assert statuses[a.pk] == "excused" and statuses[b.pk] == "unexcused"


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_attendance_saves_at_the_same_moment_lose_nothing_silently(
    tree, ward1_staff, monkeypatch
):
    from meetings import services

    meeting = make_meeting(tree.cell1a, actor=ward1_staff)
    from tests.meetings.factories import take_attendance

    take_attendance(meeting, actor=ward1_staff)
    _slowed(monkeypatch, services, "expected_attendance")
    a, b = tree.members.m1a[0], tree.members.m1a[1]
    url = reverse("meetings:attendance", args=[meeting.pk])
    clients = [_staff_client(ward1_staff) for _ in range(2)]
    forms = [_open(c, url, "_seen") for c in clients]
    forms[0][f"status_{a.pk}"] = "excused"
    forms[0][f"reason_{a.pk}"] = "Ốm đau"
    forms[1][f"status_{b.pk}"] = "excused"
    forms[1][f"reason_{b.pk}"] = "Đi công tác"

    def save(i):
        response = clients[i].post(url, forms[i])
        return response.status_code, _messages(response)

    results = _together(2, save)
    codes = sorted(code for code, _ in results)
    assert codes == [200, 302], results
    told = next(text for code, text in results if code == 200)
    assert "Trong lúc bạn sửa" in told
    saved = dict(Attendance.objects.filter(meeting=meeting).values_list("member", "status"))
    # exactly one of the two changes is in, and its author was told "saved";
    # the other was told it was not saved
    assert sorted([saved[a.pk], saved[b.pk]]) == ["excused", "present"]


# --- the member's dossier -----------------------------------------------------------


def test_two_staff_editing_one_dossier_the_second_is_told_what_changed(tree, ward1_staff):
    member = tree.members.m1a[0]
    url = reverse("members:edit", args=[member.pk])
    first, second = _staff_client(ward1_staff), _staff_client(ward1_staff)
    form1, form2 = _open(first, url, "phone"), _open(second, url, "phone")
    form1["phone"] = "0912345678"
    assert first.post(url, form1).status_code == 302
    form2["workplace"] = "UBND phường"
    response = second.post(url, form2)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Trong lúc bạn sửa" in body and "Số điện thoại" in body and "0912345678" in body
    member.refresh_from_db()
    assert member.phone == "0912345678" and member.workplace != "UBND phường"
    # saved on the second click, with the phone number now in the form
    again = post_form(response.content, containing="phone")
    assert again["phone"] == "0912345678" or again["workplace"] == "UBND phường"
    again["phone"], again["workplace"] = "0912345678", "UBND phường"
    assert second.post(url, again).status_code == 302
    member.refresh_from_db()
    assert (member.phone, member.workplace) == ("0912345678", "UBND phường")


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_dossier_saves_at_the_same_moment_the_second_is_refused(tree, ward1_staff):
    member = tree.members.m1a[0]
    url = reverse("members:edit", args=[member.pk])
    clients = [_staff_client(ward1_staff) for _ in range(2)]
    forms = [_open(c, url, "phone") for c in clients]
    forms[0]["phone"] = "0911111111"
    forms[1]["workplace"] = "Trường tiểu học"

    def save(i):
        return clients[i].post(url, forms[i]).status_code

    assert sorted(_together(2, save)) == [200, 302]
    member = Member.objects.get(pk=member.pk)
    assert (member.phone == "0911111111") != (member.workplace == "Trường tiểu học")


# --- the meeting ----------------------------------------------------------------------


def test_two_staff_editing_one_meeting_the_second_is_told_what_changed(tree, ward1_staff):
    meeting = make_meeting(tree.cell1a, actor=ward1_staff, held_on=date(2026, 3, 12))
    url = reverse("meetings:edit", args=[meeting.pk])
    first, second = _staff_client(ward1_staff), _staff_client(ward1_staff)
    form1, form2 = _open(first, url, "place"), _open(second, url, "place")
    form1["place"] = "Hội trường UBND phường"
    assert first.post(url, form1).status_code == 302
    form2["conclusions"] = "Kết luận khác."
    response = second.post(url, form2)
    assert response.status_code == 200
    text = _messages(response) + response.content.decode()
    assert "Trong lúc bạn sửa" in text and "Hội trường UBND phường" in text
    meeting.refresh_from_db()
    assert meeting.place == "Hội trường UBND phường"
    assert meeting.conclusions == "Thống nhất các nhiệm vụ."


def test_a_post_without_the_seen_field_saves_as_before(tree, ward1_staff):
    member = tree.members.m1a[0]
    client = _staff_client(ward1_staff)
    url = reverse("members:edit", args=[member.pk])
    data = _open(client, url, "phone")
    data.pop("_seen")
    data["phone"] = "0933333333"
    assert client.post(url, data).status_code == 302
