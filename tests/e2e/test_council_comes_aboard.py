"""In a real browser, a council comes aboard from start to finish, run by the council itself.

A Victorian council orders Patchwork on the platform host → an operator approves the order in the
console → the provisioning page reaches "configuring" → the first administrator opens the invitation
from her email, chooses a password and sets up two factors, and lands on "Set up your council" → she
adds an agency, approves it, and imports practitioners from a CSV file with one bad row (reported, the
rest imported) → a practitioner invited by the import opens his invitation and sets up his sign-in, and
is told the council is being set up → she verifies him, completes the checklist and takes the council
live → he signs in again and searches for a client.

No step uses a shell or the database: only pages. Every page on the way is checked with axe and
photographed, as in the other journeys.
"""

import base64
import csv
import datetime
import io
from pathlib import Path

import pytest

from tests.e2e.conftest import emails_to, link_in
from tests.e2e.staffordshire import checked, submit

pytestmark = pytest.mark.platform_side

OPERATOR = "operator@patchwork.example"
DEMO_PASSWORD = "demo-patchwork-2026"
DEMO_CODE = "demo2fa"

COUNCIL = "Hume City Council"
SLUG = "hume"
ADMIN = "nadia.haddad@hume-council.example"
ADMIN_PASSWORD = "granite-wattle-harbour-81"
OFFICER = "liam.tran@vicpol-hume.example"
OFFICER_PASSWORD = "ember-quarry-lantern-57"

POLICE = "Victoria Police — Hume Police Service Area"
PEOPLE_CSV = "\n".join(
    [
        "first_name,last_name,email,agency,job_title,role",
        f"Liam,Tran,{OFFICER},{POLICE},Senior Constable,practitioner",
        f"Grace,Okoro,grace.okoro@vicpol-hume.example,{POLICE},Sergeant,agency_manager",
        f"Ivy,Nguyen,ivy.nguyen@elsewhere.example,{POLICE},Constable,practitioner",  # not a police address
        f"Tom,Reid,tom.reid@hume-council.example,{COUNCIL},Family services worker,practitioner",
    ]
)

# A small, valid PDF: one empty page.
AGREEMENT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _authenticator_code(secret: str) -> str:
    """What an authenticator app shows for the key the set-up page gives to type."""
    from django_otp.oath import totp

    key = secret.replace(" ", "").upper()
    return f"{totp(base64.b32decode(key + '=' * (-len(key) % 8))):06d}"


def _accept_invitation(page: object, link: str, *, name: tuple[str, str], job_title: str, password: str) -> str:
    """Open the invitation, choose a password, set up an authenticator app, keep the backup codes.

    Returns one of the backup codes, as a person would keep them for a day without their phone."""
    page.goto(link)  # type: ignore[attr-defined]
    assert "Create your account" in page.inner_text("main")  # type: ignore[attr-defined]
    checked(page, f"aboard-invitation-{name[1].lower()}")
    page.fill("#id_first_name", name[0])  # type: ignore[attr-defined]
    page.fill("#id_last_name", name[1])  # type: ignore[attr-defined]
    page.fill("#id_job_title", job_title)  # type: ignore[attr-defined]
    page.fill("#id_password", password)  # type: ignore[attr-defined]
    page.fill("#id_password_again", password)  # type: ignore[attr-defined]
    content = submit(page, "Continue")
    assert "/sign-in/set-up/" in page.url, content  # type: ignore[attr-defined]  # type: ignore[attr-defined]
    checked(page, f"aboard-set-up-{name[1].lower()}")
    page.click("text=I cannot scan the QR code")  # type: ignore[attr-defined]
    page.fill("#id_code", _authenticator_code(page.inner_text(".patchwork-secret")))  # type: ignore[attr-defined]
    submit(page, "Continue")
    assert "backup codes" in page.inner_text("main").lower()  # type: ignore[attr-defined]
    backup_code = page.inner_text("main ul.govuk-list li code >> nth=0")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main a.govuk-button")  # type: ignore[attr-defined]  # "Continue", after the backup codes
    return backup_code


