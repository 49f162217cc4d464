"""The pages under the Content-Security-Policy in a real browser: the ones
that had inline styles or scripts (the tree as of a date, the report
catalogue's unit choice, htmx) work, and the browser reports no violation
(the `page` fixture fails the test on any)."""

from tests.browser.conftest import log_in


def test_pages_that_had_inline_code_work_under_the_policy(page, tree, ward1_staff):
    log_in(page, "ward1")
    response = page.goto(page.base_url + "/to-chuc/cay/?ngay=01/12/2026")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    indent = page.locator("span.indent-1").first
    width, rem = indent.evaluate(
        "e => [parseFloat(getComputedStyle(e).width),"
        " parseFloat(getComputedStyle(document.documentElement).fontSize)]"
    )
    assert width == 1.25 * rem  # the depth's indent, from the stylesheet
    page.goto(page.base_url + "/bao-cao/")
    select = page.locator("select[data-autosubmit]")
    if select.count() and select.locator("option").count() > 1:
        value = select.locator("option").nth(1).get_attribute("value")
        with page.expect_navigation():
            select.select_option(value)
        assert f"unit={value}" in page.url
    page.goto(page.base_url + "/dang-vien/")
    page.goto(page.base_url + "/sinh-hoat/")
    assert page.csp_violations == []
