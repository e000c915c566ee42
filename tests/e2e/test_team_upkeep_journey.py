"""In a real browser: the pages that keep a team and the accounts up to date.

A social worker corrects a client's details and invites a colleague (by a search, then by an email
outside the council's agencies); the council administrator pages and filters Accounts, deactivates
someone and reactivates them, and adds, suspends and approves an agency; a web address with a NUL
character gets the 400 page. Every page on the
way, those showing validation errors included, is checked with axe (A11Y-1) and photographed into
``PATCHWORK_E2E_SHOTS`` (``/tmp/patchwork_e2e_shots`` unless set) for a person to look at.
"""

import re

import pytest

from tests.e2e.staffordshire import checked, sign_in, submit

pytestmark = pytest.mark.council_side

SOCIAL_WORKER = "amy.collier@staffordshire-childrens.example"
COUNCIL_ADMIN = "helen.bradbury@staffordshire-earlyhelp.example"
SOMEONE = "Kate Lowe"  # not signed in as by the other end-to-end tests


def test_a_practitioner_corrects_a_clients_details_and_invites_colleagues(demo_server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, SOCIAL_WORKER)
    home = page.content()
    assert "My clients" in home
    if "Missed contacts" in home:  # the demo plans contacts ahead only, so it may have none
        assert "Overdue" in home
    checked(page, "01-dashboard")

    page.click("main table a.govuk-link >> nth=0")
    page.wait_for_url("**/clients/*/")
    team_url = page.url
    assert "Why they joined" in page.content()  # the join reason, on every member card
    checked(page, "02-team")

    page.click("main >> text=Correct details")
    page.wait_for_url("**/correct/")
    checked(page, "03-correct")
    page.fill("#id_postcode", "NOT A POSTCODE")
    content = submit(page, "Save corrections")
    assert "There is a problem" in content
    assert page.locator(".govuk-error-summary a[href='#id_postcode']").count() == 1  # type: ignore[attr-defined]
    checked(page, "04-correct-error")
    page.fill("#id_postcode", "ST16 2LH")
    page.fill("#id_address_line", "14 Corporation Street")
    submit(page, "Save corrections")
    page.wait_for_url(team_url)
    assert "The client's details are corrected" in page.content()
    assert "ST16 2LH" in page.content()
    checked(page, "05-team-corrected")

    page.click("main >> text=Invite a colleague")
    page.wait_for_url("**/invite/")
    content = page.content()
    assert "Search for a registered colleague above" in content  # the picker asks for a search first
    assert page.locator("input[type=radio]").count() == 0  # type: ignore[attr-defined]
    checked(page, "06-invite")

    page.fill("#id_q", "Staffordshire")  # matches most of the council's practitioners
    content = submit(page, "Search")
    radios = page.locator("input[type=radio][name=colleague]")  # type: ignore[attr-defined]
    assert 1 <= radios.count() <= 20
    if radios.count() == 20:
        assert "More than 20 colleagues match" in content
    checked(page, "07-invite-found")
    chosen = page.locator("label.govuk-radios__label >> nth=0").text_content().split(" — ")[0]  # type: ignore[attr-defined]
    radios.first.check()
    submit(page, "Send invitation")
    page.wait_for_url(team_url)
    assert f"Invitation sent to {chosen}" in page.content()
    checked(page, "08-team-invited")

    page.click("main >> text=Invite a colleague")
    page.wait_for_url("**/invite/")
    page.fill("#id_email", "someone@gmail.com")
    content = submit(page, "Send invitation")
    summary = page.locator(".govuk-error-summary").text_content()  # type: ignore[attr-defined]
    assert re.search(r"at one of .+'s agencies", summary)
    checked(page, "09-invite-error")
    context.close()