def _order(page: object, platform: str) -> str:
    page.goto(f"{platform}/")  # type: ignore[attr-defined]
    page.click("main a.govuk-button--start")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/order/")  # type: ignore[attr-defined]
    page.fill("#id_council_name", COUNCIL)  # type: ignore[attr-defined]
    page.check("#id_jurisdiction_1")  # type: ignore[attr-defined]  # Victoria: Australian data region
    page.fill("#id_subdomain", SLUG)  # type: ignore[attr-defined]
    page.check("#id_plan_0")  # type: ignore[attr-defined]
    page.fill("#id_expected_practitioners", "380")  # type: ignore[attr-defined]
    page.fill("#id_purchase_order_number", "HCC-PO-55120")  # type: ignore[attr-defined]
    page.fill("#id_billing_contact_name", "Marco Bianchi")  # type: ignore[attr-defined]
    page.fill("#id_billing_contact_email", "accounts@hume-council.example")  # type: ignore[attr-defined]
    page.fill("#id_dpo_name", "Helen Vu")  # type: ignore[attr-defined]
    page.fill("#id_dpo_email", "privacy@hume-council.example")  # type: ignore[attr-defined]
    page.fill("#id_admin_name", "Nadia Haddad")  # type: ignore[attr-defined]
    page.fill("#id_admin_email", ADMIN)  # type: ignore[attr-defined]
    page.check("#id_accept_terms")  # type: ignore[attr-defined]
    checked(page, "aboard-01-order")
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/order/placed/")  # type: ignore[attr-defined]
    checked(page, "aboard-02-order-placed")
    return page.inner_text(".govuk-panel__body strong")  # type: ignore[attr-defined]


def _operator_approves(page: object, platform: str, reference: str) -> None:
    page.goto(f"{platform}/console/")  # type: ignore[attr-defined]
    page.fill("#id_email", OPERATOR)  # type: ignore[attr-defined]
    page.fill("#id_password", DEMO_PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", DEMO_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/")  # type: ignore[attr-defined]
    page.click("nav a:has-text('Orders')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/orders/")  # type: ignore[attr-defined]
    checked(page, "aboard-03-orders")
    page.click(f"main a:has-text('{reference}')")  # type: ignore[attr-defined]
    page.click(f"main a:has-text('Approve order {reference}')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/orders/{reference}/approve/")  # type: ignore[attr-defined]
    checked(page, "aboard-04-approve")
    submit(page, f"Approve order {reference}")
    assert page.url == f"{platform}/console/councils/{SLUG}/provisioning/"  # type: ignore[attr-defined]
    # Without a broker the demo provisions at once; with one the page refreshes itself until it is done.
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('#council-status').innerText.includes('Configuring')", timeout=60_000
    )
    assert "Failed" not in page.inner_text("main")  # type: ignore[attr-defined]
    checked(page, "aboard-05-provisioned")


def _add_agency(page: object, site: str) -> None:
    page.goto(f"{site}/administration/agencies/add/")  # type: ignore[attr-defined]
    checked(page, "aboard-08a-agency-add")
    page.fill("#id_name", POLICE)  # type: ignore[attr-defined]
    page.check("input[name=agency_type][value=police]")  # type: ignore[attr-defined]
    page.fill("#id_email_domains", "vicpol-hume.example")  # type: ignore[attr-defined]
    assert POLICE in submit(page, "Add agency")
    checked(page, "aboard-08-agency-added")
    page.goto(f"{site}/administration/agencies/")  # type: ignore[attr-defined]
    page.click(f"main a:has-text('{POLICE}')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    if "Suspend" not in page.content():  # type: ignore[attr-defined]  # a new agency waits for approval
        page.click("main a:has-text('Approve')")  # type: ignore[attr-defined]
        page.wait_for_load_state()  # type: ignore[attr-defined]
        checked(page, "aboard-08b-agency-approve")
        page.fill("#id_reason", "Party to the Hume information sharing agreement")  # type: ignore[attr-defined]
        assert "Approved" in submit(page, "Approve agency")


def _import_practitioners(page: object, site: str) -> None:
    page.goto(f"{site}/administration/imports/")  # type: ignore[attr-defined]
    checked(page, "aboard-09a-imports")
    page.check("input[value=practitioners]")  # type: ignore[attr-defined]
    submit(page, "Continue")
    page.wait_for_url("**/administration/imports/practitioners/")  # type: ignore[attr-defined]
    checked(page, "aboard-09b-import-upload")
    page.set_input_files(  # type: ignore[attr-defined]
        "#id_file", files=[{"name": "hume-staff.csv", "mimeType": "text/csv", "buffer": PEOPLE_CSV.encode()}]
    )
    content = submit(page, "Upload and import")
    page.wait_for_url("**/administration/imports/jobs/*/")  # type: ignore[attr-defined]
    assert "Import finished" in content
    checked(page, "aboard-09-import-finished")
    with page.expect_download() as problems:  # type: ignore[attr-defined]
        page.click("main >> text=Download the rows that were not imported")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(problems.value.path().read_text(encoding="utf-8-sig"))))
    assert [row[:2] for row in rows[1:]] == [["4", "email"]]  # Ivy's address is not a police one


