"""One date input everywhere: what people type is read by one parser, and an
impossible date gets the same message on every page."""

from datetime import date, time

import pytest
from django.urls import reverse

from chibo.dates import DateError, in_words, parse_day, parse_month, parse_time
from chibo.spreadsheets import CellError, parse_date
from meetings.models import Meeting

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    "text",
    [
        "01/12/2026",
        "1/12/2026",
        "1/12/26",
        "01.12.2026",
        "01-12-2026",
        " 1 / 12 / 2026 ",
        "2026-12-01",
        "1/12",
    ],
)
def test_the_ways_offices_write_a_date_are_all_read(text):
    assert parse_day(text, today=TODAY) == date(2026, 12, 1)


def test_a_two_digit_year_far_ahead_is_last_century():
    # a birth date typed 5/3/56 is 1956, not 2056
    assert parse_day("5/3/56", today=TODAY) == date(1956, 3, 5)
    assert parse_day("5/3/36", today=TODAY) == date(2036, 3, 5)


@pytest.mark.parametrize(
    "text, message",
    [
        ("31/02/2026", "Ngày 31/02/2026 không có thật."),
        ("31/02", "Ngày 31/02/2026 không có thật."),
        ("29/2/2025", "Ngày 29/02/2025 không có thật."),
        ("1/13/2026", "Ngày 01/13/2026 không có thật."),
        ("năm 2010", "“năm 2010” không phải là ngày (dd/mm/yyyy)."),
        ("12/2026/01", "“12/2026/01” không phải là ngày (dd/mm/yyyy)."),
        ("1/12/202", "“1/12/202” không phải là ngày (dd/mm/yyyy)."),
    ],
)
def test_a_date_that_is_not_one_is_refused_with_one_message(text, message):
    with pytest.raises(DateError) as refused:
        parse_day(text, today=TODAY)
    assert refused.value.message == message


def test_empty_is_no_date():
    assert parse_day("  ") is None and parse_month("") is None and parse_time("") is None


@pytest.mark.parametrize("text", ["12/2026", "12/26", "12.2026", "2026-12", "15/12/2026"])
def test_a_month_is_read_as_its_first_day(text):
    assert parse_month(text, today=TODAY) == date(2026, 12, 1)


@pytest.mark.parametrize(
    "text, message",
    [
        ("13/2026", "Tháng 13/2026 không có thật."),
        ("tháng 12", "“tháng 12” không phải là tháng (mm/yyyy)."),
    ],
)
def test_a_month_that_is_not_one_is_refused(text, message):
    with pytest.raises(DateError) as refused:
        parse_month(text, today=TODAY)
    assert refused.value.message == message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("7h30", time(7, 30)),
        ("19.30", time(19, 30)),
        ("7", time(7, 0)),
    ],
)
def test_times_as_people_write_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "07:75", "7 giờ rưỡi", "7:30 PM"])
def test_an_impossible_time_is_refused(text):
    with pytest.raises(DateError):
        parse_time(text)


def test_a_spreadsheet_cell_is_read_by_the_same_parser():
    assert parse_date("1/12/26") == parse_day("1/12/26")
    with pytest.raises(CellError) as refused:
        parse_date("31/02/2026")
    assert str(refused.value) == "Ngày 31/02/2026 không có thật."


def test_the_one_date_style_in_words():
    assert in_words(date(2026, 12, 1)) == "ngày 01 tháng 12 năm 2026"
    assert in_words(date(2026, 3, 9)) == "ngày 09 tháng 03 năm 2026"


IMPOSSIBLE = "Ngày 31/02/2026 không có thật."


@pytest.mark.django_db
def test_the_meeting_form_takes_short_dates_and_times_and_has_no_browser_picker(
    client, tree, cell_secretary
):
    client.force_login(cell_secretary)
    url = f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/"
    page = client.get(url).content.decode()
    for picker in ('type="date"', 'type="month"', 'type="time"'):
        assert picker not in page
    assert 'placeholder="dd/mm/yyyy"' in page and 'placeholder="mm/yyyy"' in page
    data = {
        "kind": "regular",
        "month": "3/26",
        "held_on": "12.03.2026",
        "starts_at": "19h30",
        "ends_at": "21:30",
        "place": "Nhà văn hóa",
        "chair": "Trần Văn Chủ",
        "secretary": "Lê Thị Ký",
    }
    assert client.post(url, data).status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.month, meeting.held_on, meeting.starts_at) == (
        date(2026, 3, 1),
        date(2026, 3, 12),
        time(19, 30),
    )
    edit = client.get(f"/sinh-hoat/{meeting.pk}/sua/").content.decode()
    assert 'value="12/03/2026"' in edit and 'value="03/2026"' in edit and 'value="19:30"' in edit


@pytest.mark.django_db
def test_31_february_gets_the_same_message_on_every_page(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    meeting_form = client.post(
        f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/",
        {
            "kind": "regular",
            "month": "02/2026",
            "held_on": "31/02/2026",
            "starts_at": "19:30",
            "ends_at": "21:30",
            "place": "x",
            "chair": "x",
            "secretary": "x",
        },
    )
    tree_as_of = client.get("/to-chuc/cay/", {"ngay": "31/02/2026"})
    member = tree.members.m1a[0]
    death = client.post(
        reverse("members:action", args=[member.pk, "tu-tran"]), {"day": "31/02/2026"}
    )
    report = client.get(
        reverse("reports:report", args=["structure", tree.ward1.pk]), {"date": "31/02/2026"}
    )
    for response in (meeting_form, tree_as_of, death, report):
        assert IMPOSSIBLE in response.content.decode(), response.request["PATH_INFO"]
    assert not Meeting.objects.exists()
