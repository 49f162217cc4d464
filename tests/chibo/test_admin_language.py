"""The admin site speaks Vietnamese, third-party apps included (log-in
throttling, background work, dossier history, passwords), and the compiled
catalogue says what its source says."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, pgettext

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _po_entries():
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid_plural" in block:
            continue
        ctx = re.search(r'^msgctxt "(.*)"$', block, re.M)
        mid = re.search(r'^msgid "(.*)"$', block, re.M)
        ms = re.search(r'^msgstr "(.*)"$', block, re.M)
        if mid and mid.group(1) and ms:
            unq = lambda s: s.replace('\\"', '"')  # noqa: E731
            yield (ctx.group(1) if ctx else None, unq(mid.group(1)), unq(ms.group(1)))


def test_the_compiled_catalogue_matches_its_source():
    entries = list(_po_entries())
    assert len(entries) > 100
    with translation.override("vi"):
        for ctx, msgid, msgstr in entries:
            got = pgettext(ctx, msgid) if ctx else gettext(msgid)
            assert got == msgstr, f"{msgid!r}: run `make messages`"


ENGLISH = [
    "Axes",
    "Tasks Database Backend",
    "Task Results",
    "Access attempts",
    "Access logs",
    "Access failures",
    "Password-based authentication",
    "Raw passwords are not stored",
    "Skip to main content",
    "Toggle theme",
    "task name",
    "run after",
]


@pytest.mark.parametrize(
    "path",
    [
        "/quan-tri/",
        "/quan-tri/axes/accessattempt/",
        "/quan-tri/axes/accesslog/",
        "/quan-tri/axes/accessfailurelog/",
        "/quan-tri/django_tasks_database/dbtaskresult/",
        "/quan-tri/chibo/user/add/",
        "/quan-tri/documents/documenttemplate/add/",
    ],
)
def test_admin_pages_have_no_english_labels(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 200, path
    # the words a person reads, not the addresses (/quan-tri/axes/…)
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    found = [w for w in ENGLISH if w.lower() in page.lower()]
    assert found == [], f"{path}: {found}"


def test_the_admin_names_the_third_party_apps_in_vietnamese(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/quan-tri/").content.decode()
    for name in ("Đăng nhập sai, khóa tài khoản", "Việc chạy nền", "Mẫu văn bản"):
        assert name in page


def test_a_short_password_is_refused_in_vietnamese(client, admin_user):
    client.force_login(admin_user)
    page = client.post(
        "/quan-tri/chibo/user/add/",
        {"username": "moi", "password1": "12", "password2": "12", "usable_password": "true"},
    ).content.decode()
    assert "Mật khẩu quá ngắn" in page
