"""The member list: search, filters, Vietnamese order, pages, and its exports
showing exactly what the filters show."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members import services
from members import views as member_views
from members.choices import Status
from tests.factories import make_member, make_unit


def names(response) -> list[str]:
    return [m.full_name for m in response.context["page"]]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def people(tree):
    cell = tree.cell1a
    return {
        "an": make_member(cell, full_name="Nguyễn Văn An", birth_date=date(1990, 2, 1)),
        "anh": make_member(cell, full_name="Trần Thị Ánh", gender="F", birth_date=date(1950, 1, 1)),
        "dat": make_member(tree.cell1b, full_name="Lê Đức Đạt", is_civil_servant=True),
        "bao": make_member(cell, full_name="Phạm Quốc Bảo", status=Status.PROBATIONARY),
    }


def test_search_ignores_diacritics_and_case(client, ward1_staff, people):
    client.force_login(ward1_staff)
    assert names(client.get(reverse("members:list"), {"q": "nguyen van an"})) == ["Nguyễn Văn An"]
    assert names(client.get(reverse("members:list"), {"q": "ĐẠT"})) == ["Lê Đức Đạt"]
    assert names(client.get(reverse("members:list"), {"q": "  le   duc "})) == ["Lê Đức Đạt"]
    assert names(client.get(reverse("members:list"), {"q": "Không Có Ai"})) == []


def test_search_by_card_number(client, ward1_staff, people):
    client.force_login(ward1_staff)
    card = people["bao"].card_number
    assert names(client.get(reverse("members:list"), {"q": card})) == ["Phạm Quốc Bảo"]


def test_names_are_in_vietnamese_order_given_name_first(client, ward1_staff, people):
    client.force_login(ward1_staff)
    shown = names(client.get(reverse("members:list"), {"q": "a"}))
    assert shown.index("Nguyễn Văn An") < shown.index("Trần Thị Ánh") < shown.index("Phạm Quốc Bảo")
    assert shown.index("Phạm Quốc Bảo") < shown.index("Lê Đức Đạt")


def test_filters_narrow_the_list(client, tree, ward1_staff, people):
    client.force_login(ward1_staff)
    url = reverse("members:list")
    assert "Trần Thị Ánh" in names(client.get(url, {"gender": "F"}))
    assert "Nguyễn Văn An" not in names(client.get(url, {"gender": "F"}))
    assert names(client.get(url, {"civil_servant": "yes"})) == ["Lê Đức Đạt"]
    assert names(client.get(url, {"status": Status.PROBATIONARY})) == ["Phạm Quốc Bảo"]
    assert names(client.get(url, {"age_band": "o75"})) == ["Trần Thị Ánh"]
    assert "Nguyễn Văn An" in names(client.get(url, {"age_band": "30_45"}))
    assert set(names(client.get(url, {"unit": tree.cell1b.pk}))) == {
        m.full_name for m in tree.members.m1b
    } | {"Lê Đức Đạt"}
    assert "Lê Đức Đạt" in names(client.get(url, {"category": "agency"}))
    assert "Nguyễn Văn An" not in names(client.get(url, {"category": "agency"}))
    services.member_exempt(actor=None, member=people["an"], day=date(2024, 1, 1), reason="health")
    assert names(client.get(url, {"exempt": "yes"})) == ["Nguyễn Văn An"]


def test_members_who_left_show_only_when_asked(client, ward1_staff, people):
    services.member_record_death(actor=None, member=people["an"], day=date(2024, 1, 1))
    client.force_login(ward1_staff)
    url = reverse("members:list")
    assert "Nguyễn Văn An" not in names(client.get(url))
    assert "Nguyễn Văn An" in names(client.get(url, {"status": "all"}))
    assert names(client.get(url, {"status": Status.DECEASED})) == ["Nguyễn Văn An"]


def test_staff_see_only_their_ward(client, tree, ward2_staff, people):
    client.force_login(ward2_staff)
    shown = names(client.get(reverse("members:list")))
    assert sorted(shown) == sorted(m.full_name for m in tree.members.m2a)


def test_bad_filters_get_a_message_not_an_error(client, ward1_staff, people):
    client.force_login(ward1_staff)
    url = reverse("members:list")
    for params in (
        {"unit": "abc"},
        {"gender": "X"},
        {"age_band": "old"},
        {"page": "zzz"},
        {"q": "x" * 500},
    ):
        response = client.get(url, params)
        assert response.status_code == 200, params
    assert "Đơn vị không hợp lệ" in client.get(url, {"unit": "abc"}).content.decode()
    assert client.get(url, {"unit": "abc", "format": "csv"}).status_code == 400


def test_pages_of_fifty(client, tree, ward2_staff):
    cell = make_unit("Chi bộ đông", parent=tree.ward2)
    for i in range(55):
        make_member(cell, full_name=f"Võ Văn Người {i:02d}")
    client.force_login(ward2_staff)
    first = client.get(reverse("members:list"), {"unit": cell.pk})
    second = client.get(reverse("members:list"), {"unit": cell.pk, "page": 2})
    assert len(names(first)) == 50 and len(names(second)) == 5
    assert not set(names(first)) & set(names(second))
    assert "page=2" in first.content.decode() and f"unit={cell.pk}" in first.content.decode()


def test_csv_export_has_exactly_the_filtered_rows_in_order(client, ward1_staff, people):
    client.force_login(ward1_staff)
    params = {"gender": "M"}
    shown = names(client.get(reverse("members:list"), params))
    response = client.get(reverse("members:list"), {**params, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    header = rows[0]
    assert header[:3] == ["Họ và tên", "Giới tính", "Ngày sinh"]
    assert [r[0] for r in rows[1:]] == shown
    an = next(r for r in rows if r[0] == "Nguyễn Văn An")
    assert an[header.index("Ngày sinh")] == "01/02/1990"
    assert an[header.index("Chi bộ")] == "Chi bộ khu phố 1"


def test_xlsx_export_matches_the_screen_across_pages(client, tree, ward2_staff):
    cell = make_unit("Chi bộ đông", parent=tree.ward2)
    for i in range(60):
        make_member(cell, full_name=f"Đỗ Thị Hoa {i:02d}", gender="F")
    client.force_login(ward2_staff)
    params = {"q": "do thi hoa"}
    response = client.get(reverse("members:list"), {**params, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    title, header, *rows = list(ws.iter_rows(values_only=True))
    assert title[0].startswith("DANH SÁCH ĐẢNG VIÊN") and header[0] == "Họ và tên"
    screen = names(client.get(reverse("members:list"), params)) + names(
        client.get(reverse("members:list"), {**params, "page": 2})
    )
    assert [r[0] for r in rows] == screen
    assert len(screen) == 60
    assert rows[0][header.index("Ngày sinh")].date() == date(1970, 1, 1)


def test_the_query_count_does_not_grow_with_the_rows_shown(
    client, tree, ward2_staff, django_assert_max_num_queries
):
    client.force_login(ward2_staff)
    client.get(reverse("members:list"))  # warm the session
    cell = make_unit("Chi bộ đông", parent=tree.ward2)
    for i in range(80):
        make_member(cell, full_name=f"Hồ Văn Số {i:02d}")
    with django_assert_max_num_queries(7):
        response = client.get(reverse("members:list"), {"q": "ho van"})
    assert len(names(response)) == 50
    with django_assert_max_num_queries(7):
        rows = csv_rows(client.get(reverse("members:list"), {"format": "csv"}))
    assert len(rows) == 1 + 4 + 80
    with django_assert_max_num_queries(7):
        client.get(reverse("members:list"), {"format": "xlsx"})


def test_the_unit_filter_offers_only_units_in_reach_and_keeps_the_choice(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    body = client.get(reverse("members:list"), {"unit": tree.cell1b.pk}).content.decode()
    assert f'<option value="{tree.cell1b.pk}" selected>' in body
    assert "Chi bộ khu phố 1" in body and "Chi bộ ấp 1" not in body


def test_a_filtered_csv_export_imports_back_unchanged(client, tree, ward1_staff, people):
    from members.models import Member
    from tests.members.import_factories import import_file

    client.force_login(ward1_staff)
    response = client.get(reverse("members:list"), {"gender": "M", "format": "csv"})
    data = b"".join(response.streaming_content)
    shown = Member.objects.filter(unit__path__startswith=tree.ward1.path, gender="M")
    before = list(Member.objects.values())
    batch = import_file(actor=ward1_staff, file_name="loc.csv", data=data)
    assert batch.errors == []
    assert (batch.new_count, batch.updated_count, batch.unchanged_count) == (0, 0, shown.count())
    assert list(Member.objects.values()) == before


def test_the_fast_export_writes_what_the_import_resource_writes(tree, people):
    """The list's export reads values in one query rather than through
    MemberResource row by row; both must write the same cells."""
    from members.exports import roster_rows
    from members.models import Member
    from members.resources import MemberResource

    make_member(
        tree.cell1a,
        full_name="Phạm Thị Đào",
        gender="F",
        education="upper_secondary",
        qualification="bachelor",
        theory_level="intermediate",
        is_civil_servant=True,
        ethnicity="Tày",
        official_on=None,
    )
    qs = Member.objects.order_by("sort_key", "id")
    headers, dates, rows = roster_rows(qs)
    dataset = MemberResource().export(queryset=qs.select_related("unit"))
    assert headers == list(dataset.headers)
    expected = [
        [date.fromisoformat(v) if i in dates and v else v for i, v in enumerate(r)] for r in dataset
    ]
    assert list(rows) == expected


def test_the_age_bands_and_the_dossier_history_go_through_translation(client, ward1_staff, people):
    """Every label is translatable (style.md): with a catalogue that marks what
    it translates, the filter's age bands and the history's first line are marked."""
    from unittest import mock

    from django.utils import translation

    translation.gettext("")  # let the translation machinery load its real gettext
    marked = mock.patch.object(translation._trans, "gettext", side_effect=lambda s: f"⟪{s}⟫")
    client.force_login(ward1_staff)
    with marked:
        body = client.get(reverse("members:list")).content.decode()
        profile = client.get(reverse("members:detail", args=[people["an"].pk])).content.decode()
    assert "⟪Dưới 30 tuổi⟫" in body and "⟪Trên 75 tuổi⟫" in body
    assert "⟪Nhập hồ sơ⟫" in profile


def test_the_export_is_named_after_the_list_in_vietnamese(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    response = client.get(reverse("members:list"), {"unit": tree.cell1a.pk, "format": "xlsx"})
    today = date.today().strftime("%d-%m-%Y")
    assert response["Content-Disposition"] == (
        f'attachment; filename="danh-sach-dang-vien-chi-bo-khu-pho-1-ngay-{today}.xlsx"'
    )
    assert load_workbook(io.BytesIO(response.content)).active.title == "Danh sách"


def test_a_large_reachs_unit_filter_lists_committees_and_the_unit_chosen(
    client, tree, board, monkeypatch
):
    """Above the limit the filter offers committees only (a nation's 3,000
    committees and 14,000 cells made the list 232 KB), plus the cell chosen."""
    monkeypatch.setattr(member_views, "UNIT_CHOICES_LIMIT", 3)
    client.force_login(board)
    shown = {pk for pk, _name in client.get("/dang-vien/").context["unit_choices"]}
    assert shown == {tree.province.pk, tree.ward1.pk, tree.ward2.pk}
    chosen = client.get(f"/dang-vien/?unit={tree.cell1a.pk}").context["unit_choices"]
    assert tree.cell1a.pk in {pk for pk, _name in chosen}


def test_a_nations_unit_filter_keeps_the_levels_from_the_top_that_fit(
    client, tree, board, monkeypatch
):
    """A nation's 3,000 committees do not fit either: the root and the levels
    below it that do (its provinces), and the unit chosen."""
    monkeypatch.setattr(member_views, "UNIT_CHOICES_LIMIT", 3)
    monkeypatch.setattr(member_views, "UNIT_CHOICES_MOST", 2)
    client.force_login(board)
    shown = {pk for pk, _name in client.get("/dang-vien/").context["unit_choices"]}
    assert shown == {tree.province.pk}
    chosen = client.get(f"/dang-vien/?unit={tree.ward2.pk}").context["unit_choices"]
    assert {pk for pk, _name in chosen} == {tree.province.pk, tree.ward2.pk}
