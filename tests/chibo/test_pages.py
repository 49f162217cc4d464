import pytest
from django.conf import settings
from django.urls import reverse


def test_anonymous_user_is_sent_to_log_in(client, tree):
    response = client.get(reverse("organizations:unit_detail", args=[tree.ward1.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_shows_the_users_ward_with_member_counts(client, ward1_staff, tree):
    client.force_login(ward1_staff)
    html = client.get(reverse("home")).content.decode()
    assert "Đảng bộ phường Một" in html
    assert "Chi bộ khu phố 1" in html and "Chi bộ cơ quan phường" in html
    assert "Đảng bộ xã Hai" not in html
    assert "5 đảng viên" in html  # 3 + 2 in the ward's two cells


@pytest.mark.parametrize(
    "persona,unit,status",
    [
        ("ward1_staff", "ward1", 200),
        ("ward1_staff", "cell1a", 200),
        ("ward1_staff", "ward2", 404),
        ("ward1_staff", "cell2a", 404),
        ("ward1_staff", "province", 404),
        ("ward2_staff", "cell1a", 404),
        ("board", "cell2a", 200),
        ("board", "province", 200),
        ("cell_secretary", "cell1a", 200),
        ("cell_secretary", "cell1b", 404),
        ("outsider", "ward1", 404),
    ],
)
def test_unit_page_is_reachable_only_inside_the_users_scope(
    client, request, tree, persona, unit, status
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("organizations:unit_detail", args=[getattr(tree, unit).pk]))
    assert response.status_code == status


def test_unit_page_lists_sub_units_with_member_counts(client, board, tree):
    client.force_login(board)
    response = client.get(reverse("organizations:unit_detail", args=[tree.province.pk]))
    children = {u.name: u.member_count for u in response.context["children"]}
    assert children == {"Đảng bộ phường Một": 5, "Đảng bộ xã Hai": 4}
    assert response.context["member_count"] == 9


def test_every_page_names_its_favicon_and_the_browsers_guess_finds_one(client, ward1_staff, tree):
    client.force_login(ward1_staff)
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    # what a browser asks for by itself: sent on to the served file
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"] == "/static/favicon.ico"
    served = settings.BASE_DIR / "static" / "favicon.ico"
    assert served.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an .ico file
