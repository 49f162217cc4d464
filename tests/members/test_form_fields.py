"""The member data the statistics forms count (issue 12, item 6): the
official lists, and levels that changed answered for a past date."""

import importlib
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from chibo.errors import ServiceError
from members.choices import (
    ETHNICITIES,
    ETHNICITY_CHOICES,
    AcademicTitle,
    Education,
    Occupation,
    Qualification,
    Religion,
    TheoryLevel,
)
from members.models import Member, ProfileChange
from members.selectors import member_profile_on, profile_on
from members.services import member_update
from tests.members.test_profile import profile_data

migration = importlib.import_module("members.migrations.0005_member_form_fields")


def test_the_ethnicities_follow_the_forms_order_with_rows_55_and_56():
    assert len(ETHNICITIES) == 56
    assert ETHNICITIES[:5] == ["Kinh", "Tày", "Thái", "Hoa", "Khơ Me"]
    assert ETHNICITIES[53:] == ["Rơ Măm", "Quốc tịch gốc nước ngoài", "Dân tộc khác"]
    assert [v for v, _label in ETHNICITY_CHOICES] == ETHNICITIES


def test_the_occupation_list_is_the_2017_one_with_the_retired_last():
    assert len(Occupation.values) == 15 and Occupation.values[-1] == "retired"


@pytest.mark.parametrize(
    "text, code",
    [
        ("Không", "none"),
        ("", "none"),
        ("Phật giáo", "buddhist"),
        ("Phật giáo Hòa Hảo", "hoa_hao"),
        ("Công giáo", "catholic"),
        ("Đạo Tin Lành", "protestant"),
        ("Cao Đài", "cao_dai"),
        ("Bà La Môn", "other"),
        ("catholic", "catholic"),
    ],
)
def test_free_text_religions_already_kept_become_the_forms_groups(text, code):
    assert migration._religion(text) == code


def test_a_real_change_keeps_the_earlier_level_for_earlier_dates(tree):
    m = tree.members.m1a[0]
    member_update(actor=None, member=m, theory_level=TheoryLevel.ELEMENTARY)  # a correction
    assert not ProfileChange.objects.filter(member=m).exists()
    member_update(
        actor=None,
        member=m,
        changed_on=date(2024, 6, 1),
        theory_level=TheoryLevel.INTERMEDIATE,
        is_retired=True,
    )
    m.refresh_from_db()
    assert m.theory_level == TheoryLevel.INTERMEDIATE
    before = member_profile_on(m, date(2024, 5, 31))
    assert before["theory_level"] == TheoryLevel.ELEMENTARY and before["is_retired"] is False
    on_the_day = member_profile_on(m, date(2024, 6, 1))
    assert on_the_day["theory_level"] == TheoryLevel.INTERMEDIATE and on_the_day["is_retired"]
    assert profile_on(date(2024, 6, 1)) == {}
    assert profile_on(date(2023, 1, 1), Member.objects.filter(pk=m.pk)) == {
        m.pk: {"theory_level": TheoryLevel.ELEMENTARY, "is_retired": False}
    }


def test_changes_of_a_field_are_kept_in_date_order(tree):
    m = tree.members.m1a[0]
    member_update(
        actor=None, member=m, changed_on=date(2024, 6, 1), education=Education.UPPER_SECONDARY
    )
    with pytest.raises(ServiceError, match="theo thứ tự ngày"):
        member_update(
            actor=None, member=m, changed_on=date(2020, 1, 1), education=Education.LOWER_SECONDARY
        )
    m.refresh_from_db()
    assert m.education == Education.UPPER_SECONDARY
    assert ProfileChange.objects.filter(member=m).count() == 1


