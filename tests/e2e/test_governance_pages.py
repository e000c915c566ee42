"""In a real browser, every page of the council's rules, the privacy officer's oversight and consent, as the demo
fills them: each passes axe (A11Y-1) and is photographed. The journey through them that changes things is
tests/e2e/test_council_rules_journey.py; this one only reads, and looks at the pages the journey does not reach.
"""

import re
from pathlib import Path

import pytest

from tests.e2e.staffordshire import born, checked

pytestmark = pytest.mark.council_side

PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
STAFFORDSHIRE_ADMINISTRATOR = "helen.bradbury@staffordshire-earlyhelp.example"  # and its privacy officer
YARRA_CHILD_PROTECTION = "sarah.kowalski@dffh-childprotection.example"  # her teams show each consent case
MASH_SOCIAL_WORKER = "amy.collier@staffordshire-childrens.example"
TEAM_MEMBER = "gareth.hollis@staffs-police.example"  # in Ryan Thomas's team (the demo's fixed seed)


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
    checked(page, name)
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
            checked(page, "governance-16-consent-records")
            _visit(page, site + withdraw.first.get_attribute("href"), "governance-17-withdraw")
            seen_withdraw = True
            break
        if index == 0:
            checked(page, "governance-16-consent-records-none")
    assert seen_withdraw, "one of her clients has a current consent to withdraw"


def _set_join_approval(page: object, site: str, on: bool, reason: str) -> None:
    page.goto(f"{site}/administration/rules/search-and-join/")  # type: ignore[attr-defined]
    box = page.locator("#id_join_needs_lead_approval")  # type: ignore[attr-defined]
    if on:
        box.check()
    else:
        box.uncheck()
    page.fill("#id_reason", reason)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button:has-text('Save the change')")  # type: ignore[attr-defined]
    assert "/administration/rules/" in page.url  # type: ignore[attr-defined]


def test_asking_to_join_and_deciding_pass_axe(demo_server: str, browser: object, demo_var_dir: Path) -> None:
    """The council wants the lead's approval to join: the request, the waiting page, the team's notice and the
    decision page. Declined, and the rule put back, so the demo is as it was for the journeys after this one."""
    site = f"http://staffordshire.localhost:{demo_server}"
    administrator = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    asker = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    member = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    _sign_in(administrator, site, STAFFORDSHIRE_ADMINISTRATOR)
    _set_join_approval(administrator, site, True, "Pilot: joining a team needs the lead's approval")

    day, month, year = born(demo_var_dir, demo_server, "Ryan", "Thomas")
    _sign_in(asker, site, MASH_SOCIAL_WORKER)
    asker.goto(f"{site}/clients/search/")
    asker.fill("#id_surname", "Thomas")
    asker.fill("#id_date_of_birth_day", day)
    asker.fill("#id_date_of_birth_month", month)
    asker.fill("#id_date_of_birth_year", year)
    with asker.expect_navigation():
        asker.click("main button:has-text('Search')")
    with asker.expect_navigation():
        asker.click("main a:has-text('Join the team')")
    checked(asker, "governance-18-ask-to-join")
    asker.fill("#id_role", "Social worker")
    asker.fill("#id_reason", "Referral from the police about the grandchildren staying with him")
    with asker.expect_navigation():
        asker.click("main button:has-text('Ask to join the team')")
    assert "lead professional" in asker.inner_text("main")
    checked(asker, "governance-19-waiting")

    _sign_in(member, site, TEAM_MEMBER)
    member.goto(f"{site}/clients/search/")
    member.fill("#id_surname", "Thomas")
    member.fill("#id_date_of_birth_day", day)
    member.fill("#id_date_of_birth_month", month)
    member.fill("#id_date_of_birth_year", year)
    with member.expect_navigation():
        member.click("main button:has-text('Search')")
    with member.expect_navigation():
        member.click("main a:has-text('View the team')")
    notice = member.inner_text("main")
    assert "Amy Collier" in notice
    assert "asks to join the team" in notice
    checked(member, "governance-20-team-with-a-request")
    with member.expect_navigation():
        member.click("main a:has-text('asks to join the team')")
    checked(member, "governance-21-join-request")
    member.check("input[name=decision][value=decline]")
    member.fill("#id_note", "Already covered by adult social care; call me to discuss.")
    with member.expect_navigation():
        member.click("main button:has-text('Save your decision')")
    assert "asks to join the team" not in member.inner_text("main")

    _set_join_approval(administrator, site, False, "Pilot ended")
