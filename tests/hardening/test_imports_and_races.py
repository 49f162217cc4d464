"""Issue 15, defects 2, 3 and 4 for the two real import kinds (members and
units) and for the forms: a double confirm applies once, a confirm whose
outcome differs from its preview writes nothing, two foundings of one name
give one unit, and racing saves of one CCCD give one success and the form's
message, never a 500. The races run on PostgreSQL with real parallel
sessions (one connection per thread)."""

import threading
import time
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from chibo.errors import ServiceError
from chibo.imports import import_check, import_confirm, import_start
from chibo.models import ImportBatch
from chibo.spreadsheets import build_xlsx
from members import services as member_services
from members.models import Member
from organizations.models import Level, Unit
from organizations.services import unit_found
from tests.factories import make_member
from tests.hardening.html import post_form
from tests.members.import_factories import roster_row, roster_xlsx

on_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="sessions writing at the same moment need PostgreSQL (SQLite has one writer)",
)

UNIT_HEADERS = ["Tên đơn vị", "Mã đơn vị", "Cấp", "Loại chi bộ", "Trực thuộc", "Ngày thành lập"]
NEW_CELL = ["Chi bộ khu phố 8", "P1-KP8", "Chi bộ", "Khu phố", "Đảng bộ phường Một", "01/07/2025"]


def _units_file(rows) -> bytes:
    return build_xlsx(UNIT_HEADERS, rows, title="DANH SÁCH TỔ CHỨC ĐẢNG")


def _previewed(kind: str, data: bytes, actor) -> ImportBatch:
    return import_check(import_start(kind, actor=actor, file_name="tep.xlsx", data=data))


