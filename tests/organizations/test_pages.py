"""The organization pages: who may open them, the guided restructure
(preview changes nothing, confirm does), the tree as of a date, warnings,
committee, posts and import pages."""

from datetime import date

import pytest
from django.urls import reverse

from chibo.spreadsheets import build_xlsx
from members.models import Member
from organizations.models import CommunityPost, Restructure, Seat, Term, Unit
from organizations.services import unit_rename
from tests.organizations.factories import decision

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"organizations:{name}", args=args)


PAGES = [
    ("unit_detail", "cell1a"),
    ("committee", "cell1a"),
    ("posts", "cell1a"),
    ("unit_as_of", "cell1a"),
]


@pytest.mark.parametrize("name,unit", PAGES)
def test_unit_pages_open_for_the_ward_and_answer_404_outside_it(
    client, tree, ward1_staff, ward2_staff, name, unit
):
    client.force_login(ward1_staff)
    assert client.get(url(name, getattr(tree, unit).pk)).status_code == 200
    client.force_login(ward2_staff)
    assert client.get(url(name, getattr(tree, unit).pk)).status_code == 404


@pytest.mark.parametrize(
    "slug", ["doi-ten", "chuyen-truc-thuoc", "nang-cap", "hop-nhat", "chia-tach", "giai-the"]
)
def test_restructure_forms_open_for_staff_refuse_reviewers_and_hide_from_outsiders(
    client, tree, ward1_staff, board, ward2_staff, slug
):
    client.force_login(ward1_staff)
    assert client.get(url("restructure", tree.cell1b.pk, slug)).status_code == 200
    client.force_login(board)
    assert client.get(url("restructure", tree.cell1b.pk, slug)).status_code == 403
    client.force_login(ward2_staff)
    assert client.get(url("restructure", tree.cell1b.pk, slug)).status_code == 404


def dissolve_post(tree, **extra):
    data = {
        "decision_number": "12-QĐ/ĐU",
        "decision_date": "20/09/2019",
        "effective_on": "01/10/2019",
        "destination": "",
    }
    for m in tree.members.m1b:
        data[f"m_{m.pk}"] = str(tree.cell1a.pk)
    data.update(extra)
    return data