def _task(page: object, title: str) -> None:
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f'main .govuk-task-list a:has-text("{title}")')  # type: ignore[attr-defined]


def _status(page: object, key: str) -> str:
    return page.inner_text(f"#task-{key}-status").strip()  # type: ignore[attr-defined]


def _complete_checklist(page: object, site: str) -> None:
    page.goto(f"{site}/administration/setup/")  # type: ignore[attr-defined]
    assert _status(page, "agencies") == "Completed"  # the council's own agency and the police

    _task(page, "Record the data-sharing agreement")
    checked(page, "aboard-11a-agreement")
    page.check("input[name=parties] >> nth=0")  # type: ignore[attr-defined]
    page.check("input[name=parties] >> nth=1")  # type: ignore[attr-defined]
    signed = datetime.datetime.now(tz=datetime.UTC).date() - datetime.timedelta(days=14)
    for field, value in (
        ("signed_on_day", signed.day),
        ("signed_on_month", signed.month),
        ("signed_on_year", signed.year),
        ("review_on_day", signed.day),
        ("review_on_month", signed.month),
        ("review_on_year", signed.year + 1),
    ):
        page.fill(f"#id_{field}", str(value))  # type: ignore[attr-defined]
    page.set_input_files(  # type: ignore[attr-defined]
        "#id_document", files=[{"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": AGREEMENT_PDF}]
    )
    assert "The data-sharing agreement is recorded" in submit(page, "Record agreement")
    page.goto(f"{site}/administration/setup/")  # type: ignore[attr-defined]

    _task(page, "Give the DPIA reference")
    checked(page, "aboard-11b-governance")
    page.fill("#id_dpia_reference", "HCC-DPIA-2026-11")  # type: ignore[attr-defined]
    page.fill("#id_dpo_name", "Helen Vu")  # type: ignore[attr-defined]
    page.fill("#id_dpo_email", "privacy@hume-council.example")  # type: ignore[attr-defined]
    submit(page, "Save")

    _task(page, "Appoint a privacy officer")
    page.fill("#id_q", "Haddad")  # type: ignore[attr-defined]
    submit(page, "Search")
    checked(page, "aboard-11c-privacy-officer")
    submit(page, "Appoint")
    assert "Nadia Haddad is now a privacy officer." in page.inner_text("main")  # type: ignore[attr-defined]
    page.goto(f"{site}/administration/setup/")  # type: ignore[attr-defined]

    _task(page, "Review the legal bases")
    checked(page, "aboard-11d-legal-bases")
    submit(page, "I have reviewed these legal bases")

    _task(page, "Review the retention schedule")
    checked(page, "aboard-11e-retention")
    page.fill("#id_reason", "Reviewed with the records manager: the defaults kept")  # type: ignore[attr-defined]
    submit(page, "Save the change")
    page.goto(f"{site}/administration/setup/")  # type: ignore[attr-defined]

    for key in ("agreement", "dpia", "dpo", "privacy_officer", "agencies", "legal_bases", "retention"):
        assert _status(page, key) == "Completed", key
    checked(page, "aboard-11-checklist-complete")


