"""In a real browser: a colleague joins a team, and the person who added the client finds it in the notification
centre — the count in the header, the notice unread, opened to the team, all marked read — and chooses a daily
summary in the notification settings. The centre and the settings page pass axe (A11Y-1); the settings and "Mark
all as read" are used with JavaScript switched off, as every journey must work without it."""

import re

import pytest

from tests.e2e.staffordshire import checked
from tests.e2e.test_team_journey import BACKUP_CODE, PASSWORD, POLICE_OFFICER

pytestmark = pytest.mark.council_side

AGENCY_MANAGER = "mark.jennings@staffordshire-childrens.example"  # adds the client, then is told who joined
SURNAME = "Pemberton-Oyelaran"


def _sign_in(page: object, site: str, email: str) -> None:
    page.goto(f"{site}/sign-in/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button[type=submit]")  # type: ignore[attr-defined]


def _search(page: object, site: str) -> None:
    page.goto(f"{site}/clients/search/")  # type: ignore[attr-defined]
    page.fill("#id_surname", SURNAME)  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_day", "3")  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_month", "4")  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_year", "2015")  # type: ignore[attr-defined]
    page.click("main button:has-text('Search')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


def _header_link(page: object) -> str:
    return page.locator("nav a[href='/notifications/']").inner_text()  # type: ignore[attr-defined]


def test_a_change_in_a_team_reaches_the_notification_centre(demo_server: str, browser: object) -> None:
    site = f"http://staffordshire.localhost:{demo_server}"
    manager = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = manager.new_page()
    _sign_in(page, site, AGENCY_MANAGER)
    _search(page, site)
    page.click("text=Add a new client")
    page.wait_for_url("**/clients/new/")
    page.fill("#id_first_name", "Ada")
    page.fill("#id_postcode", "WS13 6YY")
    page.check("label:has-text('Children Act 2004, sections 10 and 11')")
    page.fill("#id_role", "Early help worker")
    page.click("main button:has-text('Add client')")
    page.wait_for_url("**/clients/*/")
    team_url = page.url
    manager.close()  # the demo server answers one connection at a time: one browser open at once

    police = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    officer = police.new_page()
    _sign_in(officer, site, POLICE_OFFICER)
    _search(officer, site)
    officer.click("text=Join the team")
    officer.wait_for_url("**/join/")
    officer.fill("#id_reason", "Missing-from-home report")
    officer.click("main button:has-text('Join the team')")
    officer.wait_for_url(team_url)
    officer.goto(f"{team_url}my-involvement/")
    officer.check("#id_is_lead")
    with officer.expect_navigation():
        officer.click("main button:has-text('Save')")
    police.close()

    manager = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = manager.new_page()
    _sign_in(page, site, AGENCY_MANAGER)
    page.goto(f"{site}/directory/")
    unread = int(re.search(r"\((\d+)\)", _header_link(page)).group(1))  # type: ignore[union-attr]
    assert unread >= 2  # who joined, and who became the lead professional
    hidden = page.locator("nav a[href='/notifications/'] .govuk-visually-hidden").inner_text()
    assert hidden == f", {unread} unread"
    page.click("nav a[href='/notifications/']")
    page.wait_for_url(f"{site}/notifications/")
    row = page.locator("tr", has_text="joined the team around one of your clients").filter(has_text="Gareth Hollis")
    assert row.count() == 1
    assert "Unread" in row.inner_text()
    assert "Unread" in page.locator("tr", has_text="became the lead professional").first.inner_text()
    assert SURNAME not in page.content()  # a notice never names the client
    checked(page, "notifications-01-centre")

    row.locator("a").click()
    page.wait_for_url(team_url)
    assert "Gareth Hollis" in page.content()
    page.goto(f"{site}/notifications/")
    row = page.locator("tr", has_text="joined the team around one of your clients").filter(has_text="Gareth Hollis")
    assert "Unread" not in row.inner_text()
    page.click("text=Notification settings")
    page.wait_for_url(f"{site}/notifications/settings/")
    checked(page, "notifications-02-settings")
    manager.close()

    # The same person without JavaScript (axe itself needs it: these pages were checked above): the settings are
    # saved, and everything is marked read.
    plain = browser.new_context(viewport={"width": 1200, "height": 900}, java_script_enabled=False)  # type: ignore[attr-defined]
    page = plain.new_page()
    _sign_in(page, site, AGENCY_MANAGER)
    page.goto(f"{site}/notifications/settings/")
    page.check("label:has-text('Once a day, in a summary')")
    with page.expect_navigation():
        page.click("main button:has-text('Save')")
    assert "Your notification settings have been saved." in page.content()
    assert page.is_checked("input[value=daily_digest]")
    page.goto(f"{site}/notifications/")
    with page.expect_navigation():
        page.click("main button:has-text('Mark all as read')")
    assert "All your notifications are marked as read." in page.content()
    assert _header_link(page).strip() == "Notifications"
    assert "Unread" not in page.locator("main").inner_text()
    plain.close()
