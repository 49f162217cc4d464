"""Every URL of the app, for the demo's personas: an anonymous visitor is sent
to log in, the other ward's staff gets 404 for ward1's records, ward1's staff
reaches them; nothing answers 500. Complements each app's own access matrix by
catching a URL someone forgets to put in one."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from chibo.downloads import generated_file_request
from chibo.models import GeneratedFile, User
from meetings.models import Guest, Meeting, MinutesVersion
from members.models import Member, ResidenceContact
from organizations.models import Level, Unit
from reviews.models import MemberReview, OrganizationReview, ReviewCycle


def _patterns(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("quan-tri"):
                continue
            yield from _patterns(p, prefix + str(p.pattern), p.namespace or namespace)
        elif p.name:
            yield (f"{namespace}:" if namespace else "") + p.name, prefix + str(p.pattern)


def _ward1_args(name: str, route: str, ward1: Unit) -> dict | None:
    """Arguments naming one of ward1's records for the URL, or None if the demo has none."""
    cell = Unit.objects.filter(parent=ward1, level=Level.CELL).order_by("pk").first()
    meeting = Meeting.objects.filter(unit__parent=ward1).order_by("pk").first()
    member = Member.objects.filter(unit__parent=ward1).order_by("pk").first()
    app = name.split(":")[0]
    args = {}
    for arg in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if arg == "pk" and "import" in name:
            return None  # ImportBatch ids: none in the demo (tests/chibo/test_imports.py)
        if arg == "unit_pk" or arg == "unit_id" or (arg == "pk" and app == "organizations"):
            value = cell.pk
        elif arg == "pk" and app == "members" and "import" not in name or arg == "member_pk":
            value = member.pk
        elif arg == "contact_pk":
            contact = ResidenceContact.objects.filter(unit__parent=ward1).first()
            if contact is None:
                return None
            value = contact.pk
        elif arg == "pk" and app == "meetings":
            value = meeting.pk
        elif arg == "guest_pk":
            guest = (
                Guest.objects.filter(meeting=meeting).first()
                or Guest.objects.filter(meeting__unit__parent=ward1).first()
            )
            if guest is None:
                return None
            args["pk"] = guest.meeting_id
            value = guest.pk
        elif arg == "number":
            version = MinutesVersion.objects.filter(meeting__unit__parent=ward1).first()
            if version is None:
                return None
            args["pk"] = version.meeting_id
            value = version.number
        elif arg == "pk" and app == "reviews":
            if name.startswith("reviews:review"):
                obj = MemberReview.objects.filter(member__unit__parent=ward1).first()
            elif name.startswith("reviews:organization"):
                obj = OrganizationReview.objects.filter(unit__parent=ward1).first()
            else:
                obj = ReviewCycle.objects.filter(unit=ward1).first()
            if obj is None:
                return None
            value = obj.pk
        elif arg == "slug" and name == "organizations:restructure":
            value = "doi-ten"
        elif arg == "slug" or arg == "action":
            return None  # covered by the app's own tests, value set is app-specific
        elif arg == "kind":
            value = "huy-hieu"
        elif arg == "name":
            value = "structure"
        elif arg == "pk" and name.startswith("generated_file"):
            job = GeneratedFile.objects.filter(scope=ward1.path).first()
            if job is None:
                return None
            value = job.pk
        else:
            return None  # ImportBatch and Submission ids: none in the demo
        args.setdefault(arg, value)
    return args


@pytest.mark.django_db(transaction=False)
def test_every_url_is_closed_to_strangers_and_open_to_its_ward():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    ward1 = Unit.objects.get(code="DEMO-W1")
    staff1, staff2 = Client(), Client()
    staff1.force_login(User.objects.get(username="ward1"))
    staff2.force_login(User.objects.get(username="ward2"))
    anonymous = Client()
    # a file ward1's staff had made in the background (the roster of their ward)
    generated_file_request(
        actor=User.objects.get(username="ward1"), kind="members.roster", params={}, fmt="csv"
    )
    problems, checked = [], 0
    for name, route in _patterns():
        if name in ("login", "logout"):
            continue
        args = _ward1_args(name, route, ward1)
        if args is None:
            continue
        if name == "organizations:restructure":
            args["slug"] = "doi-ten"
        try:
            url = reverse(name, kwargs=args or None)
        except Exception:  # noqa: BLE001 - an arg this test does not know how to fill
            continue
        checked += 1
        r = anonymous.get(url)
        if not (r.status_code == 302 and "/dang-nhap/" in r["Location"]):
            problems.append(f"anonymous {url}: {r.status_code}")
        r = staff1.get(url)
        if r.status_code >= 500 or r.status_code == 404:
            problems.append(f"ward1 {url}: {r.status_code}")
        if any(isinstance(v, int) for v in args.values()):  # names one of ward1's records
            r = staff2.get(url)
            if r.status_code not in (404, 403, 405):
                problems.append(f"ward2 {url}: {r.status_code}")
    assert checked > 40
    assert problems == []
