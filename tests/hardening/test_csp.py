"""Issue 15, defect 11: a Content-Security-Policy of self only, with no
inline script or style in any template (the browser tests fail on any
violation the browser reports: tests/browser/conftest.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
INLINE = [
    (re.compile(r"\sstyle\s*="), "a style attribute"),
    (re.compile(r"<style[\s>]"), "a <style> element"),
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"),
        "an inline script",
    ),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']"), "an event-handler attribute"),
    (re.compile(r"javascript:"), "a javascript: address"),
]


def _page_templates():
    """Every template a browser is shown (not the PDF/Typst documents, which
    WeasyPrint reads and no browser does)."""
    for path in ROOT.glob("**/templates/**/*.html"):
        parts = set(path.relative_to(ROOT).parts)
        if ".venv" in parts or "pdf" in parts or "documents" in parts:
            continue
        yield path


def test_no_page_template_carries_an_inline_script_or_style():
    found = []
    for path in _page_templates():
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "url", ["/", "/dang-vien/", "/to-chuc/cay/", "/bao-cao/", "/dang-nhap/", "/khong-co/"]
)
def test_every_page_sends_the_policy(client, ward1_staff, url):
    client.force_login(ward1_staff)
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_server_error_page_has_no_inline_style(client, ward1_staff):
    from chibo.views import server_error

    response = server_error(None)
    assert b"style=" not in response.content
    assert b"chibo" in response.content and b"css" in response.content


def test_only_the_admin_site_may_use_inline_styles(client, admin_user):
    client.force_login(admin_user)
    policy = client.get(reverse("admin:index"))["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self'" in policy and "script-src 'self' 'unsafe" not in policy
