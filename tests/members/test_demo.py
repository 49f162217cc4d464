from datetime import date

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