def test_the_council_administrator_pages_filters_and_deactivates_accounts(demo_server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, COUNCIL_ADMIN)
    page.click("nav >> text=Accounts")
    page.wait_for_url("**/team/")
    assert "Everyone with an account at" in page.content()
    checked(page, "10-accounts")

    pages = page.locator("nav.govuk-pagination")  # type: ignore[attr-defined]
    if pages.count():
        page.click("nav.govuk-pagination a[rel=next]")
        page.wait_for_url("**/team/?page=2")
        assert "2 of" in pages.text_content()
        assert page.locator("nav.govuk-pagination a[rel=prev]").count() == 1  # type: ignore[attr-defined]
        checked(page, "11-accounts-page-2")

    page.fill("#id_q", SOMEONE)
    submit(page, "Filter")
    rows = page.locator("main table tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == 1
    assert SOMEONE in rows.first.text_content()
    assert "Active" in rows.first.text_content()
    checked(page, "12-accounts-by-name")

    page.click(f"main a:has-text('Deactivate {SOMEONE}')")
    page.wait_for_url("**/deactivate/")
    assert f"Are you sure you want to deactivate {SOMEONE}" in page.content()
    back = page.locator(".govuk-back-link")  # type: ignore[attr-defined]
    assert back.count() == 1
    assert page.locator("main .govuk-back-link").count() == 0  # type: ignore[attr-defined]  # before main, as elsewhere
    checked(page, "13-deactivate")
    content = submit(page, "Deactivate account")
    page.wait_for_url("**/team/")
    assert "govuk-notification-banner--success" in content
    checked(page, "14-accounts-after-deactivating")

    page.fill("#id_q", "")
    page.select_option("#id_state", "deactivated")
    submit(page, "Filter")
    assert "state=deactivated" in page.url
    deactivated = page.locator("main table tbody tr", has_text=SOMEONE)  # type: ignore[attr-defined]
    assert "Deactivated" in deactivated.text_content()
    checked(page, "15-accounts-deactivated")

    deactivated.locator("button:has-text('Reactivate')").click()
    page.wait_for_url("**/team/")
    assert f"{SOMEONE} can sign in again" in page.content()
    checked(page, "16-accounts-after-reactivating")
    page.fill("#id_q", SOMEONE)
    page.select_option("#id_state", "")
    submit(page, "Filter")
    row = page.locator("main table tbody tr", has_text=SOMEONE)  # type: ignore[attr-defined]
    assert "Deactivated" not in row.text_content()
    assert row.locator("a:has-text('Deactivate')").count() == 1
    checked(page, "17-accounts-reactivated")
    context.close()


def test_a_web_address_with_a_nul_character_gets_the_400_page(demo_server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    response = page.goto(f"http://staffordshire.localhost:{demo_server}/invitations/%00/")
    assert response.status == 400
    assert "characters that are not allowed" in page.content()
    checked(page, "18-bad-request")
    context.close()


def test_the_council_administrator_adds_suspends_and_approves_an_agency(demo_server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, COUNCIL_ADMIN)
    page.click("nav >> text=Council administration")
    checked(page, "30-administration")
    page.goto(f"http://staffordshire.localhost:{demo_server}/administration/agencies/")
    assert "Staffordshire Police" in page.content()
    checked(page, "31-agencies")

    page.goto(f"http://staffordshire.localhost:{demo_server}/administration/agencies/add/")
    checked(page, "32-agency-add")
    assert "There is a problem" in submit(page, "Add agency")
    checked(page, "33-agency-add-errors")
    page.fill("#id_name", "Yarrow Family Hub")
    page.check("input[name=agency_type] >> nth=0")
    page.fill("#id_email_domains", "yarrow-hub.example")
    assert "Yarrow Family Hub" in submit(page, "Add agency")
    checked(page, "34-agency-added")

    page.goto(f"http://staffordshire.localhost:{demo_server}/administration/agencies/")
    page.click("main a:has-text('Yarrow Family Hub')")
    page.wait_for_load_state()
    if "Approve" in page.content() and "Suspend" not in page.content():  # a new agency may wait for approval
        page.click("main a:has-text('Approve')")
        page.wait_for_load_state()
        page.fill("#id_reason", "Agreed at the partnership board")
        submit(page, "Approve agency")
    page.click("main a:has-text('Suspend')")
    page.wait_for_load_state()
    checked(page, "35-agency-suspend")
    assert "There is a problem" in submit(page, "Suspend agency")
    checked(page, "36-agency-suspend-error")
    page.fill("#id_reason", "Data-sharing agreement under review")
    assert "Suspended" in submit(page, "Suspend agency")
    checked(page, "37-agency-suspended")
    page.click("main a:has-text('Approve')")
    page.wait_for_load_state()
    page.fill("#id_reason", "Agreement signed again")
    assert "Approved" in submit(page, "Approve agency")
    checked(page, "38-agency-approved")
    context.close()
