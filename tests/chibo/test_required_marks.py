"""Every form marks its required fields: on every page of the app that the
demo's office staff, cell secretary and administrator open, each control the
browser must not leave empty (Django renders `required`) has a label carrying
the red "*" (`<span class="required">`), so the marker and the rule never
disagree. Pages are found by walking the URL patterns (tests/chibo/test_url_access.py)
plus each variant of the pages with a slug (member actions, restructures,
imports)."""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from chibo.imports.kinds import all_kinds
from chibo.models import User
from members.models import Member
from members.views import ACTIONS
from organizations.models import Level, Unit
from structure.views import RESTRUCTURES
from tests.chibo.test_url_access import _patterns, _ward1_args

CONTROLS = ("input", "select", "textarea")


class _Form(HTMLParser):
    """The required controls of a page, and the labels with their markers."""

    def __init__(self):
        super().__init__()
        self.required: list[tuple[str, str]] = []  # (id, html name)
        self.labels: dict[str, bool] = {}  # for= -> marked
        self.wrapped: set[str] = set()  # controls inside a marked label or group
        self._label: dict | None = None
        # a group of choices (radio buttons) is marked on its fieldset's legend
        self._fieldsets: list[dict] = []
        self._legend = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self._label = {"for": a.get("for"), "marked": False, "controls": []}
        elif tag == "fieldset":
            self._fieldsets.append({"marked": False, "controls": []})
        elif tag == "legend":
            self._legend = True
        elif tag == "span" and "required" in (a.get("class") or "").split():
            if self._label is not None:
                self._label["marked"] = True
            elif self._legend and self._fieldsets:
                self._fieldsets[-1]["marked"] = True
        elif tag in CONTROLS:
            if a.get("type") in ("hidden", "submit", "button"):
                return
            if "required" in a:
                self.required.append((a.get("id") or "", a.get("name") or ""))
            if self._label is not None:
                self._label["controls"].append(a.get("id") or a.get("name"))
            for group in self._fieldsets:
                group["controls"].append(a.get("id") or a.get("name"))

    def handle_endtag(self, tag):
        if tag == "legend":
            self._legend = False
        if tag == "fieldset" and self._fieldsets:
            group = self._fieldsets.pop()
            if group["marked"]:
                self.wrapped.update(group["controls"])
        if tag == "label" and self._label is not None:
            label = self._label
            if label["for"]:
                self.labels[label["for"]] = self.labels.get(label["for"], False) or label["marked"]
            if label["marked"]:
                self.wrapped.update(label["controls"])
            self._label = None

    def unmarked(self) -> list[str]:
        return [
            name
            for id_, name in self.required
            if not self.labels.get(id_) and (id_ or name) not in self.wrapped
        ]


def _urls(ward1: Unit) -> list[str]:
    urls = []
    for name, route in _patterns():
        if name in ("logout",):
            continue
        args = _ward1_args(name, route, ward1)
        if args is None:
            continue
        try:
            url = reverse(name, kwargs=args or None)
        except Exception:  # noqa: BLE001, S112 - an argument the walk cannot fill
            continue
        if not url.endswith((".pdf", ".docx", ".xlsx", ".csv")):  # files, not pages
            urls.append(url)
    cell = Unit.objects.filter(parent=ward1, level=Level.CELL).order_by("pk").first()
    member = Member.objects.filter(unit__parent=ward1).order_by("pk").first()
    urls += [reverse("members:action", args=[member.pk, slug]) for slug in ACTIONS]
    urls += [reverse("organizations:restructure", args=[cell.pk, s]) for s in RESTRUCTURES]
    urls += [reverse("organizations:restructure", args=[ward1.pk, s]) for s in RESTRUCTURES]
    urls += [reverse("imports:start", args=[kind.slug]) for kind in all_kinds()]
    return urls


@pytest.mark.django_db(transaction=False)
def test_every_required_field_of_every_form_is_marked():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    ward1 = Unit.objects.get(code="DEMO-W1")
    urls = _urls(ward1)
    problems, forms = [], 0
    anonymous = Client()
    pages = [(anonymous, reverse("login"))]
    for username in ("ward1", "secretary1", "admin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages += [(client, url) for url in urls]
    for client, url in pages:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Form()
        parser.feed(response.content.decode())
        forms += bool(parser.required)
        problems += [f"{url}: {name}" for name in parser.unmarked()]
    assert forms > 20  # the walk reaches the forms
    assert not problems, "\n".join(sorted(set(problems)))
