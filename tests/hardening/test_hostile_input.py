"""Issue 15, defects 5, 6, 8 and 10: control characters, formula injection,
oversized ids, log-in throttling across addresses."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Member
from organizations.models import Unit, UnitVersion
from tests.hardening.html import post_form

HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1:A2)", "\tTab", "\rCR"]


def _store_name(unit, name):
    """A unit name as stored before input was cleaned, in its current row and its history."""
    Unit.objects.filter(pk=unit.pk).update(name=name)
    UnitVersion.objects.filter(unit=unit).update(name=name)


def _xlsx_cells(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


# --- 5. control characters -------------------------------------------------------


def test_a_control_character_typed_in_the_dossier_is_not_stored(client, ward1_staff, tree):
    member = tree.members.m1a[0]
    client.force_login(ward1_staff)
    url = reverse("members:edit", args=[member.pk])
    data = post_form(client.get(url).content, containing="dossier_number")
    data["dossier_number"] = "LL\x01-123\x7f"
    data["full_name"] = "Trần\x02 Thị Bình"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.dossier_number == "LL-123"
    assert member.full_name == "Trần Thị Bình"


def test_a_nul_in_the_submission_note_is_refused_with_a_message(client, ward1_staff, tree):
    client.force_login(ward1_staff)
    url = reverse("reports:submit", args=[tree.ward1.pk])
    response = client.post(url, {"report": "structure", "period": "2026", "note": "ghi\x00chú"})
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()
    assert (
        not tree.ward1.submissions_sent.exists()
        if hasattr(tree.ward1, "submissions_sent")
        else True
    )


def test_member_exports_survive_a_control_character_already_stored(client, ward1_staff, tree):
    member = tree.members.m1a[0]
    # stored before input was cleaned (an old import, the admin's raw SQL)
    Member.objects.filter(pk=member.pk).update(dossier_number="LL\x01X", full_name="Lê\x03 Văn")
    Unit.objects.filter(pk=tree.cell1a.pk).update(name="Chi bộ\x01 khu phố 1")
    client.force_login(ward1_staff)
    response = client.get(reverse("members:list"), {"format": "xlsx"})
    assert response.status_code == 200
    values = [c.value for c in _xlsx_cells(b"".join(response))]
    assert "LLX" in values and "Lê Văn" in values
    response = client.get(reverse("members:list"), {"format": "csv"})
    text = b"".join(response).decode()
    assert "LLX" in text and "\x01" not in text


@pytest.mark.parametrize("report", ["structure", "composition"])
def test_report_spreadsheets_survive_a_control_character_already_stored(
    client, ward1_staff, tree, report
):
    _store_name(tree.cell1a, "Chi bộ\x01 khu phố 1")
    _store_name(tree.ward1, "Đảng bộ\x02 phường Một")
    client.force_login(ward1_staff)
    url = reverse("reports:report", args=[report, tree.ward1.pk])
    response = client.get(url, {"format": "xlsx", "by": "children"})
    assert response.status_code == 200
    content = b"".join(response) if response.streaming else response.content
    values = [c.value for c in _xlsx_cells(content)]
    assert any("Đảng bộ phường Một" in str(v) for v in values)
    assert any(v == "Chi bộ khu phố 1" for v in values)


# --- 6. formula injection ---------------------------------------------------------


def test_member_names_that_look_like_formulas_are_text_in_every_export(client, ward1_staff, tree):
    members = tree.members.m1a + tree.members.m1b
    for member, name in zip(members, HOSTILE_NAMES[:5], strict=False):
        Member.objects.filter(pk=member.pk).update(full_name=name)
    client.force_login(ward1_staff)

    response = client.get(reverse("members:list"), {"format": "xlsx"})
    cells = {c.value: c for c in _xlsx_cells(b"".join(response))}
    for name in HOSTILE_NAMES[:5]:
        stored = name.strip() if name.startswith("\t") else name
        cell = cells.get(name) or cells.get(stored)
        assert cell is not None, name
        assert cell.data_type == "s", name  # text, never a formula; the name as typed

    response = client.get(reverse("members:list"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response).decode().lstrip("\ufeff"))))
    firsts = {value for row in rows for value in row if "HYPERLINK" in value or "+" in value}
    assert firsts, rows[:3]
    for value in firsts:
        assert value.startswith("'"), value
    # names are stored as typed
    assert Member.objects.filter(full_name="+1+2").exists()


def test_report_csv_and_xlsx_neutralise_a_unit_name_that_looks_like_a_formula(
    client, ward1_staff, tree
):
    _store_name(tree.cell1a, "=1+1")
    client.force_login(ward1_staff)
    url = reverse("reports:report", args=["structure", tree.ward1.pk])
    response = client.get(url, {"format": "csv", "by": "children"})
    text = (b"".join(response) if response.streaming else response.content).decode()
    assert "=1+1" in text
    assert not any(line.startswith("=") for line in text.splitlines())
    assert all(
        field.startswith("'")
        for row in csv.reader(io.StringIO(text))
        for field in row
        if "=1+1" in field
    )
    response = client.get(url, {"format": "xlsx", "by": "children"})
    content = b"".join(response) if response.streaming else response.content
    assert all(c.data_type == "s" for c in _xlsx_cells(content) if c.value == "=1+1")
    assert any(c.value == "=1+1" for c in _xlsx_cells(content))


# --- 8. oversized ids --------------------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/dang-vien/{HUGE}/",
        f"/to-chuc/{HUGE}/",
        f"/sinh-hoat/{HUGE}/diem-danh/",
        f"/dang-vien/?unit={HUGE}",
        f"/sinh-hoat/?unit={HUGE}",
        f"/bao-cao/structure/{HUGE}/",
        f"/tep/{HUGE}/",
    ],
)
def test_an_oversized_id_answers_404(client, ward1_staff, url):
    client.raise_request_exception = False
    client.force_login(ward1_staff)
    assert client.get(url).status_code == 404


def test_an_oversized_cell_in_a_query_string_answers_404(client, ward1_staff, tree):
    from tests.reviews.factories import open_cycle

    cycle = open_cycle(tree.cell1a, 2025)
    client.raise_request_exception = False
    client.force_login(ward1_staff)
    for fmt in ("pdf", "docx"):
        url = reverse(f"reviews:cycle_vote_{fmt}", args=[cycle.pk])
        assert client.get(url, {"cell": HUGE}).status_code == 404
        assert client.get(url, {"cell": "-" + HUGE}).status_code == 404


# --- 10. log-in throttling across addresses -------------------------------------


def test_guesses_at_one_account_from_many_addresses_lock_it(client, settings, ward1_staff):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for i in range(3):
        client.post(
            reverse("login"),
            {"username": "ward1", "password": "sai"},
            REMOTE_ADDR=f"10.0.{i}.1",
        )
    response = client.post(
        reverse("login"), {"username": "ward1", "password": "chibo-demo"}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429
    assert "sai mật khẩu quá nhiều lần" in response.content.decode()
    # another account from those addresses is not locked
    client.post(reverse("login"), {"username": "ward2", "password": "x"}, REMOTE_ADDR="10.0.0.1")
