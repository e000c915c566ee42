"""In a real browser, in Staffordshire (demo): the council administrator switches Change Grow Live, a
substance-misuse service, from *placeholder* to *hidden*; a police officer in a team with that service
no longer sees it anywhere — not on the team page, not in the count on a search hit. Then a social worker
who holds the council's MASH role opens, by break-glass, the team of a client she does not work with: a
banner follows her on every page, and the privacy officer is emailed at once, finds the alert in the
inbox and reviews the access.

Every page on the way is checked with axe (A11Y-1) and photographed. The journey puts things back as they
were (placeholder again, the access ended), so the journeys after it see the demo as it was.
"""

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import emails_to, link_in
from tests.e2e.staffordshire import born, checked, submit

pytestmark = pytest.mark.council_side

PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
ADMINISTRATOR = "helen.bradbury@staffordshire-earlyhelp.example"  # also the council's privacy officer
POLICE_OFFICER = "gareth.hollis@staffs-police.example"
MASH_SOCIAL_WORKER = "amy.collier@staffordshire-childrens.example"
SENSITIVE = "Change Grow Live"
# Clients of the demo's fixed seed: one whose team holds the police officer and the substance-misuse
# service; one the social worker does not work with.
IN_TEAM_WITH_SERVICE = ("Ryan", "Thomas")
NOT_HER_CLIENT = ("Laura", "Hall")


def _sign_in(page: object, port: str, email: str) -> None:
    page.goto(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]


def _search(page: object, port: str, client: tuple[str, str], var_dir: Path) -> str:
    first_name, surname = client
    day, month, year = born(var_dir, port, first_name, surname)
    page.goto(f"http://staffordshire.localhost:{port}/clients/search/")  # type: ignore[attr-defined]
    page.fill("#id_surname", surname)  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_day", day)  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_month", month)  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_year", year)  # type: ignore[attr-defined]
    return submit(page, "Search")


def _agencies_on_hit(page: object) -> int:
    card = page.locator("main .govuk-summary-card").first  # type: ignore[attr-defined]
    found = re.search(r"(\d+) agenc(?:y|ies) involved", card.inner_text())
    assert found, card.inner_text()
    return int(found.group(1))


def _set_mode(page: object, port: str, mode: str, reason: str) -> str:
    page.goto(f"http://staffordshire.localhost:{port}/administration/rules/")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main a[href*='/administration/rules/sensitive-services/']")  # type: ignore[attr-defined]
    page.check(f"input[name=mode][value={mode}]")  # type: ignore[attr-defined]
    page.fill("#id_reason", reason)  # type: ignore[attr-defined]
    return submit(page, "Save the change")


def test_the_rules_change_what_others_see_and_break_glass_is_watched(
    demo_server: str, browser: object, demo_var_dir: Path
) -> None:
    port = demo_server
    officer = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    administrator = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    social_worker = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]

    # The police officer sees the service as a placeholder on a team he is in, and counts it on the hit.
    _sign_in(officer, port, POLICE_OFFICER)
    _search(officer, port, IN_TEAM_WITH_SERVICE, demo_var_dir)
    checked(officer, "rules-01-hit-with-placeholder")
    counted_before = _agencies_on_hit(officer)
    with officer.expect_navigation():
        officer.click("main a:has-text('View the team')")
    team_url = officer.url
    assert "A confidential service is involved" in officer.inner_text("main")
    checked(officer, "rules-02-team-with-placeholder")

    # The administrator makes the service hidden, with a reason; the history says who, when and why.
    _sign_in(administrator, port, ADMINISTRATOR)
    administrator.click("nav >> text=Council administration")
    administrator.goto(f"http://staffordshire.localhost:{port}/administration/rules/")
    checked(administrator, "rules-03-rules-in-force")
    _set_mode(administrator, port, "hidden", "")  # no reason: refused, nothing changed
    assert "Error:" in administrator.title()
    assert administrator.locator(".govuk-error-summary").is_visible()
    checked(administrator, "rules-04-reason-missing")
    administrator.fill("#id_reason", "DPIA review: substance-misuse involvement must not be inferred")
    submit(administrator, "Save the change")
    administrator.goto(f"http://staffordshire.localhost:{port}/administration/rules/history/")
    history = administrator.inner_text("main")
    assert "DPIA review: substance-misuse involvement must not be inferred" in history
    assert "hidden (was placeholder)" in history
    checked(administrator, "rules-05-history")

    # The police officer no longer sees it anywhere: the team page, its diagram, the hit's count.
    officer.goto(team_url)
    team = officer.content()
    assert "confidential service" not in team.lower()
    assert SENSITIVE not in team
    checked(officer, "rules-06-team-without-the-service")
    _search(officer, port, IN_TEAM_WITH_SERVICE, demo_var_dir)
    assert _agencies_on_hit(officer) == counted_before - 1
    officer.goto(f"http://staffordshire.localhost:{port}/")
    assert SENSITIVE not in officer.content()

    # Break-glass: the MASH social worker opens a team she is not in, with a reason from the list.
    _sign_in(social_worker, port, MASH_SOCIAL_WORKER)
    _search(social_worker, port, NOT_HER_CLIENT, demo_var_dir)
    with social_worker.expect_navigation():
        social_worker.click("main a:has-text('Open in an emergency (break-glass)')")
    checked(social_worker, "rules-07-break-glass-form")
    submit(social_worker, "Open the team in an emergency")  # nothing chosen: refused, kept on the page
    assert social_worker.locator(".govuk-error-summary").is_visible()
    checked(social_worker, "rules-08-break-glass-errors")
    social_worker.check("input[name=reason] >> nth=0")
    social_worker.fill("#id_explanation", "Police called at 23:10 about the children at the address; duty check.")
    submit(social_worker, "Open the team in an emergency")
    assert "/clients/" in social_worker.url
    assert "emergency (break-glass) access" in social_worker.inner_text("body")
    checked(social_worker, "rules-09-team-by-break-glass")
    social_worker.goto(f"http://staffordshire.localhost:{port}/directory/")
    assert "emergency (break-glass) access" in social_worker.inner_text("body")  # the banner follows her

    # The privacy officer is emailed at once, finds the alert and reviews the access.
    [email] = [
        message
        for message in emails_to(demo_var_dir, ADMINISTRATOR)  # type: ignore[arg-type]
        if "emergency access" in str(message["Subject"]).lower()
    ][-1:]
    review_link = link_in(email, r"https?://\S+/break-glass/reviews/\S+/")
    administrator.click("nav >> text=Privacy officer")
    checked(administrator, "rules-10-privacy-officer")
    with administrator.expect_navigation():
        administrator.click("main a:has-text('Alerts')")
    assert "Amy Collier" in administrator.inner_text("main")
    checked(administrator, "rules-11-alerts-inbox")
    administrator.goto(review_link)
    review = administrator.inner_text("main")
    assert "Amy Collier" in review
    assert "Police called at 23:10" in review
    checked(administrator, "rules-12-review")
    administrator.check("input[name=decision][value=accepted]")
    administrator.fill("#id_note", "Out-of-hours police call; proportionate.")
    submit(administrator, "Record the review")
    assert "Accepted" in administrator.inner_text("main")
    checked(administrator, "rules-13-reviewed")

    # Put the demo back as it was for the journeys after this one.
    submit(social_worker, "End access now")
    assert "emergency (break-glass) access" not in social_worker.inner_text("body")
    _set_mode(administrator, port, "placeholder", "Back to the demo's rule")
    officer.goto(team_url)
    assert "A confidential service is involved" in officer.inner_text("main")
