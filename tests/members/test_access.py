"""Who may open which members page: for every URL, a persona that may and one
that may not; someone else's member or unit in the URL is a 404."""

from datetime import date

import pytest
from django.urls import reverse

from members import services
from tests.members.factories import make_candidate


@pytest.fixture
def contact(tree):
    return services.residence_contact_start(
        actor=None, member=tree.members.m1b[0], unit=tree.cell1a, day=date(2024, 1, 1)
    )


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    m = tree.members.m1a[0]
    for url in (
        reverse("members:list"),
        reverse("members:detail", args=[m.pk]),
        reverse("members:due", args=["du-bi"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("persona", ["ward1_staff", "board", "cell_secretary", "admin_user"])
def test_those_in_reach_read_a_profile(client, tree, persona, request):
    m = tree.members.m1a[0]
    assert (
        get(
            client, request.getfixturevalue(persona), reverse("members:detail", args=[m.pk])
        ).status_code
        == 200
    )


@pytest.mark.parametrize("persona", ["ward2_staff", "outsider"])
def test_someone_elses_member_is_a_404(client, tree, persona, request):
    m = tree.members.m1a[0]
    user = request.getfixturevalue(persona)
    for name in ("detail", "edit"):
        assert get(client, user, reverse(f"members:{name}", args=[m.pk])).status_code == 404
    assert get(client, user, reverse("members:action", args=[m.pk, "xoa-ten"])).status_code == 404


def test_a_cell_secretary_sees_only_their_cell(client, tree, cell_secretary):
    other = tree.members.m1b[0]
    assert (
        get(client, cell_secretary, reverse("members:detail", args=[other.pk])).status_code == 404
    )


@pytest.mark.parametrize("persona", ["board", "cell_secretary"])
def test_readers_may_not_edit_or_act(client, tree, persona, request):
    m = tree.members.m1a[0]
    user = request.getfixturevalue(persona)
    assert get(client, user, reverse("members:edit", args=[m.pk])).status_code == 403
    response = client.post(reverse("members:action", args=[m.pk, "tu-tran"]), {"day": "01/01/2024"})
    assert response.status_code == 403
    m.refresh_from_db()
    assert m.status == "official"
    assert (
        get(client, user, reverse("members:candidate_new", args=[tree.cell1a.pk])).status_code
        == 403
    )


def test_staff_may_edit_and_act(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    assert get(client, ward1_staff, reverse("members:edit", args=[m.pk])).status_code == 200
    assert (
        get(client, ward1_staff, reverse("members:action", args=[m.pk, "xoa-ten"])).status_code
        == 200
    )
    assert (
        get(
            client, ward1_staff, reverse("members:candidate_new", args=[tree.cell1a.pk])
        ).status_code
        == 200
    )


def test_an_unknown_action_or_unit_is_a_404(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    assert (
        get(client, ward1_staff, reverse("members:action", args=[m.pk, "bay-len"])).status_code
        == 404
    )
    assert (
        get(
            client, ward1_staff, reverse("members:candidate_new", args=[tree.cell2a.pk])
        ).status_code
        == 404
    )
    assert (
        get(client, ward1_staff, reverse("members:list") + f"?unit={tree.ward2.pk}").status_code
        == 404
    )
    assert get(client, ward1_staff, reverse("members:due", args=["khong-co"])).status_code == 404


@pytest.mark.parametrize("kind", ["du-bi", "huy-hieu", "mien-sinh-hoat"])
def test_due_lists_are_scoped(client, tree, ward2_staff, kind):
    response = get(client, ward2_staff, reverse("members:due", args=[kind]))
    assert response.status_code == 200


def test_the_residence_page_opens_for_the_residence_cell_and_not_for_others(
    client, tree, contact, cell_secretary, ward2_staff
):
    url = reverse("members:residence", args=[tree.cell1a.pk])
    response = get(client, cell_secretary, url)
    assert response.status_code == 200
    assert contact.member.full_name in response.content.decode()
    assert get(client, ward2_staff, url).status_code == 404


def test_only_the_residence_cell_may_comment(
    client, tree, contact, cell_secretary, ward2_staff, board
):
    url = reverse("members:residence_comment", args=[contact.pk])
    data = {"year": date.today().year, "comment": "Gương mẫu ở khu dân cư"}
    client.force_login(ward2_staff)
    assert client.post(url, data).status_code == 404
    client.force_login(board)
    assert client.post(url, data).status_code == 403
    client.force_login(cell_secretary)
    assert client.post(url, data).status_code == 302
    assert contact.comments.get().comment == "Gương mẫu ở khu dân cư"


def test_candidate_page_rejects_a_committee(
    client,
    tree,
    ward1_staff,
):
    assert (
        get(client, ward1_staff, reverse("members:candidate_new", args=[tree.ward1.pk])).status_code
        == 404
    )


def test_a_candidate_profile_lists_the_admission_action(client, tree, ward1_staff):
    cand = make_candidate(tree.cell1a, tree.members.m1a[:2])
    body = get(client, ward1_staff, reverse("members:detail", args=[cand.pk])).content.decode()
    assert "Kết nạp vào Đảng" in body
    assert "Xóa tên" not in body


def test_administrators_read_members_and_their_history_in_the_admin(client, tree, admin_user):
    m = tree.members.m1a[0]
    client.force_login(admin_user)
    listing = client.get(reverse("admin:members_member_changelist"), {"q": "nguyen van thu"})
    assert listing.status_code == 200 and m.full_name in listing.content.decode()
    assert client.get(reverse("admin:members_member_history", args=[m.pk])).status_code == 200
    assert client.get(reverse("admin:members_member_add")).status_code == 403


def test_someone_without_a_role_sees_an_empty_list_and_exports_nothing(client, tree, outsider):
    client.force_login(outsider)
    response = client.get(reverse("members:list"))
    assert response.status_code == 200 and list(response.context["page"]) == []
    export = client.get(reverse("members:list"), {"format": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8").strip().splitlines()
    assert len(lines) == 1  # the header only
    body = client.get(reverse("members:due", args=["huy-hieu"])).content.decode()
    assert "Không có ai trong danh sách này" in body


def test_ending_a_residence_contact_from_the_profile(client, tree, contact, ward1_staff):
    client.force_login(ward1_staff)
    member = contact.member
    body = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "Kết thúc liên hệ nơi cư trú" in body
    response = client.post(
        reverse("members:action", args=[member.pk, "thoi-cu-tru"]), {"day": "01/06/2025"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.valid_to == date(2025, 6, 1)
    again = client.post(
        reverse("members:action", args=[member.pk, "thoi-cu-tru"]), {"day": "02/06/2025"}
    )
    assert "không có liên hệ nơi cư trú nào đang mở" in again.content.decode()


def test_the_profile_offers_the_return_only_to_a_member_away(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    client.force_login(ward1_staff)
    url = reverse("members:detail", args=[m.pk])
    body = client.get(url).content.decode()
    assert "Sinh hoạt tạm thời" in body and "Kết thúc sinh hoạt tạm thời" not in body
    services.member_transfer_temporary(actor=None, member=m, host=tree.cell1b, day=date(2024, 1, 1))
    body = client.get(url).content.decode()
    assert "Kết thúc sinh hoạt tạm thời" in body


def test_ids_beyond_any_record_are_404_not_errors(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    big = "9" * 25
    for url in (
        f"/dang-vien/{big}/",
        f"/dang-vien/{big}/sua/",
        f"/dang-vien/{big}/tu-tran/",
        f"/dang-vien/?unit={big}",
        f"/dang-vien/chi-bo/{big}/quan-chung/",
        f"/dang-vien/noi-cu-tru/{big}/",
    ):
        assert client.get(url).status_code == 404, url
    # a number beyond any id anywhere in the query string is "not found" too
    # (chibo.middleware.HostileInputMiddleware: one rule, not one per view)
    assert client.get(f"/dang-vien/den-han/huy-hieu/?nam={big}&page={big}").status_code == 404
    assert client.get("/dang-vien/den-han/huy-hieu/?nam=99999&page=99999").status_code == 200
