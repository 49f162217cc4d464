"""Real-browser tests: Playwright driving Debian's chromium against a live server.

Every test here is marked `browser`. They need /usr/bin/chromium (installed by
`make test`); without it they fail loudly rather than skip, so CI cannot pass
without having run them.
"""

import os

import pytest

CHROMIUM = os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make for their own set-up are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _watch_csp(page) -> list[str]:
    """Every Content-Security-Policy violation the browser reports on `page`
    (chromium logs each as a console error): a test fails on any."""
    violations: list[str] = []

    def seen(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", seen)
    return violations


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    page.csp_violations = _watch_csp(page)
    yield page
    context.close()
    assert not page.csp_violations, page.csp_violations


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized screen (360×740, touch)."""
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        has_touch=True,
        is_mobile=True,
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    page.csp_violations = _watch_csp(page)
    yield page
    context.close()
    assert not page.csp_violations, page.csp_violations


def log_in(page, username: str, password: str = "chibo-demo") -> None:
    page.goto(page.base_url + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base_url + "/")