def test_the_dissolution_preview_shows_counts_before_and_after_and_changes_nothing(
    client, tree, ward1_staff
):
    client.force_login(ward1_staff)
    page = client.post(
        url("restructure", tree.cell1b.pk, "giai-the"), dissolve_post(tree, preview="1")
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Xem trước" in html and "Xác nhận thực hiện" in html
    impact = {r["before_name"]: r for r in page.context["impact"]["rows"]}
    assert impact["Chi bộ cơ quan phường"]["before_count"] == 2
    assert impact["Chi bộ cơ quan phường"]["after_count"] is None
    assert impact["Chi bộ khu phố 1"]["after_count"] == 5
    assert len(page.context["impact"]["moves"]) == 2
    assert not Restructure.objects.exists()
    assert Unit.objects.get(pk=tree.cell1b.pk).dissolved_on is None
    assert Member.objects.filter(unit=tree.cell1b).count() == 2


def test_confirming_the_previewed_dissolution_does_it(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    page = client.post(
        url("restructure", tree.cell1b.pk, "giai-the"), dissolve_post(tree, preview="1")
    )
    token = page.context["token"]
    done = client.post(
        url("restructure", tree.cell1b.pk, "giai-the"),
        dissolve_post(tree, confirm="1", token=token),
    )
    assert done.status_code == 302, (done.context["error"], done.context["impact"])
    assert done["Location"] == url("unit_detail", tree.ward1.pk)
    assert Unit.objects.get(pk=tree.cell1b.pk).dissolved_on == date(2019, 10, 1)
    assert Member.objects.filter(unit=tree.cell1a).count() == 5


def test_a_confirmation_of_other_values_than_previewed_only_previews_again(
    client, tree, ward1_staff
):
    client.force_login(ward1_staff)
    page = client.post(
        url("restructure", tree.cell1b.pk, "giai-the"), dissolve_post(tree, preview="1")
    )
    changed = dissolve_post(
        tree, confirm="1", token=page.context["token"], effective_on="02/10/2019"
    )
    again = client.post(url("restructure", tree.cell1b.pk, "giai-the"), changed)
    assert again.status_code == 200 and again.context["impact"]
    assert not Restructure.objects.exists()


def test_a_dissolution_leaving_a_member_without_a_cell_shows_why_and_changes_nothing(
    client, tree, ward1_staff
):
    client.force_login(ward1_staff)
    data = dissolve_post(tree, preview="1")
    data[f"m_{tree.members.m1b[0].pk}"] = ""
    page = client.post(url("restructure", tree.cell1b.pk, "giai-the"), data)
    assert "Chưa chọn nơi sinh hoạt mới cho 1 đảng viên" in page.content.decode()
    assert page.context["token"] is None


def test_a_bad_date_in_a_restructure_form_is_a_message_not_an_error(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    page = client.post(
        url("restructure", tree.cell1a.pk, "doi-ten"),
        {"name": "X", "decision_number": "1", "decision_date": "31/02/2020", "effective_on": "abc"},
    )
    assert page.status_code == 200 and "dd/mm/yyyy" in page.content.decode()


def test_the_tree_page_shows_the_names_and_counts_of_the_chosen_date(client, tree, ward1_staff):
    unit_rename(
        actor=None, unit=tree.cell1a, name="Chi bộ khu phố Một", **decision(date(2020, 1, 1))
    )
    client.force_login(ward1_staff)
    old = client.get(url("tree"), {"ngay": "31/12/2019"}).content.decode()
    new = client.get(url("tree"), {"ngay": "01/01/2020"}).content.decode()
    assert "Chi bộ khu phố 1<" in old and "Chi bộ khu phố Một" not in old
    assert "Chi bộ khu phố Một" in new
    assert "Đảng bộ xã Hai" not in new


def test_the_tree_page_reads_in_a_fixed_number_of_queries(
    client, tree, ward1_staff, django_assert_max_num_queries
):
    client.force_login(ward1_staff)
    client.get(url("tree"))
    with django_assert_max_num_queries(15):
        client.get(url("tree"), {"ngay": "01/01/2020"})


def test_the_unit_page_shows_its_warnings(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    html = client.get(url("unit_detail", tree.cell1b.pk)).content.decode()
    assert "Chi bộ chỉ có 2 đảng viên chính thức" in html and "Chưa có bí thư" in html


def test_the_warnings_page_lists_only_units_in_scope(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    html = client.get(url("warnings")).content.decode()
    assert "Chi bộ cơ quan phường" in html and "Chi bộ ấp 1" not in html


def test_staff_record_a_congress_and_a_secretary_on_the_committee_page(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    client.post(
        url("committee", tree.cell1a.pk),
        {"action": "term", "term-congress_on": "15/03/2025", "term-name": ""},
    )
    term = Term.objects.get(unit=tree.cell1a)
    assert term.due_on == date(2027, 9, 15)
    secretary = tree.members.m1a[0]
    client.post(
        url("committee", tree.cell1a.pk),
        {
            "action": "seat",
            "seat-member": secretary.pk,
            "seat-position": "secretary",
            "seat-body": "direct",
            "seat-valid_from": "15/03/2025",
        },
    )
    assert Seat.objects.get(unit=tree.cell1a).member == secretary
    html = client.get(url("unit_detail", tree.cell1a.pk)).content.decode()
    assert "15/09/2027" in html and secretary.full_name in html


def test_a_reviewer_cannot_post_on_the_committee_page(client, tree, board):
    client.force_login(board)
    page = client.post(
        url("committee", tree.cell1a.pk), {"action": "term", "term-congress_on": "15/03/2025"}
    )
    assert page.status_code == 403 and not Term.objects.exists()


def test_staff_record_a_village_head_who_is_not_a_member(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    client.post(
        url("posts", tree.cell1a.pk),
        {
            "kind": "village_head",
            "member": "",
            "person_name": "Lê Văn Tổ",
            "valid_from": "01/01/2024",
        },
    )
    post = CommunityPost.objects.get()
    assert post.person_name == "Lê Văn Tổ" and not post.is_party_member


def test_the_import_page_previews_then_imports_on_confirmation(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    data = build_xlsx(
        ["Tên đơn vị", "Cấp", "Loại chi bộ", "Trực thuộc", "Ngày thành lập"],
        [["Chi bộ khu phố 7", "Chi bộ", "Khu phố", "Đảng bộ phường Một", "01/07/2025"]],
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(url("import"), {"file": SimpleUploadedFile("dv.xlsx", data)}, follow=True)
    assert "Xác nhận nhập" in page.content.decode()
    assert not Unit.objects.filter(name="Chi bộ khu phố 7").exists()
    done = client.post(reverse("imports:confirm", args=[page.context["batch"].pk]))
    assert done.status_code == 302
    assert Unit.objects.get(name="Chi bộ khu phố 7").parent == tree.ward1


def test_the_import_page_is_refused_to_reviewers(client, tree, board):
    client.force_login(board)
    assert client.get(url("import")).status_code == 403


def preview_then_confirm(client, path, data):
    page = client.post(path, {**data, "preview": "1"})
    assert page.context["token"], page.context["error"] or page.context["form"].errors
    return page, client.post(path, {**data, "confirm": "1", "token": page.context["token"]})


def test_merging_two_communes_through_the_page_into_a_new_committee(client, tree, board):
    from tests.factories import UserFactory, grant

    staff = UserFactory(username="province_staff")
    grant(staff, tree.province)
    client.force_login(staff)
    page, done = preview_then_confirm(
        client,
        url("restructure", tree.ward1.pk, "hop-nhat"),
        {
            "others": [tree.ward2.pk],
            "mode": "new",
            "name": "Đảng bộ xã Hợp Nhất",
            "decision_number": "99-QĐ/TU",
            "decision_date": "20/06/2025",
            "effective_on": "01/07/2025",
        },
    )
    rows = {r["after_name"]: r for r in page.context["impact"]["rows"]}
    assert rows["Đảng bộ xã Hợp Nhất"]["after_count"] == 9
    assert rows["Đảng bộ xã Hợp Nhất"]["before_count"] is None
    new = Unit.objects.get(name="Đảng bộ xã Hợp Nhất")
    assert done.status_code == 302 and done["Location"] == url("unit_detail", new.pk)
    assert new.children.count() == 3


def test_splitting_a_cell_through_the_page(client, tree, ward2_staff):
    client.force_login(ward2_staff)
    m = tree.members.m2a
    data = {
        "part_names": "Chi bộ ấp 1A\nChi bộ ấp 1B",
        "decision_number": "7-QĐ/ĐU",
        "decision_date": "01/01/2024",
        "effective_on": "01/01/2024",
        **{f"m_{x.pk}": str(i % 2) for i, x in enumerate(m)},
    }
    _, done = preview_then_confirm(client, url("restructure", tree.cell2a.pk, "chia-tach"), data)
    assert done.status_code == 302
    assert Member.objects.filter(unit__name="Chi bộ ấp 1A").count() == 2


def test_the_unit_page_shows_the_previous_secretary_in_the_seats_history(client, tree, ward1_staff):
    from organizations.models import Body, Position
    from organizations.services import term_open
    from structure.services import seat_assign

    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2025, 1, 1))
    old, new = tree.members.m1a[:2]
    for member, day in ((old, date(2025, 1, 1)), (new, date(2025, 6, 1))):
        seat_assign(
            actor=None,
            term=term,
            member=member,
            position=Position.SECRETARY,
            body=Body.DIRECT,
            valid_from=day,
        )
    client.force_login(ward1_staff)
    html = client.get(url("unit_detail", tree.cell1a.pk)).content.decode()
    assert f"Bí thư: {new.full_name}" in html
    assert f"Bí thư: {old.full_name} (01/01/2025 – 01/06/2025" in html


@pytest.mark.parametrize("day", ["01/01/9999", "01/01/0001", "31/12/1929"])
def test_an_implausible_congress_date_is_a_message_and_records_nothing(
    client, tree, ward1_staff, day
):
    client.force_login(ward1_staff)
    page = client.post(
        url("committee", tree.cell1a.pk), {"action": "term", "term-congress_on": day}
    )
    assert page.status_code == 200
    assert "từ 03/02/1930 đến 31/12/2100" in page.content.decode()
    assert not Term.objects.exists()


def test_an_implausible_effective_date_of_a_restructure_is_a_message(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    page = client.post(
        url("restructure", tree.cell1a.pk, "doi-ten"),
        {
            "name": "Chi bộ X",
            "decision_number": "1",
            "decision_date": "01/01/0001",
            "effective_on": "31/12/9999",
            "preview": "1",
        },
    )
    assert page.status_code == 200 and page.context["token"] is None
    assert "từ 03/02/1930 đến 31/12/2100" in page.content.decode()
    assert not Restructure.objects.exists()


def test_the_tree_of_an_implausible_date_says_so_and_shows_today(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    page = client.get(url("tree"), {"ngay": "01/01/0001"})
    assert page.status_code == 200 and page.context["day"] == date.today()
    assert "từ 03/02/1930 đến 31/12/2100" in page.content.decode()


def test_confirming_an_import_with_a_garbage_batch_answers_404(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    for batch in ("abc", "-1", "0", "99999999999999999999"):
        assert client.post(f"/to-chuc/nhap/{batch}/xac-nhan/").status_code == 404
        assert client.post(f"/nhap/lan/{batch}/xac-nhan/").status_code == 404


def test_a_cell_dissolved_from_next_month_stays_on_its_committees_page_until_then(
    client, tree, ward1_staff
):
    from datetime import timedelta

    from structure.services import unit_dissolve

    effective = date.today() + timedelta(days=10)
    unit_dissolve(
        actor=ward1_staff, unit=tree.cell1b, destination=tree.cell1a, **decision(effective)
    )
    client.force_login(ward1_staff)
    page = client.get(url("unit_detail", tree.ward1.pk))
    # its two members are still in it until the effective date
    assert {u.name: u.member_count for u in page.context["children"]} == {
        "Chi bộ cơ quan phường": 2,
        "Chi bộ khu phố 1": 3,
    }
    assert f"giải thể từ {effective:%d/%m/%Y}" in page.content.decode()
    warned = {w.unit.pk for w in client.get(url("warnings")).context["warnings"]}
    assert tree.cell1b.pk in warned  # 2 official members: fewer than 3


def test_a_dissolution_sending_a_member_to_another_wards_cell_is_refused(
    client, tree, ward1_staff, ward2_staff
):
    client.force_login(ward1_staff)
    data = dissolve_post(tree, preview="1")
    data[f"m_{tree.members.m1b[0].pk}"] = str(tree.cell2a.pk)
    page = client.post(url("restructure", tree.cell1b.pk, "giai-the"), data)
    assert page.status_code == 200 and page.context["token"] is None
    assert page.context["form"].errors
    client.force_login(ward2_staff)
    data = dissolve_post(tree, preview="1", destination=str(tree.cell2a.pk))
    assert client.post(url("restructure", tree.cell1b.pk, "giai-the"), data).status_code == 404
    assert not Restructure.objects.exists()
    assert Member.objects.filter(unit=tree.cell1b).count() == 2


def test_a_wards_past_tree_keeps_a_cell_moved_to_another_ward_since(
    client, tree, ward1_staff, ward2_staff
):
    from organizations.services import unit_move

    unit_move(actor=None, unit=tree.cell1a, parent=tree.ward2, **decision(date(2020, 1, 1)))
    client.force_login(ward1_staff)
    then = client.get(url("tree"), {"ngay": "01/06/2019", "goc": tree.ward1.pk})
    counts = {n.name: n.members for n in then.context["nodes"]}
    assert counts == {
        "Đảng bộ phường Một": 5,
        "Chi bộ khu phố 1": 3,
        "Chi bộ cơ quan phường": 2,
    }
    cell_then = client.get(url("unit_as_of", tree.cell1a.pk), {"ngay": "01/06/2019"})
    assert cell_then.status_code == 200
    assert all(m.full_name in cell_then.content.decode() for m in tree.members.m1a)
    # since the move it is the other ward's: not this one's, now or later
    assert client.get(url("unit_as_of", tree.cell1a.pk), {"ngay": "01/06/2020"}).status_code == 404
    assert client.get(url("unit_detail", tree.cell1a.pk)).status_code == 404
    later = client.get(url("tree"), {"ngay": "01/06/2020", "goc": tree.ward1.pk})
    assert {n.name: n.members for n in later.context["nodes"]} == {
        "Đảng bộ phường Một": 2,
        "Chi bộ cơ quan phường": 2,
    }
    client.force_login(ward2_staff)
    other = client.get(url("tree"), {"ngay": "01/06/2019", "goc": tree.ward2.pk})
    assert "Chi bộ khu phố 1" not in {n.name for n in other.context["nodes"]}


def test_cells_are_listed_alphabetically_with_numbers_in_order(client, tree, ward1_staff):
    from tests.factories import make_unit

    for name in ("Chi bộ khu phố 10", "Chi bộ khu phố 2", "Chi bộ Trạm Y tế phường"):
        make_unit(name, parent=tree.ward1)
    expected = [
        "Chi bộ cơ quan phường",
        "Chi bộ khu phố 1",
        "Chi bộ khu phố 2",
        "Chi bộ khu phố 10",
        "Chi bộ Trạm Y tế phường",
    ]
    client.force_login(ward1_staff)
    page = client.get(url("unit_detail", tree.ward1.pk))
    assert [u.name for u in page.context["children"]] == expected
    tree_page = client.get(url("tree"), {"goc": tree.ward1.pk})
    assert [n.name for n in tree_page.context["nodes"]][1:] == expected


def test_dissolving_stands_out_from_the_harmless_restructures(client, ward1_staff, tree):
    client.force_login(ward1_staff)
    page = client.get(url("unit_detail", tree.cell1a.pk)).content.decode()
    dissolve = url("restructure", tree.cell1a.pk, "giai-the")
    rename = url("restructure", tree.cell1a.pk, "doi-ten")
    assert f'<a class="button danger" href="{dissolve}">Giải thể</a>' in page
    assert f'<a class="button" href="{rename}">' in page
    # its preview before the confirmation: test_the_dissolution_preview_shows_counts…
