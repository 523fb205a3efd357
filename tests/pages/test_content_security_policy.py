"""Every page is sent with a Content-Security-Policy that allows nothing inline, and the
pages still work under it: the browser blocks nothing, and the scripts run."""

from __future__ import annotations

from typing import Any

from tests.pages.conftest import sign_in

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _assert_clean(page: Any, where: str) -> None:
    assert page.evaluate("window.__cspViolations") == [], where
    # ripple.js ran (it gives every writing form its Idempotency-Key) and so did the
    # NHS.UK components it loads.
    # A selector, not a JavaScript predicate: the page's policy forbids eval, which a
    # polled predicate would need.
    page.locator("body.nhsuk-frontend-supported").wait_for(state="attached")


def test_pages_carry_a_strict_policy_and_break_none_of_it(page, ward_team):
    page.add_init_script(COLLECT_VIOLATIONS)
    response = page.goto("/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    _assert_clean(page, "sign-in")

    sign_in(page, ward_team["nurse"].email)
    _assert_clean(page, "my projects")
    for path in (
        f"/projects/{ward_team['project'].pk}/",
        f"/data/new/?measure={ward_team['falls'].pk}",
        "/notifications/",
    ):
        page.goto(path)
        _assert_clean(page, path)
    assert page.locator("form[data-key]").count() > 0 or page.url.endswith("/notifications/")
