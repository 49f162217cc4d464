"""Issue 15: CCCD and card numbers are masked on lists and exports; the full
number is a deliberate, audited choice; a masked file imported back changes
nothing."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chibo.masking import is_masked, mask
from chibo.models import AuditEvent
from members.models import Member
from tests.factories import make_member
from tests.members.import_factories import import_file


@pytest.fixture
def person(tree):
    return make_member(
        tree.cell1a, full_name="Đỗ Văn Kín", card_number="79001234", national_id="079123456789"
    )


def _xlsx_cells(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(data)).active
    return data, [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def test_mask_keeps_the_last_four_digits():
    assert mask("079123456789") == "••••••••6789"
    assert mask("79001234") == "••••1234"
    assert mask(None) == "" and mask("") == ""
    assert is_masked("••••1234") and is_masked("****1234") and not is_masked("79001234")


def test_the_list_and_search_show_masked_numbers(client, ward1_staff, person):
    client.force_login(ward1_staff)
    for params in ({}, {"q": "do van kin"}):
        html = client.get(reverse("members:list"), params).content.decode()
        assert "Đỗ Văn Kín" in html
        assert "••••1234" in html
        assert "79001234" not in html and "079123456789" not in html


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_are_masked_by_default(client, ward1_staff, person, fmt):
    client.force_login(ward1_staff)
    response = client.get(reverse("members:list"), {"format": fmt})
    if fmt == "xlsx":
        _data, cells = _xlsx_cells(response)
    else:
        text = b"".join(response.streaming_content).decode("utf-8")
        cells = [v for row in csv.reader(io.StringIO(text[1:])) for v in row]
    assert "••••1234" in cells and "••••••••6789" in cells
    assert "79001234" not in cells and "079123456789" not in cells
    assert not AuditEvent.objects.filter(action="member.roster_full_export").exists()


def test_the_profile_masks_until_a_post_reveals_and_audits(client, ward1_staff, person):
    client.force_login(ward1_staff)
    url = reverse("members:detail", args=[person.pk])
    html = client.get(url).content.decode()
    assert "••••••••6789" in html and "079123456789" not in html and "79001234" not in html
    reveal = reverse("members:reveal", args=[person.pk])
    assert client.get(reveal).status_code == 405  # a link cannot reveal: a deliberate POST
    assert not AuditEvent.objects.filter(action="member.identifiers_revealed").exists()
    html = client.post(reveal).content.decode()
    assert "079123456789" in html and "79001234" in html
    event = AuditEvent.objects.get(action="member.identifiers_revealed")
    assert (event.actor, event.target_id) == (ward1_staff, person.pk)


def test_reveal_of_someone_out_of_reach_is_404_and_unaudited(client, ward2_staff, person):
    client.force_login(ward2_staff)
    assert client.post(reverse("members:reveal", args=[person.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="member.identifiers_revealed").exists()


def test_full_export_is_for_staff_only_and_audited(
    client, ward1_staff, board, cell_secretary, person
):
    for user in (board, cell_secretary):
        client.force_login(user)
        response = client.get(reverse("members:list"), {"format": "xlsx", "day_du": "1"})
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="member.roster_full_export").exists()
    client.force_login(ward1_staff)
    response = client.get(reverse("members:list"), {"format": "xlsx", "day_du": "1"})
    assert response.status_code == 200
    _data, cells = _xlsx_cells(response)
    assert "79001234" in cells and "079123456789" in cells
    event = AuditEvent.objects.get(action="member.roster_full_export")
    assert event.actor == ward1_staff


def test_a_masked_export_imported_back_changes_nothing(client, tree, ward1_staff, person):
    client.force_login(ward1_staff)
    response = client.get(reverse("members:list"), {"format": "xlsx"})
    data, cells = _xlsx_cells(response)
    assert "••••1234" in cells
    before = list(Member.objects.order_by("pk").values())
    count = Member.objects.count()
    batch = import_file(actor=ward1_staff, file_name="da-che.xlsx", data=data)
    assert batch.errors == []
    assert (batch.new_count, batch.updated_count) == (0, 0)
    assert Member.objects.count() == count
    assert list(Member.objects.order_by("pk").values()) == before
    person.refresh_from_db()
    assert (person.card_number, person.national_id) == ("79001234", "079123456789")


def test_a_masked_cell_matching_no_one_is_refused_not_stored(tree, ward1_staff, person):
    from tests.members.import_factories import roster_row, roster_xlsx

    row = roster_row(1, **{"Họ và tên": "Đỗ Văn Kín", "Số thẻ đảng viên": "••••9999"})
    row.pop("Số CCCD")
    batch = import_file(actor=ward1_staff, file_name="sai.xlsx", data=roster_xlsx([row]))
    assert batch.errors and "đã che" in str(batch.errors)
    assert not Member.objects.filter(card_number__contains="•").exists()
    person.refresh_from_db()
    assert person.card_number == "79001234"


def test_the_dossier_history_masks_old_and_new_numbers(client, ward1_staff, person):
    from members import services

    services.member_update(actor=ward1_staff, member=person, national_id="079999990001")
    client.force_login(ward1_staff)
    html = client.get(reverse("members:detail", args=[person.pk])).content.decode()
    assert "••••••••6789" in html and "••••••••0001" in html
    assert "079123456789" not in html and "079999990001" not in html
    html = client.post(reverse("members:reveal", args=[person.pk])).content.decode()
    assert "079123456789" in html and "079999990001" in html
