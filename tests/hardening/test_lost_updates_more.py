"""Issue 15, defect 1, the same edit rule (chibo.concurrency) on the dues
sheet, the review steps and the unit edit pages: the second save is told
what changed and writes nothing; the page shown again saves."""

from datetime import date

import pytest
from django.test import Client

from dues.choices import DuesCategory
from dues.services import basis_set
from meetings.models import DuesPayment
from tests.hardening.html import post_form
from tests.hardening.test_imports_and_races import _slowed, _together
from tests.hardening.test_lost_updates import on_postgres


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_two_people_saving_one_dues_sheet_the_second_is_told_what_changed(
    tree, cell_secretary, ward1_staff
):
    a, b, c = tree.members.m1a
    for m in (a, b, c):
        basis_set(
            actor=None, member=m, category=DuesCategory.PENSION, base=6_000_000,
            since=date(2025, 1, 1),
        )  # fmt: skip
    url = f"/dang-phi/don-vi/{tree.cell1a.pk}/?month=03/2026"
    first, second = _client(cell_secretary), _client(ward1_staff)
    form1 = post_form(first.get(url).content, containing="_seen")
    form2 = post_form(second.get(url).content, containing="_seen")

    form1[f"state_{a.pk}"] = "other"
    form1[f"amount_{a.pk}"] = "50.000"
    assert first.post(url, form1).status_code == 302
    saved = dict(DuesPayment.objects.values_list("member_id", "amount"))
    assert saved == {a.pk: 50_000, b.pk: 30_000, c.pk: 30_000}

    form2[f"state_{b.pk}"] = "unpaid"
    response = second.post(url, form2)
    assert response.status_code == 200
    text = _messages(response)
    assert "Trong lúc bạn sửa" in text and a.full_name in text and "50.000 đ" in text, text
    # nothing of the second save written
    assert dict(DuesPayment.objects.values_list("member_id", "amount")) == saved

    again = post_form(response.content, containing="_seen")
    assert again[f"state_{a.pk}"] == "other" and again[f"amount_{a.pk}"] == "50.000"
    again[f"state_{b.pk}"] = "unpaid"
    assert second.post(url, again).status_code == 302
    assert dict(DuesPayment.objects.values_list("member_id", "amount")) == {
        a.pk: 50_000,
        c.pk: 30_000,
    }


def test_two_staff_restructuring_one_unit_the_second_is_told_what_changed(
    tree, ward1_staff, admin_user
):
    from organizations.models import Unit

    url = f"/to-chuc/{tree.cell1b.pk}/sap-xep/doi-ten/"
    first, second = _client(ward1_staff), _client(admin_user)
    seen1 = post_form(first.get(url).content, containing="_seen")["_seen"]
    seen2 = post_form(second.get(url).content, containing="_seen")["_seen"]

    def rename(client, seen, name, day):
        data = {
            "_seen": seen,
            "name": name,
            "decision_number": "7-QĐ/ĐU",
            "decision_date": "01/09/2019",
            "effective_on": day,
        }
        page = client.post(url, {**data, "preview": "1"})
        assert page.context["token"], page.context["error"] or page.context["form"].errors
        return page, client.post(url, {**data, "confirm": "1", "token": page.context["token"]})

    _page, done = rename(first, seen1, "Chi bộ Văn phòng phường", "01/10/2019")
    assert done.status_code == 302
    _page, refused = rename(second, seen2, "Chi bộ Cơ quan Đảng", "01/11/2019")
    assert refused.status_code == 200
    error = refused.context["error"]
    assert "Trong lúc bạn sửa" in error and "Chi bộ Văn phòng phường" in error, error
    assert Unit.objects.get(pk=tree.cell1b.pk).name == "Chi bộ Văn phòng phường"
    # the page shown again carries the unit as it is now: preview and confirm go through
    fresh = refused.context["seen"]
    assert fresh != seen2
    _page, done = rename(second, fresh, "Chi bộ Cơ quan Đảng", "01/11/2019")
    assert done.status_code == 302
    assert Unit.objects.get(pk=tree.cell1b.pk).name == "Chi bộ Cơ quan Đảng"


def _form_to(content, action: str) -> dict:
    from tests.hardening.html import parse

    form = next(f for f in parse(content).forms if f["action"] == action)
    return dict(form["fields"])


def test_two_people_saving_one_review_step_the_second_is_told_what_changed(
    tree, cell_secretary, ward1_staff
):
    from django.urls import reverse

    from reviews.models import MemberReview
    from tests.reviews.factories import open_cycle, review_of

    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    page = reverse("reviews:review", args=[review.pk])
    comment, own = (
        reverse("reviews:review_comment", args=[review.pk]),
        reverse("reviews:review_self", args=[review.pk]),
    )
    first, second = _client(cell_secretary), _client(ward1_staff)
    content2 = second.get(page).content
    form1 = _form_to(first.get(page).content, comment)
    form2, self2 = _form_to(content2, comment), _form_to(content2, own)
    assert form1["_seen"] and form2["_seen"]

    form1["text"] = "Gương mẫu, nhiệt tình"
    assert first.post(comment, form1).status_code == 302
    form2["text"] = "Còn chậm trễ"
    response = second.post(comment, form2)
    assert response.status_code == 200
    text = _messages(response)
    assert "Trong lúc bạn sửa" in text and "Gương mẫu, nhiệt tình" in text, text
    assert MemberReview.objects.get(pk=review.pk).cell_comment == "Gương mẫu, nhiệt tình"
    # what was typed here is kept on the page shown again, which saves on a second click
    again = _form_to(response.content, comment)
    assert "Còn chậm trễ" in response.content.decode()
    again["text"] = "Còn chậm trễ"
    assert second.post(comment, again).status_code == 302
    assert MemberReview.objects.get(pk=review.pk).cell_comment == "Còn chậm trễ"
    # another step of the same page, untouched by anyone else, is not refused
    self2["text"] = "Hoàn thành tốt nhiệm vụ"
    assert second.post(own, self2).status_code == 302
    assert MemberReview.objects.get(pk=review.pk).self_review == "Hoàn thành tốt nhiệm vụ"


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_dues_sheet_saves_at_the_same_moment_lose_nothing_silently(
    tree, cell_secretary, ward1_staff, monkeypatch
):
    from dues import services

    a, b, c = tree.members.m1a
    for m in (a, b, c):
        basis_set(
            actor=None, member=m, category=DuesCategory.PENSION, base=6_000_000,
            since=date(2025, 1, 1),
        )  # fmt: skip
    _slowed(monkeypatch, services, "dues_collect")
    url = f"/dang-phi/don-vi/{tree.cell1a.pk}/?month=03/2026"
    clients = [_client(cell_secretary), _client(ward1_staff)]
    forms = [post_form(cl.get(url).content, containing="_seen") for cl in clients]
    forms[0][f"state_{a.pk}"] = "other"
    forms[0][f"amount_{a.pk}"] = "50.000"
    forms[1][f"state_{b.pk}"] = "other"
    forms[1][f"amount_{b.pk}"] = "40.000"

    def save(i):
        response = clients[i].post(url, forms[i])
        return response.status_code, _messages(response)

    results = _together(2, save)
    assert sorted(code for code, _ in results) == [200, 302], results
    told = next(text for code, text in results if code == 200)
    assert "Trong lúc bạn sửa" in told
    saved = dict(DuesPayment.objects.values_list("member_id", "amount"))
    # exactly one of the two sheets is in: the one whose author was told "saved"
    assert (saved[a.pk], saved[b.pk]) in ((50_000, 30_000), (30_000, 40_000)), saved
