"""The profile page: the dossier, its change history, and the lifecycle
actions as an office uses them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from members.choices import Status
from members.models import Member, StatusPeriod
from tests.members.factories import make_probationary


def profile_data(member: Member, **changes) -> dict:
    data = {
        "full_name": member.full_name,
        "gender": member.gender,
        "birth_date": member.birth_date.strftime("%d/%m/%Y"),
        "ethnicity": member.ethnicity,
        "religion": member.religion,
        "national_id": member.national_id or "",
        "card_number": member.card_number or "",
        "admitted_on": member.admitted_on.strftime("%d/%m/%Y") if member.admitted_on else "",
        "official_on": member.official_on.strftime("%d/%m/%Y") if member.official_on else "",
    }
    data.update(changes)
    return data


def test_the_profile_shows_the_dossier_and_the_timeline(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    client.force_login(ward1_staff)
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert m.full_name in body and m.national_id_masked in body  # masked until revealed
    assert m.national_id not in body
    assert "01/01/1970" in body  # dates as dd/mm/yyyy
    assert "Sinh hoạt tại Chi bộ khu phố 1" in body
    assert "Kết quả đánh giá, xếp loại các năm" in body  # the reviews app's part


def test_the_profile_shows_where_a_member_works_civil_servant_or_not(client, tree, ward1_staff):
    from tests.factories import make_member

    m = make_member(
        tree.cell1a,
        occupation="Kỹ sư",
        position="Trưởng phòng kỹ thuật",
        workplace="Công ty Điện lực Bình Phước",
        is_civil_servant=False,
    )
    client.force_login(ward1_staff)
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "Nơi công tác" in body and "Công ty Điện lực Bình Phước" in body
    assert "Trưởng phòng kỹ thuật" in body and "Kỹ sư" in body


def test_a_dossier_change_shows_who_changed_what_and_the_previous_value(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    old_phone = m.phone or "—"
    client.force_login(ward1_staff)
    response = client.post(
        reverse("members:edit", args=[m.pk]),
        profile_data(m, phone="0912345678", home_town="Biên Hòa, Đồng Nai"),
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.phone == "0912345678"
    record = m.history.first()
    assert record.history_user == ward1_staff
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    section = body[body.index("Lịch sử thay đổi hồ sơ") :]
    assert "0912345678" in section and old_phone in section
    assert "Quê quán" in section and "Biên Hòa, Đồng Nai" in section
    assert str(ward1_staff) in section


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"national_id": "12345"}, "Số CCCD phải gồm đúng 12 chữ số"),
        ({"birth_date": "31/02/1970"}, "Ngày 31/02/1970 không có thật."),
        ({"official_on": "01/01/1999"}, "Ngày chính thức (01/01/1999) trước ngày vào Đảng"),
        ({"card_number": "TAKEN"}, "đã được dùng cho một đảng viên khác"),
        ({"national_id": "TAKEN"}, "đã được dùng cho một người khác"),
        ({"phone": "12345"}, "Số điện thoại “12345” không hợp lệ: số di động gồm 10 chữ số"),
        ({"phone": "0912 345 67"}, "Số điện thoại “0912 345 67” không hợp lệ"),
        ({"phone": "0168 123 4567"}, "đầu số di động 11 chữ số cũ (01…)"),
    ],
)
def test_bad_dossier_input_gets_a_message_and_changes_nothing(
    client, tree, ward1_staff, changes, message
):
    m = tree.members.m1a[0]
    other = tree.members.m2a[0]
    changes = {
        k: (other.card_number if k == "card_number" else other.national_id) if v == "TAKEN" else v
        for k, v in changes.items()
    }
    versions = m.history.count()
    client.force_login(ward1_staff)
    response = client.post(reverse("members:edit", args=[m.pk]), profile_data(m, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert m.history.count() == versions
    fresh = Member.objects.get(pk=m.pk)
    assert (fresh.national_id, fresh.card_number, fresh.official_on) == (
        m.national_id,
        m.card_number,
        m.official_on,
    )


def test_the_dossier_form_cannot_admit_or_recognise_nor_take_a_future_date(
    client, tree, ward1_staff
):
    """Admission and recognition are lifecycle steps with a vote; the dossier
    form only corrects, as the import insists too."""
    from members.services import member_propose_candidate

    client.force_login(ward1_staff)
    probationary = make_probationary(tree.cell1a, tree.members.m1a[:2])
    candidate = member_propose_candidate(
        actor=None,
        unit=tree.cell1a,
        proposed_on=date(2023, 1, 10),
        helpers=tuple(tree.members.m1a[:2]),
        full_name="Trần Thị Ứng Viên",
        gender="F",
        birth_date=date(1995, 5, 5),
    )
    official = tree.members.m1a[0]
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    cases = [
        (probationary, {"official_on": "20/03/2025"}, "thủ tục công nhận"),
        (candidate, {"admitted_on": "01/03/2024"}, "thủ tục kết nạp"),
        (official, {"official_on": tomorrow}, "không được sau ngày hôm nay"),
    ]
    for member, changes, message in cases:
        versions = member.history.count()
        response = client.post(
            reverse("members:edit", args=[member.pk]), profile_data(member, **changes)
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        fresh = Member.objects.get(pk=member.pk)
        assert (fresh.status, fresh.admitted_on, fresh.official_on) == (
            member.status,
            member.admitted_on,
            member.official_on,
        )
        assert member.history.count() == versions


@pytest.mark.parametrize(
    "slug, field",
    [("xoa-ten", "ground"), ("ky-luat", "form"), ("mien", "reason"), ("danh-gia", "result")],
)
def test_a_grave_choice_starts_empty_and_must_be_made(client, tree, ward1_staff, slug, field):
    m = tree.members.m1a[0]
    Member.objects.filter(pk=m.pk).update(is_civil_servant=True)
    client.force_login(ward1_staff)
    url = reverse("members:action", args=[m.pk, slug])
    page = client.get(url).content.decode()
    select = page[page.index(f'name="{field}"') :]
    assert select[: select.index("</option>")].endswith('<option value="" selected>— Chọn —')
    data = {"day": "01/03/2024", "month": "02/2024", "fault": "Vi phạm", field: ""}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Hãy chọn một mục." in response.content.decode()
    fresh = Member.objects.get(pk=m.pk)
    assert (fresh.status, fresh.is_exempt) == (m.status, m.is_exempt)
    assert not fresh.disciplines.exists() and not fresh.evaluations.exists()


def test_recognising_a_probationary_member_through_the_page(client, tree, ward1_staff):
    m = make_probationary(tree.cell1a, tree.members.m1a[:2], ceremony_on=date(2024, 3, 15))
    client.force_login(ward1_staff)
    url = reverse("members:action", args=[m.pk, "cong-nhan"])
    early = client.post(url, {"day": "01/03/2025", "votes_for": 3, "officials": 3})
    assert "Chưa đủ 12 tháng dự bị" in early.content.decode()
    m.refresh_from_db()
    assert m.status == Status.PROBATIONARY
    response = client.post(
        url, {"day": "16/03/2025", "votes_for": 3, "officials": 3, "card_number": "66000001"}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == Status.OFFICIAL and m.card_number == "66000001"
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "Đảng viên chính thức" in body and "16/03/2025" in body


def test_admission_on_the_page_asks_for_the_cells_vote_with_its_officials_filled_in(
    client, tree, ward1_staff
):
    from members.services import member_propose_candidate

    officials = Member.objects.filter(unit=tree.cell1a, status=Status.OFFICIAL).count()
    cand = member_propose_candidate(
        actor=None,
        unit=tree.cell1a,
        proposed_on=date(2023, 1, 10),
        helpers=tuple(tree.members.m1a[:2]),
        full_name="Trần Thị Ứng Viên",
        gender="F",
        birth_date=date(1995, 5, 5),
    )
    client.force_login(ward1_staff)
    url = reverse("members:action", args=[cand.pk, "ket-nap"])
    page = client.get(url).content.decode()
    assert f'name="officials" value="{officials}"' in page
    dates = {"decided_on": "01/03/2024", "ceremony_on": "15/03/2024"}
    missing = client.post(url, dates)
    assert missing.status_code == 200
    cand.refresh_from_db()
    assert cand.status == Status.CANDIDATE
    too_few = client.post(url, {**dates, "votes_for": 1, "officials": 3})
    assert "chưa đủ hai phần ba" in too_few.content.decode()
    cand.refresh_from_db()
    assert cand.status == Status.CANDIDATE
    done = client.post(url, {**dates, "votes_for": 2, "officials": 3})
    assert done.status_code == 302
    cand.refresh_from_db()
    assert cand.status == Status.PROBATIONARY


def test_a_future_death_date_is_refused_on_the_page(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    client.force_login(ward1_staff)
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(reverse("members:action", args=[m.pk, "tu-tran"]), {"day": tomorrow})
    assert "không được sau ngày hôm nay" in response.content.decode()
    assert StatusPeriod.objects.filter(member=m).count() == 1


def test_an_action_that_does_not_fit_the_status_is_explained(client, tree, ward1_staff):
    m = tree.members.m1a[0]  # already official
    client.force_login(ward1_staff)
    response = client.post(
        reverse("members:action", args=[m.pk, "ket-nap"]),
        {"decided_on": "01/01/2024", "ceremony_on": "02/01/2024"},
    )
    assert response.status_code == 200
    assert "Không thể “Kết nạp vào Đảng”" in response.content.decode()


def test_proposing_a_candidate_through_the_page(client, tree, ward1_staff):
    a, b = tree.members.m1a[:2]
    client.force_login(ward1_staff)
    response = client.post(
        reverse("members:candidate_new", args=[tree.cell1a.pk]),
        {
            "full_name": "Đinh Thị Hồng",
            "gender": "F",
            "birth_date": "05/05/1998",
            "ethnicity": "Kinh",
            "religion": "none",
            "proposed_on": "10/01/2024",
            "helper_1": a.pk,
            "helper_2": b.pk,
        },
    )
    assert response.status_code == 302
    cand = Member.objects.get(full_name="Đinh Thị Hồng")
    assert cand.status == Status.CANDIDATE and cand.unit == tree.cell1a


@pytest.mark.parametrize(
    "phone", ["0912345678", "0912 345 678", "+84 912 345 678", "024 3825 1234"]
)
def test_the_dossier_takes_mobile_and_landline_numbers_as_typed(client, tree, ward1_staff, phone):
    m = tree.members.m1a[0]
    client.force_login(ward1_staff)
    response = client.post(reverse("members:edit", args=[m.pk]), profile_data(m, phone=phone))
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.phone == phone


def candidate(tree, **fields) -> dict:
    a, b = tree.members.m1a[:2]
    return {
        "full_name": "Đinh Thị Hồng",
        "gender": "F",
        "birth_date": "05/05/1998",
        "ethnicity": "Kinh",
        "religion": "none",
        "proposed_on": "10/01/2024",
        "helper_1": a.pk,
        "helper_2": b.pk,
        **fields,
    }


def test_a_candidate_under_sixteen_is_recorded_with_a_warning(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    url = reverse("members:candidate_new", args=[tree.cell1a.pk])
    data = candidate(tree, full_name="Đinh Văn Nhỏ", birth_date="05/05/2010")
    page = client.post(url, data, follow=True).content.decode()
    assert "Theo ngày sinh 05/05/2010, Đinh Văn Nhỏ chưa đủ 16 tuổi vào ngày đề nghị" in page
    assert Member.objects.filter(full_name="Đinh Văn Nhỏ").exists()
    data = candidate(tree, full_name="Đinh Văn Lớn", birth_date="05/05/2007")
    assert "chưa đủ 16 tuổi" not in client.post(url, data, follow=True).content.decode()


def test_a_candidate_with_a_wrong_phone_number_is_refused(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    response = client.post(
        reverse("members:candidate_new", args=[tree.cell1a.pk]),
        candidate(tree, full_name="Đinh Thị Số", phone="09123"),
    )
    assert response.status_code == 200
    assert "Số điện thoại “09123” không hợp lệ" in response.content.decode()
    assert not Member.objects.filter(full_name="Đinh Thị Số").exists()


def test_a_transfer_form_lists_only_cells_in_reach(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    client.force_login(ward1_staff)
    body = client.get(reverse("members:action", args=[m.pk, "chuyen"])).content.decode()
    assert "Chi bộ cơ quan phường" in body and "Chi bộ ấp 1" not in body
    response = client.post(
        reverse("members:action", args=[m.pk, "chuyen"]),
        {"unit": tree.cell2a.pk, "day": "01/06/2024"},
    )
    assert response.status_code == 200
    m.refresh_from_db()
    assert m.unit == tree.cell1a


def test_a_lifecycle_step_appears_in_the_dossier_history_with_its_author(client, tree, ward1_staff):
    from members.services import member_admit
    from tests.members.factories import make_candidate

    cand = make_candidate(tree.cell1a, tree.members.m1a[:2])
    member_admit(
        actor=ward1_staff, member=cand, decided_on=date(2024, 3, 1), ceremony_on=date(2024, 3, 9)
    )
    record = cand.history.first()
    assert record.history_user == ward1_staff and record.history_change_reason == "Kết nạp"
    client.force_login(ward1_staff)
    body = client.get(reverse("members:detail", args=[cand.pk])).content.decode()
    section = body[body.index("Lịch sử thay đổi hồ sơ") :]
    assert "Ngày vào Đảng" in section and "01/03/2024" in section and "Kết nạp" in section


def test_a_transfer_is_attributed_in_the_timeline_not_to_the_next_dossier_edit(
    client, tree, ward1_staff, admin_user
):
    from members.services import member_transfer_permanent, member_update

    m = tree.members.m1a[0]
    member_transfer_permanent(actor=admin_user, member=m, unit=tree.cell1b, day=date(2024, 1, 1))
    member_update(actor=ward1_staff, member=m, phone="0900000002")
    client.force_login(ward1_staff)
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    timeline = body[body.index("Quá trình") : body.index("Lịch sử thay đổi hồ sơ")]
    assert "Sinh hoạt tại Chi bộ cơ quan phường" in timeline and f"ghi bởi {admin_user}" in timeline
    history = body[body.index("Lịch sử thay đổi hồ sơ") :]
    assert "0900000002" in history
    assert "Chi bộ cơ quan phường" not in history  # the move is not the phone editor's doing


GARBAGE = [
    {},
    {"day": "31/02/2024", "decided_on": "hôm qua", "ceremony_on": "", "month": "13/2024"},
    {"day": "01/01/1900", "votes_for": "-3", "officials": "0", "unit": "999999", "host": "abc"},
    {"day": "9" * 40, "form": "chém", "reason": "<script>", "ground": "x", "result": "?"},
]


@pytest.mark.parametrize("data", GARBAGE)
def test_no_action_form_fails_on_garbage(client, tree, ward1_staff, data):
    from members.views import ACTIONS

    m = tree.members.m1a[0]
    m.is_civil_servant = True
    m.save()
    before = StatusPeriod.objects.count(), Member.objects.get(pk=m.pk).unit_id
    client.force_login(ward1_staff)
    for slug in ACTIONS:
        response = client.post(reverse("members:action", args=[m.pk, slug]), data)
        assert response.status_code == 200, slug
    assert (StatusPeriod.objects.count(), Member.objects.get(pk=m.pk).unit_id) == before


def test_opening_an_action_that_does_not_fit_explains_why(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    client.force_login(ward1_staff)
    for slug in ("ket-nap", "cong-nhan", "thoi-mien"):
        response = client.get(reverse("members:action", args=[m.pk, slug]))
        assert response.status_code == 200
    body = client.get(reverse("members:action", args=[m.pk, "cong-nhan"])).content.decode()
    assert "Không thể “Công nhận đảng viên chính thức”" in body


def test_grave_steps_are_apart_on_the_profile_and_ask_for_confirmation(client, tree, ward1_staff):
    m = tree.members.m1a[2]
    client.force_login(ward1_staff)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    normal, grave = page.split('class="grave-actions"')
    for slug in ("xoa-ten", "ky-luat", "khai-tru", "tu-tran"):
        assert f"/dang-vien/{m.pk}/{slug}/" in grave
        assert f"/dang-vien/{m.pk}/{slug}/" not in normal
    url = reverse("members:action", args=[m.pk, "tu-tran"])
    asked = client.post(url, {"day": "01/11/2026"})
    assert "không thể hoàn tác" in asked.content.decode()
    m.refresh_from_db()
    assert m.status != "deceased" and not m.history.filter(status="deceased").exists()
    done = client.post(url, {"day": "01/11/2026", "confirm": "yes"})
    assert done.status_code == 302
    m.refresh_from_db()
    assert m.status == "deceased"


def test_expulsion_starts_with_its_disciplinary_form_chosen(client, tree, ward1_staff):
    m = tree.members.m1a[2]
    client.force_login(ward1_staff)
    page = client.get(reverse("members:action", args=[m.pk, "khai-tru"])).content.decode()
    assert '<option value="expulsion" selected>' in page
