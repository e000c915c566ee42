"""In a real browser: the demo's configuring council (Derbyshire) has its first administrator sign in, land
on "Set up your council", complete every step — uploading a PDF made here — and take it live.

Meanwhile a colleague she invites accepts the invitation from the email, sets up a second factor and
is told the council is setting up Patchwork; once it is live they reach their home page. Every page
on the way, those with errors included, is checked with axe (A11Y-1) and photographed, as in the
other journeys.
"""

import base64
import datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import emails_to, link_in
from tests.e2e.staffordshire import checked, submit

pytestmark = pytest.mark.council_side

PASSWORD = "demo-patchwork-2026"
CODE = "demo2fa"
ADMIN = "claire.wood@derbyshire-earlyhelp.example"  # the demo's configuring council's administrator
NEWCOMER = "sam.patel@derbyshire-police.example"
NEWCOMER_PASSWORD = "kestrel-harbour-lantern-42"
COUNCIL = "Derbyshire County Council"

# A small, valid PDF: one empty page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PDF_FILE = {"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": PDF}


def _sign_in(page: object, site: str, email: str) -> None:
    page.goto(f"{site}/sign-in/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", CODE)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button[type=submit]")  # type: ignore[attr-defined]


def _authenticator_code(secret: str) -> str:
    """What an authenticator app shows for the key the set-up page gives to type."""
    from django_otp.oath import totp

    key = secret.replace(" ", "").upper()
    return f"{totp(base64.b32decode(key + '=' * (-len(key) % 8))):06d}"


def _newcomer_joins(page: object, var_dir: Path) -> None:
    """The colleague opens the invitation from their email, chooses a password and sets up a code."""
    [invitation] = emails_to(var_dir, NEWCOMER)
    page.goto(link_in(invitation, r"https?://\S+/invitations/\S+/"))  # type: ignore[attr-defined]
    assert "setting up Patchwork" not in page.inner_text("main")  # type: ignore[attr-defined]
    page.fill("#id_first_name", "Sam")  # type: ignore[attr-defined]
    page.fill("#id_last_name", "Patel")  # type: ignore[attr-defined]
    page.fill("#id_job_title", "Police Sergeant")  # type: ignore[attr-defined]
    page.fill("#id_password", NEWCOMER_PASSWORD)  # type: ignore[attr-defined]
    page.fill("#id_password_again", NEWCOMER_PASSWORD)  # type: ignore[attr-defined]
    submit(page, "Continue")
    page.wait_for_url("**/sign-in/set-up/")  # type: ignore[attr-defined]
    page.click("text=I cannot scan the QR code")  # type: ignore[attr-defined]
    page.fill("#id_code", _authenticator_code(page.inner_text(".patchwork-secret")))  # type: ignore[attr-defined]
    submit(page, "Continue")
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main a.govuk-button")  # type: ignore[attr-defined]  # "Continue", after the backup codes


def _task(page: object, title: str) -> None:
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f'main .govuk-task-list a:has-text("{title}")')  # type: ignore[attr-defined]


def _status(page: object, key: str) -> str:
    return page.inner_text(f"#task-{key}-status").strip()  # type: ignore[attr-defined]