def test_a_council_orders_is_approved_sets_itself_up_goes_live_and_is_used(
    demo_server: str, demo_var_dir: Path, browser: object
) -> None:
    platform = f"http://localhost:{demo_server}"
    site = f"http://{SLUG}.localhost:{demo_server}"

    # 1. The council orders Patchwork from the catalogue.
    buyer = browser.new_page()  # type: ignore[attr-defined]
    reference = _order(buyer, platform)
    buyer.close()
    assert reference.startswith("PW-")

    # 2. An operator approves it; provisioning reaches "configuring".
    operator_context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    _operator_approves(operator_context.new_page(), platform, reference)
    operator_context.close()

    # 3. The first administrator: invitation → password → two factors → "Set up your council".
    admin_context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    page = admin_context.new_page()
    [invitation] = [m for m in emails_to(demo_var_dir, ADMIN) if "administrator account" in m["Subject"]]
    link = link_in(invitation, rf"http://{SLUG}\.localhost:{demo_server}/invitations/[A-Za-z0-9_-]+/")
    _accept_invitation(
        page,
        link,
        name=("Nadia", "Haddad"),
        job_title="Coordinator, Early Years and Family Services",
        password=ADMIN_PASSWORD,
    )
    page.wait_for_url(f"{site}/administration/setup/")
    assert "Set up your council" in page.inner_text("main")
    assert page.locator("main button[disabled]", has_text="Go live").count() == 1
    checked(page, "aboard-07-checklist")

    # 4. Agencies: one added and approved; practitioners imported from a CSV file with one bad row.
    _add_agency(page, site)
    _import_practitioners(page, site)

    # 5. Before going live, an imported practitioner can set up his sign-in but not use the council.
    officer_context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    officer = officer_context.new_page()
    [officer_invitation] = emails_to(demo_var_dir, OFFICER)
    backup_code = _accept_invitation(
        officer,
        link_in(officer_invitation, rf"http://{SLUG}\.localhost:{demo_server}/invitations/[A-Za-z0-9_-]+/"),
        name=("Liam", "Tran"),
        job_title="Senior Constable",
        password=OFFICER_PASSWORD,
    )
    assert f"{COUNCIL} is setting up Patchwork" in officer.inner_text("main")
    checked(officer, "aboard-10a-practitioner-waits")
    assert officer.goto(f"{site}/clients/search/").status == 503

    # 6. The administrator verifies him (Accounts), completes the checklist and takes the council live.
    page.goto(f"{site}/team/")
    checked(page, "aboard-10-accounts")
    with page.expect_navigation():
        page.click("main button:has-text('Verify Liam Tran')")
    assert page.locator("main button:has-text('Verify Liam Tran')").count() == 0
    _complete_checklist(page, site)
    page.click("main a:has-text('Go live')")
    page.wait_for_url("**/administration/setup/go-live/")
    checked(page, "aboard-12-go-live")
    submit(page, "Go live now")
    assert f"{COUNCIL} is live" in page.inner_text("main")
    checked(page, "aboard-13-live")
    admin_context.close()

    # 7. The practitioner signs in again (his phone left at home: a backup code) and searches.
    officer_context.clear_cookies()
    officer.goto(f"{site}/")
    checked(officer, "aboard-14-sign-in")
    officer.fill("#id_email", OFFICER)
    officer.fill("#id_password", OFFICER_PASSWORD)
    officer.click("button[type=submit]")
    officer.wait_for_url("**/sign-in/code/")
    checked(officer, "aboard-14a-sign-in-code")
    officer.fill("#id_code", backup_code)
    with officer.expect_navigation():
        officer.click("main button[type=submit]")
    assert officer.url == f"{site}/"
    checked(officer, "aboard-14b-practitioner-home")
    officer.click("nav >> text=Find a client")
    officer.wait_for_url("**/clients/search/")
    checked(officer, "aboard-15a-search-form")
    officer.fill("#id_surname", "Haddad")
    officer.fill("#id_date_of_birth_day", "3")
    officer.fill("#id_date_of_birth_month", "5")
    officer.fill("#id_date_of_birth_year", "2015")
    submit(officer, "Search")
    assert "No matching clients" in officer.content()
    checked(officer, "aboard-15b-search-results")
    officer_context.close()
