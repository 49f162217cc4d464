from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command

from members.choices import PlacementKind
from members.models import (
    Candidacy,
    CivilServantEvaluation,
    Discipline,
    Exemption,
    Placement,
    ResidenceContact,
)
from members.selectors import probation_due


def test_the_demo_shows_every_part_of_the_lifecycle(db):
    call_command("seed_demo")
    ward1 = get_user_model().objects.get(username="ward1")
    assert Candidacy.objects.filter(outcome=Candidacy.Outcome.PENDING).count() >= 2
    due = probation_due(ward1, date.today())
    assert any(m.overdue for m in due) and any(not m.overdue for m in due)
    assert Exemption.objects.filter(valid_to__isnull=True).exists()
    assert Placement.objects.filter(kind=PlacementKind.TEMPORARY).exists()
    assert Discipline.objects.filter(self_reported=True).exists()
    contact = ResidenceContact.objects.first()
    assert contact is not None and contact.unit_id != contact.member.unit_id
    assert CivilServantEvaluation.objects.filter(member=contact.member).exists()


def test_the_demo_gives_the_statistics_forms_something_to_count(db):
    from django.db.models import Count

    from members.choices import MEMBER_STATUSES, Occupation, TransferScope
    from members.models import Member, ProfileChange
    from members.selectors import profile_on

    call_command("seed_demo")
    members = Member.objects.filter(status__in=MEMBER_STATUSES)
    total = members.count()
    by = {
        field: dict(members.values_list(field).annotate(n=Count("id")).order_by())
        for field in ("occupation_category", "education", "qualification", "theory_level")
    }
    # most groups of the occupation list are present, retirees the largest
    assert len(by["occupation_category"]) >= 10
    assert max(by["occupation_category"], key=by["occupation_category"].get) == Occupation.RETIRED
    assert len(by["education"]) >= 3 and len(by["qualification"]) >= 6
    assert len(by["theory_level"]) >= 4
    for flag in ("is_youth_union_member", "is_discharged_soldier", "is_readmitted"):
        assert 0 < members.filter(**{flag: True}).count() < total / 2, flag
    assert members.exclude(academic_title="").exists()
    assert members.exclude(religion="none").count() > total / 20
    assert members.exclude(ethnicity="Kinh").exists()
    # this year's movements, each with the kind Biểu 1 counts
    assert Placement.objects.filter(arrived_from=TransferScope.OTHER_PROVINCE).exists()
    assert Placement.objects.filter(arrived_from=TransferScope.OTHER_DISTRICT).exists()
    assert Placement.objects.filter(left_to=TransferScope.INTERNAL).exists()
    assert Placement.objects.filter(left_to=TransferScope.OTHER_PROVINCE).exists()
    # theory courses finished this year: a form for a year ago reads the old level
    assert ProfileChange.objects.filter(field="theory_level").exists()
    assert profile_on(date.today() - timedelta(days=366))