def test_an_administrator_sets_up_a_configuring_council_and_takes_it_live(
    demo_server: str, demo_var_dir: Path, browser: object
) -> None:
    site = f"http://derbyshire.localhost:{demo_server}"
    admin_context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    page = admin_context.new_page()
    _sign_in(page, site, ADMIN)
    page.wait_for_url(f"{site}/administration/setup/")
    assert page.locator(".govuk-task-list .govuk-tag", has_text="Not yet started").count() == 7
    assert _status(page, "agencies") == "Completed"  # the demo approved two of its agencies
    assert page.locator("main button[disabled]", has_text="Go live").count() == 1
    checked(page, "setup-01-checklist")

    # A colleague invited meanwhile can accept and set up their sign-in, then is told to wait.
    page.goto(f"{site}/team/invite/")
    page.fill("#id_email", NEWCOMER)
    page.select_option("#id_agency", label="Derbyshire Constabulary")
    submit(page, "Send invitation")
    newcomer_context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    newcomer = newcomer_context.new_page()
    _newcomer_joins(newcomer, demo_var_dir)
    assert f"{COUNCIL} is setting up Patchwork; you can use it once it goes live." in newcomer.inner_text("main")
    assert "Find a client" not in newcomer.content()
    checked(newcomer, "setup-02-practitioner-waits")
    assert newcomer.goto(f"{site}/clients/search/").status == 503
    assert newcomer.goto(f"{site}/api/v1/me/").status == 503
    newcomer.goto(f"{site}/")
    page.goto(f"{site}/administration/setup/")

    # The data-sharing agreement: errors first, then a real PDF.
    _task(page, "Record the data-sharing agreement")
    checked(page, "setup-03-agreement")
    assert "There is a problem" in submit(page, "Record agreement")
    checked(page, "setup-04-agreement-errors")
    page.check("#id_parties_0")
    signed = datetime.datetime.now(tz=datetime.UTC).date() - datetime.timedelta(days=30)  # today in London, near enough
    for field, value in (
        ("signed_on_day", signed.day),
        ("signed_on_month", signed.month),
        ("signed_on_year", signed.year),
        ("review_on_day", signed.day),
        ("review_on_month", signed.month),
        ("review_on_year", signed.year - 1),
    ):
        page.fill(f"#id_{field}", str(value))
    page.set_input_files("#id_document", files=[PDF_FILE])
    assert "The review date must be after the date the agreement was signed" in submit(page, "Record agreement")
    page.fill("#id_review_on_year", str(signed.year + 1))
    page.set_input_files("#id_document", files=[PDF_FILE])
    assert "The data-sharing agreement is recorded" in submit(page, "Record agreement")
    assert "In force" in page.inner_text("main")
    checked(page, "setup-05-agreement-recorded")
    with page.expect_download() as downloaded:
        page.click("main a:has-text('Download PDF')")
    with open(downloaded.value.path(), "rb") as document:
        assert document.read() == PDF
    page.goto(f"{site}/administration/setup/")
    assert _status(page, "agreement") == "Completed"

    # DPIA and DPO.
    _task(page, "Give the DPIA reference")
    checked(page, "setup-06-governance")
    page.fill("#id_dpo_email", "not an email")
    assert "There is a problem" in submit(page, "Save")
    checked(page, "setup-07-governance-errors")
    page.fill("#id_dpia_reference", "LDC-DPIA-2026-04")
    page.fill("#id_dpo_name", "Dana Price")
    page.fill("#id_dpo_email", "dpo@lichfield.example")
    submit(page, "Save")
    assert _status(page, "dpia") == "Completed"
    assert _status(page, "dpo") == "Completed"

    # A privacy officer, found by a search.
    _task(page, "Appoint a privacy officer")
    page.fill("#id_q", "Patel")
    submit(page, "Search")
    checked(page, "setup-08-privacy-officer-search")
    submit(page, "Appoint")
    assert "Sam Patel is now a privacy officer." in page.inner_text("main")
    checked(page, "setup-09-privacy-officer")
    page.goto(f"{site}/administration/setup/")

    # The third agency, approved with the existing pages.
    _task(page, "Approve at least 2 agencies")
    page.click("main a:has-text('Chesterfield Royal Hospital')")
    page.click("main a:has-text('Approve')")
    page.fill("#id_reason", "Signed the data-sharing agreement")
    submit(page, "Approve agency")
    page.goto(f"{site}/administration/setup/")
    assert _status(page, "agencies") == "Completed"

    # Legal bases: reviewed.
    _task(page, "Review the legal bases")
    checked(page, "setup-10-legal-bases")
    submit(page, "I have reviewed these legal bases")
    assert _status(page, "legal_bases") == "Completed"

    # The retention schedule: the jurisdiction's defaults, reviewed and kept.
    _task(page, "Review the retention schedule")
    checked(page, "setup-10b-retention")
    page.fill("#id_reason", "Reviewed with the records manager: the defaults kept")
    submit(page, "Save the change")
    page.goto(f"{site}/administration/setup/")
    assert _status(page, "retention") == "Completed"

    # The profile (optional): a colour the header's text cannot be read on is refused.
    _task(page, "Check the council's profile")
    page.fill("#id_brand_colour", "#ffdd00")
    content = submit(page, "Save")
    assert "would not be readable" in content
    checked(page, "setup-11-profile-error")
    page.fill("#id_brand_colour", "#00703c")
    page.fill("#id_support_contact", "Early Help front door, 01632 960 000")
    submit(page, "Save")
    assert _status(page, "profile") == "Completed"
    newcomer.reload()
    assert "Help with Patchwork: Early Help front door, 01632 960 000" in newcomer.inner_text("main")
    checked(page, "setup-12-checklist-complete")

    # Go live, after a confirmation.
    page.click("main a:has-text('Go live')")
    page.wait_for_url("**/administration/setup/go-live/")
    checked(page, "setup-13-go-live-confirm")
    submit(page, "Go live now")
    assert f"{COUNCIL} is live" in page.inner_text("main")
    checked(page, "setup-14-live")

    assert newcomer.goto(f"{site}/").status == 200
    assert "setting up Patchwork" not in newcomer.inner_text("main")
    assert "Help with Patchwork: Early Help front door, 01632 960 000" in newcomer.inner_text("main")
    checked(newcomer, "setup-15-practitioner-home")
    newcomer_context.close()
    admin_context.close()
