from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F, OuterRef, Subquery

from members.choices import PlacementKind
from members.models import (
    Candidacy,
    CivilServantEvaluation,
    Discipline,
    Exemption,
    Member,
    Placement,
    ResidenceContact,
    StatusPeriod,
)
from members.selectors import member_timeline, probation_due


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


def test_the_demo_members_past_starts_at_their_admission_not_at_the_wards_founding(db):
    call_command("seed_demo")
    ward_founded = date(2025, 7, 1)
    old = (
        Member.objects.filter(admitted_on__lt=date(2018, 1, 1), official_on__isnull=False)
        .order_by("id")
        .first()
    )
    timeline = member_timeline(old)
    # probationary from the admission, official from the official date, then
    # in the cell since the new ward's founding: each "theo dữ liệu nhập"
    assert (timeline[0].day, timeline[0].title) == (old.admitted_on, "Đảng viên dự bị")
    assert (timeline[1].day, timeline[1].title) == (old.official_on, "Đảng viên chính thức")
    assert timeline[0].reconstructed and timeline[1].reconstructed
    assert any(e.day == ward_founded and e.title.startswith("Sinh hoạt tại") for e in timeline)
    # no demo member is recorded only from 01/07/2025 (those admitted through
    # the lifecycle start as candidates)
    first = StatusPeriod.objects.filter(member=OuterRef("pk")).order_by("valid_from")
    starts = Member.objects.filter(admitted_on__isnull=False).annotate(
        first=Subquery(first.values("valid_from")[:1])
    )
    assert starts.filter(candidacies__isnull=True).count() > 500
    assert not starts.filter(candidacies__isnull=True).exclude(first=F("admitted_on")).exists()
