"""Issue 15, "a fuzz test": hypothesis over the import parser and the main
forms (dates, numbers, names, ids). Whatever is typed or uploaded, the answer
is a page or a message, never a 500. Bounded (50 examples each, no deadline)
so the suite stays quick."""

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo import dates
from chibo.imports import import_check, import_start
from chibo.models import ImportBatch
from chibo.spreadsheets import Column, SpreadsheetError, parse_date, read_sheet, writable_text
from tests.hardening.html import post_form
from tests.meetings.factories import make_meeting
from tests.members.import_factories import HEADERS, roster_row, roster_xlsx

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# what people type: Vietnamese text, digits and separators, control
# characters, formula starts, huge numbers, empty
typed = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789/.-: ", max_size=14),
    st.sampled_from(
        [
            "",
            " ",
            "31/02/2026",
            "0/0/0",
            "99999999999999999999",
            "-1",
            "1e309",
            "NaN",
            '=HYPERLINK("x")',
            "\x01\x02",
            "ngày 1 tháng 12",
            "00/13/2026",
            "29/02/1900",
            "1/1/1",
            "9999-99-99",
            "١٢/٠٣/٢٠٢٦",
            "’; DROP TABLE",
            "<script>",
        ]
    ),
)
ids = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet="0123456789abc-_ ", max_size=25),
)


def _ok(response):
    assert response.status_code < 500, response.content[:500]


# --- the parser ----------------------------------------------------------------------


@FUZZ
@given(value=typed)
def test_the_one_date_parser_gives_a_date_or_its_message(value):
    try:
        dates.parse_day(value)
    except dates.DateError as exc:
        assert exc.message
    try:
        parse_date(value)
    except ValueError as exc:  # CellError: a message for the cell
        assert str(exc)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_any_bytes_are_a_sheet_or_a_message(data):
    columns = [Column("name", "Họ và tên", required=True), Column("day", "Ngày sinh")]
    try:
        sheet = read_sheet(data, columns=columns, filename="x.csv")
        for _row in sheet.rows:
            pass
    except SpreadsheetError as exc:
        assert exc.message


@FUZZ
@given(cells=st.lists(st.lists(typed, min_size=len(HEADERS), max_size=len(HEADERS)), max_size=4))
def test_any_roster_rows_preview_to_outcomes_or_messages(tree, ward1_staff, cells):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerows(cells)
    data = out.getvalue().encode()
    batch = import_check(import_start("members", actor=ward1_staff, file_name="x.csv", data=data))
    assert batch.status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED)
    if batch.status == ImportBatch.Status.FAILED:
        assert batch.message


@FUZZ
@given(name=typed, birth=typed, card=typed, cccd=typed)
def test_any_roster_values_in_a_workbook_preview_without_error(
    tree, ward1_staff, name, birth, card, cccd
):
    row = roster_row(
        1, **{"Họ và tên": name, "Ngày sinh": birth, "Số thẻ đảng viên": card, "Số CCCD": cccd}
    )
    # what a workbook can hold at all (openpyxl, like Excel, refuses control characters)
    data = roster_xlsx([{k: writable_text(v) for k, v in row.items()}])
    batch = import_check(import_start("members", actor=ward1_staff, file_name="x.xlsx", data=data))
    assert batch.status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED)


# --- the main forms ---------------------------------------------------------------------


@pytest.fixture
def meeting(tree, ward1_staff):
    """One meeting for all the examples of a test (a cell has one regular
    meeting a month)."""
    return make_meeting(tree.cell1a, actor=ward1_staff)


@pytest.fixture
def staff(client, ward1_staff):
    client.force_login(ward1_staff)
    client.raise_request_exception = False
    return client


@FUZZ
@given(
    field=st.sampled_from(
        [
            "full_name",
            "birth_date",
            "national_id",
            "phone",
            "card_number",
            "admitted_on",
            "official_on",
            "dossier_number",
            "gender",
        ]
    ),
    value=typed,
)
def test_the_dossier_form_takes_anything(staff, tree, field, value):
    member = tree.members.m1a[0]
    url = reverse("members:edit", args=[member.pk])
    data = post_form(staff.get(url).content, containing="full_name")
    data[field] = value
    _ok(staff.post(url, data))


@FUZZ
@given(
    field=st.sampled_from(
        ["month", "held_on", "starts_at", "ends_at", "place", "number", "chair", "kind", "body"]
    ),
    value=typed,
)
def test_the_meeting_form_takes_anything(staff, meeting, field, value):
    url = reverse("meetings:edit", args=[meeting.pk])
    data = post_form(staff.get(url).content, containing="place")
    data[field] = value
    _ok(staff.post(url, data))


@FUZZ
@given(status=typed, reason=typed, member=ids)
def test_the_attendance_form_takes_anything(staff, meeting, status, reason, member):
    url = reverse("meetings:attendance", args=[meeting.pk])
    data = post_form(staff.get(url).content, containing="_seen")
    data[f"status_{member}"] = status
    data[f"reason_{member}"] = reason
    _ok(staff.post(url, data))


@FUZZ
@given(name=typed, day=typed, code=typed, level=typed)
def test_the_found_form_takes_anything(staff, tree, name, day, code, level):
    url = reverse("organizations:found", args=[tree.ward1.pk])
    _ok(
        staff.post(
            url,
            {
                "name": name,
                "effective_on": day,
                "code": code,
                "level": level,
                "decision_number": "1",
                "decision_date": day,
            },
        )
    )


@FUZZ
@given(unit=ids, q=typed, day=typed, year=typed, page=ids)
def test_lists_and_reports_take_any_query(staff, tree, unit, q, day, year, page):
    _ok(staff.get("/dang-vien/", {"unit": unit, "q": q, "page": page}))
    _ok(staff.get("/sinh-hoat/", {"unit": unit, "year": year}))
    _ok(staff.get("/to-chuc/cay/", {"ngay": day}))
    _ok(staff.get(f"/bao-cao/structure/{tree.ward1.pk}/", {"date": day, "year": year}))
    _ok(staff.post(f"/bao-cao/nop/{tree.ward1.pk}/gui/", {"period": q, "report": unit, "note": q}))


@FUZZ
@given(pk=ids)
def test_any_id_in_an_address_is_a_page_or_a_404(staff, pk):
    for url in (
        f"/dang-vien/{pk}/",
        f"/sinh-hoat/{pk}/",
        f"/to-chuc/{pk}/",
        f"/tep/{pk}/",
        f"/bao-cao/da-nop/{pk}/",
        f"/nhap/lan/{pk}/",
    ):
        _ok(staff.get(url))
