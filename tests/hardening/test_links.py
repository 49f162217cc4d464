"""Issue 15, "a link test": the demo crawled as each persona, following every
link a page shows. None answers 403 or 404 (log-out is a form, not a link).

Bounded to stay quick: addresses that differ only in their ids count as one
kind of page, of which a few are visited; files (PDF, .docx, spreadsheets:
made by their own tests) are not fetched; the admin site is Django's own."""

import re
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit

from django.core.management import call_command
from django.test import Client

from chibo.models import User
from tests.hardening.html import links

PERSONAS = ["admin", "board", "ward1", "ward2", "secretary1"]
PER_KIND = 1  # pages visited of one kind (same address but for ids)
MAX_PAGES = 150  # per persona
FILES = re.compile(r"\.(pdf|docx|xlsx|csv|json|ico|svg|png)$|[?&]format=")
SKIP = ("/static/", "/quan-tri/", "/dang-xuat/", "/media/")


def _kind(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return re.sub(r"\d+", "N", parts.path) + "?" + re.sub(r"\d+", "N", query)


def _crawl(client: Client) -> tuple[list[tuple[str, int, str]], int]:
    seen, bad = set(), []
    kinds: Counter = Counter()
    queue = deque([("/", "")])
    visited = 0
    while queue and visited < MAX_PAGES:
        url, source = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        kind = _kind(url)
        if kinds[kind] >= PER_KIND:
            continue
        kinds[kind] += 1
        response = client.get(url)
        visited += 1
        if response.status_code in (403, 404) or response.status_code >= 500:
            bad.append((url, response.status_code, source))
            continue
        if response.status_code in (301, 302):
            target = response["Location"]
            if not target.startswith("/dang-nhap/"):
                queue.append((target, url))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in links(response.content):
            target = urljoin(url, href.split("#")[0])
            if not target.startswith("/") or target.startswith(SKIP) or FILES.search(target):
                continue
            if target not in seen:
                queue.append((target, url))
    return bad, visited


def test_no_link_any_persona_is_shown_leads_to_403_or_404(db):
    call_command("seed_demo", verbosity=0)
    report = []
    for username in PERSONAS:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        bad, visited = _crawl(client)
        assert visited > 20, (username, visited)
        report += [
            f"{username}: {url} → {code} (linked from {source})" for url, code, source in bad
        ]
    assert not report, "\n".join(report)


# --- the three links that led to 404, each on a small tree ------------------------------


def _every_link_opens(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    broken = []
    for href in links(response.content):
        target = urljoin(url, href.split("#")[0])
        if not target.startswith("/") or target.startswith(SKIP) or FILES.search(target):
            continue
        code = client.get(target).status_code
        if code in (403, 404):
            broken.append(f"{target} → {code}")
    return broken


def test_a_cell_secretary_is_not_shown_the_superiors_report(client, tree, cell_secretary):
    client.force_login(cell_secretary)
    url = f"/bao-cao/structure/{tree.cell1a.pk}/"
    assert "Đơn vị cấp trên" not in client.get(url).content.decode()
    assert _every_link_opens(client, url) == []
    assert _every_link_opens(client, f"/to-chuc/{tree.cell1a.pk}/theo-ngay/") == []


def test_the_ward_still_sees_its_superiors_link_where_it_may_open_it(client, tree, board):
    client.force_login(board)
    assert "Đơn vị cấp trên" in client.get(f"/bao-cao/structure/{tree.ward1.pk}/").content.decode()


def test_a_transferred_members_past_reviews_are_not_links_the_new_ward_cannot_open(
    client, tree, ward2_staff, admin_user
):
    from datetime import date

    from members.services import member_transfer_permanent
    from tests.reviews.factories import open_cycle

    member = tree.members.m1a[0]
    open_cycle(tree.cell1a, 2025)
    member_transfer_permanent(
        actor=admin_user, member=member, unit=tree.cell2a, day=date(2026, 2, 1)
    )
    client.force_login(ward2_staff)
    url = f"/dang-vien/{member.pk}/"
    page = client.get(url).content.decode()
    assert "2025" in page  # the year is still shown
    assert _every_link_opens(client, url) == []


def test_the_submitted_reports_crumb_opens_for_the_submitter_and_the_board(
    client, tree, ward1_staff, board
):
    from tests.reports.test_submissions import submit

    version = submit(ward1_staff, tree.ward1)
    url = f"/bao-cao/da-nop/{version.submission.pk}/"
    for user in (ward1_staff, board):
        client.force_login(user)
        assert _every_link_opens(client, url) == [], user
