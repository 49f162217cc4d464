import pytest
from django.urls import reverse

from chibo.models import AuditEvent


@pytest.fixture(autouse=True)
def _axes(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _try(client, password):
    return client.post(
        reverse("login"), {"username": "ward1", "password": password}, REMOTE_ADDR="10.0.0.9"
    )


def test_a_wrong_password_shows_a_vietnamese_error(client, ward1_staff):
    response = _try(client, "sai")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account_out_even_with_the_right_one(client, ward1_staff):
    for _ in range(3):
        _try(client, "sai")
    response = _try(client, "chibo-demo")
    assert response.status_code == 429
    assert "sai mật khẩu quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_logs_in_and_goes_home(client, ward1_staff):
    response = _try(client, "chibo-demo")
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_only_administrators_reach_the_admin_site(client, ward1_staff, admin_user):
    client.force_login(ward1_staff)
    assert client.get("/quan-tri/").status_code == 302  # sent to the admin log-in
    client.force_login(admin_user)
    assert client.get("/quan-tri/").status_code == 200
    assert client.get(reverse("admin:chibo_user_changelist")).status_code == 200


def test_granting_a_role_in_the_admin_is_recorded(client, admin_user, outsider, tree):
    client.force_login(admin_user)
    url = reverse("admin:chibo_user_change", args=[outsider.pk])
    data = {
        "username": "outsider",
        "full_name": "Người ngoài",
        "email": "",
        "phone": "",
        "is_active": "on",
        "date_joined_0": "01/01/2024",
        "date_joined_1": "08:00:00",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-unit": str(tree.ward2.pk),
        "roles-0-kind": "staff",
        "roles-0-valid_from": "01/01/2024",
        "roles-0-valid_to": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert outsider.roles.get().unit == tree.ward2
    event = AuditEvent.objects.get(action="role_grant")
    assert event.actor == admin_user and event.unit_path == tree.ward2.path
    client.force_login(outsider)
    assert client.get(reverse("organizations:unit_detail", args=[tree.ward2.pk])).status_code == 200
