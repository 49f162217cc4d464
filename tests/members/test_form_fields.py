"""The member data the statistics forms count (issue 12, item 6): the
official lists, and levels that changed answered for a past date."""

import importlib
from datetime import date

import pytest

from chibo.errors import ServiceError
from members.choices import ETHNICITIES, ETHNICITY_CHOICES, Education, Occupation, TheoryLevel
from members.models import Member, ProfileChange
from members.selectors import member_profile_on, profile_on
from members.services import member_update

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