def test_the_profile_shows_what_the_forms_count(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    member_update(
        actor=None,
        member=m,
        religion=Religion.CATHOLIC,
        academic_title=AcademicTitle.ASSOCIATE_PROFESSOR,
        occupation_category=Occupation.PUBLIC_SERVICE,
        is_discharged_soldier=True,
        is_readmitted=True,
    )
    client.force_login(ward1_staff)
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    for text in (
        "Thiên Chúa giáo (Công giáo)",
        "Phó giáo sư",
        "Viên chức sự nghiệp công lập",
        "kết nạp lại",
    ):
        assert text in body
    assert re.search(r"Quân nhân xuất ngũ</dt><dd>Có<", body)
    assert re.search(r"Đoàn viên TNCS Hồ Chí Minh</dt><dd>Không<", body)


def test_a_dated_change_through_the_dossier_page_keeps_the_old_level_for_past_forms(
    client, tree, ward1_staff
):
    m = tree.members.m1a[0]
    member_update(actor=None, member=m, theory_level=TheoryLevel.ELEMENTARY)
    client.force_login(ward1_staff)
    url = reverse("members:edit", args=[m.pk])
    assert "Trình độ, nghề nghiệp thay đổi từ ngày" in client.get(url).content.decode()
    data = profile_data(m, theory_level=TheoryLevel.INTERMEDIATE, changed_on="15/09/2023")
    assert client.post(url, data).status_code == 302
    change = ProfileChange.objects.get(member=m)
    assert (change.field, change.previous, change.value, change.changed_on) == (
        "theory_level",
        TheoryLevel.ELEMENTARY,
        TheoryLevel.INTERMEDIATE,
        date(2023, 9, 15),
    )
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "Thay đổi lý luận chính trị: Sơ cấp → Trung cấp" in body
    assert member_profile_on(m, date(2023, 6, 30))["theory_level"] == TheoryLevel.ELEMENTARY


def test_a_change_dated_in_the_future_is_refused_and_changes_nothing(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    client.force_login(ward1_staff)
    later = (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")
    data = profile_data(m, qualification=Qualification.MASTER, changed_on=later)
    page = client.post(reverse("members:edit", args=[m.pk]), data).content.decode()
    assert "Ngày thay đổi" in page and "không được sau ngày hôm nay" in page
    m.refresh_from_db()
    assert m.qualification != Qualification.MASTER
    assert not ProfileChange.objects.filter(member=m).exists()


def test_a_candidate_is_entered_with_what_the_new_members_form_counts(client, tree, ward1_staff):
    a, b = tree.members.m1a[:2]
    client.force_login(ward1_staff)
    response = client.post(
        reverse("members:candidate_new", args=[tree.cell1a.pk]),
        {
            "full_name": "Vũ Văn Lại",
            "gender": "M",
            "birth_date": "05/05/1990",
            "ethnicity": "Mường",
            "religion": "buddhist",
            "education": Education.UPPER_SECONDARY,
            "qualification": Qualification.COLLEGE,
            "theory_level": TheoryLevel.NONE,
            "occupation_category": Occupation.ENTERPRISE_WORKER,
            "is_youth_union_member": "on",
            "is_readmitted": "on",
            "proposed_on": "10/01/2024",
            "helper_1": a.pk,
            "helper_2": b.pk,
        },
    )
    assert response.status_code == 302
    m = Member.objects.get(full_name="Vũ Văn Lại")
    assert (m.occupation_category, m.qualification, m.religion) == (
        Occupation.ENTERPRISE_WORKER,
        Qualification.COLLEGE,
        Religion.BUDDHIST,
    )
    assert m.is_youth_union_member and m.is_readmitted


def test_the_profile_of_a_past_day_is_one_query_however_many_members(
    tree, django_assert_num_queries
):
    for i, m in enumerate([*tree.members.m1a, *tree.members.m2a]):
        member_update(
            actor=None,
            member=m,
            changed_on=date(2024, 1 + i, 1),
            occupation_category=Occupation.RETIRED,
            is_retired=True,
        )
    with django_assert_num_queries(1):
        past = profile_on(date(2024, 2, 15), Member.objects.filter(unit__parent=tree.ward1))
    # ward1's three: two changed by 15/02 (in January, February), one on 01/03 after it
    assert list(past.values()) == [{"occupation_category": "", "is_retired": False}]


def test_the_admin_shows_a_members_dated_changes(client, tree, admin_user):
    m = tree.members.m1a[0]
    member_update(
        actor=None, member=m, changed_on=date(2024, 6, 1), occupation_category=Occupation.RETIRED
    )
    client.force_login(admin_user)
    page = client.get(f"/quan-tri/members/member/{m.pk}/change/")
    assert page.status_code == 200
    assert "occupation_category" in page.content.decode() and "01/06/2024" in page.content.decode()
