import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["unit", "restructure", "term", "seat", "communitypost", "termlength"],
)
def test_admin_lists_open_for_a_superuser(client, admin_user, path):
    client.force_login(admin_user)
    assert client.get(f"/quan-tri/organizations/{path}/").status_code == 200


def test_units_are_read_only_in_the_admin(client, admin_user, tree):
    client.force_login(admin_user)
    assert client.get(f"/quan-tri/organizations/unit/{tree.cell1a.pk}/delete/").status_code == 403
    assert client.get("/quan-tri/organizations/unit/add/").status_code == 403
    page = client.get(f"/quan-tri/organizations/unit/{tree.cell1a.pk}/change/")
    assert page.status_code == 200 and "Chi bộ khu phố 1" in page.content.decode()