def _together(n: int, work) -> list:
    """`work(i)` in `n` threads released at once, each with its own connection."""
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            out[i] = work(i)
        except Exception as exc:  # kept for the assertion, never swallowed
            out[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _slowed(monkeypatch, module, name, seconds=0.4):
    """The function `name` of `module` waits after it ran, so that sessions
    started together are all past their checks before any of them writes."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, slow)


# --- 2. a double confirm applies once ---------------------------------------------


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["members", "units"])
def test_two_sessions_confirming_one_import_together_apply_it_once(kind, tree, ward1_staff):
    if kind == "members":
        data, count = roster_xlsx([roster_row(1), roster_row(2)]), 2
    else:
        data, count = _units_file([NEW_CELL]), 1
    batch = _previewed(kind, data, ward1_staff)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.message
    before = (Member.objects.count(), Unit.objects.count())

    def confirm(i):
        client = Client()
        client.force_login(ward1_staff)
        return client.post(reverse("imports:confirm", args=[batch.pk])).status_code

    codes = _together(3, confirm)
    assert all(code == 302 for code in codes), codes
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.message
    if kind == "members":
        assert Member.objects.count() == before[0] + count
        assert Member.objects.filter(full_name="Lê Thị Nhập 1").count() == 1
    else:
        assert Unit.objects.count() == before[1] + count
        assert Unit.objects.filter(name="Chi bộ khu phố 8").count() == 1


# --- 3. preview ≠ apply --------------------------------------------------------------


def test_a_member_created_between_preview_and_confirm_stops_the_import(tree, ward1_staff):
    batch = _previewed("members", roster_xlsx([roster_row(1)]), ward1_staff)
    assert [r["outcome"] for r in batch.result["rows"]] == ["new"]
    # meanwhile someone enters the same card by hand, under another name
    someone = make_member(
        tree.cell1a, full_name="Phạm Văn Tay", card_number="90000001", admitted_on=None
    )
    assert import_confirm(batch, actor=ward1_staff) is True
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert "Dữ liệu đã thay đổi từ lúc kiểm tra tệp" in batch.message
    someone.refresh_from_db()
    assert someone.full_name == "Phạm Văn Tay"  # not silently renamed
    assert someone.admitted_on is None or someone.admitted_on != date(2010, 2, 3)
    assert not Member.objects.filter(full_name="Lê Thị Nhập 1").exists()


def test_a_unit_founded_between_preview_and_confirm_stops_the_unit_import(tree, ward1_staff):
    batch = _previewed("units", _units_file([NEW_CELL]), ward1_staff)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.message
    unit_found(
        actor=ward1_staff,
        name="Chi bộ khu phố 8 (tay)",
        level=Level.CELL,
        category="residential",
        parent=tree.ward1,
        founded_on=date(2025, 7, 1),
        code="P1-KP8",
    )
    import_confirm(batch, actor=ward1_staff)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert "Dữ liệu đã thay đổi từ lúc kiểm tra tệp" in batch.message
    assert Unit.objects.filter(code="P1-KP8").count() == 1
    assert not Unit.objects.filter(name="Chi bộ khu phố 8").exists()


# --- the found form: no second live sibling of one name ------------------------------


def test_founding_a_second_live_cell_of_the_same_name_is_refused(tree, ward1_staff):
    with pytest.raises(ServiceError, match="Đã có “Chi bộ khu phố 1” trực thuộc"):
        unit_found(
            actor=ward1_staff,
            name="chi bộ  KHU PHỐ 1",
            level=Level.CELL,
            category="residential",
            parent=tree.ward1,
            founded_on=date(2025, 7, 1),
        )
    # the same name under another superior is another cell
    unit_found(
        actor=None,
        name="Chi bộ khu phố 1",
        level=Level.CELL,
        category="residential",
        parent=tree.ward2,
        founded_on=date(2025, 7, 1),
    )


def test_the_found_form_says_the_name_is_taken(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    url = reverse("organizations:found", args=[tree.ward1.pk])
    data = post_form(client.get(url).content, containing="name")
    data.update(
        name="Chi bộ khu phố 1",
        effective_on="01/07/2025",
        decision_number="12-QĐ/ĐU",
        decision_date="20/06/2025",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Đã có “Chi bộ khu phố 1”" in response.content.decode()
    assert Unit.objects.filter(name="Chi bộ khu phố 1", parent=tree.ward1).count() == 1


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_founding_one_cell_at_once_get_one_cell(tree, ward1_staff, monkeypatch):
    from organizations import services

    _slowed(monkeypatch, services, "validate_placement_in_tree")

    def found(i):
        return unit_found(
            actor=ward1_staff,
            name="Chi bộ khu phố 9",
            level=Level.CELL,
            category="residential",
            parent=tree.ward1,
            founded_on=date(2025, 7, 1),
        )

    results = _together(2, found)
    assert sum(isinstance(r, Unit) for r in results) == 1, results
    assert sum(isinstance(r, ServiceError) for r in results) == 1, results
    assert Unit.objects.filter(name="Chi bộ khu phố 9").count() == 1


# --- 4. a unique violation is the form's message -------------------------------------


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_three_staff_saving_one_cccd_at_once_get_one_success_and_the_forms_message(
    tree, ward1_staff, monkeypatch
):
    _slowed(monkeypatch, member_services, "_validate_profile")
    members = tree.members.m1a
    forms = []
    for member in members:
        client = Client()
        client.force_login(ward1_staff)
        url = reverse("members:edit", args=[member.pk])
        data = post_form(client.get(url).content, containing="national_id")
        data["national_id"] = "001099012345"
        forms.append((client, url, data))

    def save(i):
        client, url, data = forms[i]
        client.raise_request_exception = False
        response = client.post(url, data)
        return response.status_code, response.content.decode()

    results = _together(3, save)
    codes = sorted(code for code, _ in results)
    assert codes == [200, 200, 302], codes
    for code, body in results:
        if code == 200:
            assert "Số CCCD 001099012345 đã được dùng cho một người khác" in body
    assert Member.objects.filter(national_id="001099012345").count() == 1
