"""In a real browser, every page of the council's rules, the privacy officer's oversight and consent, as the demo
fills them: each passes axe (A11Y-1) and is photographed. The journey through them that changes things is
tests/e2e/test_council_rules_journey.py; this one only reads, and looks at the pages the journey does not reach.
"""

import re

import pytest

from tests.e2e.test_team_upkeep_journey import _checked

pytestmark = pytest.mark.council_side

PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
STAFFORDSHIRE_ADMINISTRATOR = "helen.bradbury@staffordshire-earlyhelp.example"  # and its privacy officer
YARRA_CHILD_PROTECTION = "sarah.kowalski@dffh-childprotection.example"  # her teams show each consent case


def _sign_in(page: object, site: str, email: str) -> None:
    page.goto(f"{site}/sign-in/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button[type=submit]")  # type: ignore[attr-defined]


def _visit(page: object, url: str, name: str) -> str:
    response = page.goto(url)  # type: ignore[attr-defined]
    assert response is not None, url
    assert response.status == 200, f"{url}: {response.status}"
    _checked(page, name)
    return page.content()  # type: ignore[attr-defined]


def _first_link(page: object, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(link => link.href)")  # type: ignore[attr-defined]
    found = [href for href in hrefs if re.search(pattern, href)]
    assert found, f"no link matching {pattern} on {page.url}"  # type: ignore[attr-defined]
    return found[0]


def test_the_rules_and_the_privacy_officers_pages_pass_axe(demo_server: str, browser: object) -> None:
    site = f"http://staffordshire.localhost:{demo_server}"
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    _sign_in(page, site, STAFFORDSHIRE_ADMINISTRATOR)

    rules = _visit(page, f"{site}/administration/rules/", "governance-01-rules")
    assert "Change Grow Live" in rules
    _visit(page, _first_link(page, r"/administration/rules/sensitive-services/"), "governance-02-sensitive-service")
    for index, section in enumerate(("search-and-join", "family-teams", "break-glass", "alerts"), start=3):
        _visit(page, f"{site}/administration/rules/{section}/", f"governance-0{index}-rules-{section}")
    history = _visit(page, f"{site}/administration/rules/history/", "governance-07-history")
    assert "Version 1" in history or "version 1" in history.lower()
    _visit(page, f"{site}/administration/rules/history/1/", "governance-08-version-1")
    roles = _visit(page, f"{site}/administration/break-glass-roles/", "governance-09-break-glass-roles")
    assert "Amy Collier" in roles

    inbox = _visit(page, f"{site}/privacy-officer/alerts/", "governance-10-alerts")
    assert "A burst of searches" in inbox
    burst = page.locator("main a:has-text('A burst of searches')").first  # type: ignore[attr-defined]
    alert = _visit(page, site + burst.get_attribute("href"), "governance-11-alert")
    assert "Assign" in alert or "assign" in alert
    _visit(page, _first_link(page, r"/privacy-officer/clients/[0-9a-f-]{36}/$"), "governance-12-who-accessed")
    _visit(page, _first_link(page, r"/privacy-officer/practitioners/[0-9a-f-]{36}/$"), "governance-13-activity")
    _visit(page, f"{site}/break-glass/reviews/", "governance-14-break-glass-reviews")
    _visit(page, _first_link(page, r"/break-glass/reviews/[0-9a-f-]{36}/$"), "governance-15-break-glass-review")


def test_the_consent_pages_pass_axe(demo_server: str, browser: object) -> None:
    site = f"http://yarra.localhost:{demo_server}"
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    _sign_in(page, site, YARRA_CHILD_PROTECTION)
    clients = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "main a[href*='/clients/']", "links => links.map(link => link.href)"
    )
    teams = sorted({match.group(0) for href in clients if (match := re.search(r".*/clients/[0-9a-f-]{36}/", href))})
    assert teams, "her dashboard lists her clients"
    seen_withdraw = False
    for index, team in enumerate(teams):
        page.goto(f"{team}consent/")  # type: ignore[attr-defined]
        withdraw = page.locator("main a[href*='/withdraw/']")  # type: ignore[attr-defined]
        if withdraw.count():
            _checked(page, "governance-16-consent-records")
            _visit(page, site + withdraw.first.get_attribute("href"), "governance-17-withdraw")
            seen_withdraw = True
            break
        if index == 0:
            _checked(page, "governance-16-consent-records-none")
    assert seen_withdraw, "one of her clients has a current consent to withdraw"
