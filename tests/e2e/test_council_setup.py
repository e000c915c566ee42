"""In a real browser: a newly provisioned (configuring) council's first administrator signs in, lands
on "Set up your council", completes every step — uploading a PDF made here — and takes it live.

Meanwhile a practitioner who signs in is told the council is setting up Patchwork; once it is live
they reach their home page. Every page on the way, those with errors included, is checked with axe
(A11Y-1) and photographed, as in the other journeys.
"""

import datetime
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT
from tests.e2e.test_team_upkeep_journey import _checked, _submit

pytestmark = pytest.mark.council_side

PASSWORD = "demo-patchwork-2026"
CODE = "setup2fa"
ADMIN = "nadia.khan@lichfield-earlyhelp.example"
OFFICER = "priya.shah@lichfield-earlyhelp.example"
COUNCIL = "Lichfield District Council"

# A configuring council, as provisioning leaves it for its first administrator, with two of its
# agencies (one still awaiting approval) and two people. Run in the demo server's own database.
SEED = f"""
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_tenants.utils import schema_context

from core.accounts.models import BackupCode, BackupCodeDevice, User, backup_code_digest
from core.directory.models import Agency, ApprovalState, Practitioner
from core.directory.services.accounts import practitioners_create
from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council

council = Council.objects.filter(slug="lichfield").first() or council_create(
    name="{COUNCIL}", slug="lichfield", jurisdiction=Jurisdiction.ENGLAND
)
council_provision(council_id=council.pk, go_live=False)
with schema_context(council.schema_name):
    early_help = Agency.objects.create(
        name="Lichfield Early Help", agency_type="statutory", email_domains=["lichfield-earlyhelp.example"],
        approval_state=ApprovalState.APPROVED,
    )
    Agency.objects.create(
        name="Lichfield Neighbourhood Police", agency_type="police", email_domains=["lichfield-police.example"]
    )
    people = practitioners_create(practitioners=[
        Practitioner(
            user=User(email="{ADMIN}", first_name="Nadia", last_name="Khan", password=make_password("{PASSWORD}")),
            agency=early_help, job_title="Early Help manager", is_council_admin=True, verified_at=timezone.now(),
        ),
        Practitioner(
            user=User(email="{OFFICER}", first_name="Priya", last_name="Shah", password=make_password("{PASSWORD}")),
            agency=early_help, job_title="Information governance lead", verified_at=timezone.now(),
        ),
    ])
    for person in people:
        device = BackupCodeDevice.objects.create(user=person.user, name="Backup codes", confirmed=True)
        BackupCode.objects.bulk_create(
            BackupCode(device=device, digest=backup_code_digest(device_id=device.pk, code="{CODE}")) for _ in range(5)
        )
"""

# A small, valid PDF: one empty page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

PDF_FILE = {"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": PDF}


@pytest.fixture(scope="module")
def configuring_council(demo_server: str, demo_env: dict[str, str]) -> str:
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SEED],
        env=demo_env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return f"http://lichfield.localhost:{demo_server}"


def _sign_in(page: object, site: str, email: str) -> None:
    page.goto(f"{site}/sign-in/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", CODE)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button[type=submit]")  # type: ignore[attr-defined]


def _task(page: object, title: str) -> None:
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f'main .govuk-task-list a:has-text("{title}")')  # type: ignore[attr-defined]


def _status(page: object, key: str) -> str:
    return page.inner_text(f"#task-{key}-status").strip()  # type: ignore[attr-defined]


def test_an_administrator_sets_up_a_configuring_council_and_takes_it_live(
    configuring_council: str, browser: object
) -> None:
    site = configuring_council
    admin_context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    page = admin_context.new_page()
    _sign_in(page, site, ADMIN)
    page.wait_for_url(f"{site}/administration/setup/")
    assert page.locator(".govuk-task-list .govuk-tag", has_text="Not yet started").count() == 7
    assert page.locator("main button[disabled]", has_text="Go live").count() == 1
    _checked(page, "setup-01-checklist")

    # A practitioner signing in meanwhile is told to wait, and sees nothing else.
    officer_context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    officer = officer_context.new_page()
    _sign_in(officer, site, OFFICER)
    assert f"{COUNCIL} is setting up Patchwork; you can use it once it goes live." in officer.inner_text("main")
    assert officer.goto(f"{site}/clients/search/").status == 503
    assert officer.goto(f"{site}/api/v1/me/").status == 503
    officer.goto(f"{site}/")
    _checked(officer, "setup-02-practitioner-waits")

    # The data-sharing agreement: errors first, then a real PDF.
    _task(page, "Record the data-sharing agreement")
    _checked(page, "setup-03-agreement")
    assert "There is a problem" in _submit(page, "Record agreement")
    _checked(page, "setup-04-agreement-errors")
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
    assert "The review date must be after the date the agreement was signed" in _submit(page, "Record agreement")
    page.fill("#id_review_on_year", str(signed.year + 1))
    page.set_input_files("#id_document", files=[PDF_FILE])
    assert "The data-sharing agreement is recorded" in _submit(page, "Record agreement")
    assert "In force" in page.inner_text("main")
    _checked(page, "setup-05-agreement-recorded")
    with page.expect_download() as downloaded:
        page.click("main a:has-text('Download PDF')")
    with open(downloaded.value.path(), "rb") as document:
        assert document.read() == PDF
    page.goto(f"{site}/administration/setup/")
    assert _status(page, "agreement") == "Completed"

    # DPIA and DPO.
    _task(page, "Give the DPIA reference")
    _checked(page, "setup-06-governance")
    page.fill("#id_dpo_email", "not an email")
    assert "There is a problem" in _submit(page, "Save")
    _checked(page, "setup-07-governance-errors")
    page.fill("#id_dpia_reference", "LDC-DPIA-2026-04")
    page.fill("#id_dpo_name", "Dana Price")
    page.fill("#id_dpo_email", "dpo@lichfield.example")
    _submit(page, "Save")
    assert _status(page, "dpia") == "Completed"
    assert _status(page, "dpo") == "Completed"

    # A privacy officer, found by a search.
    _task(page, "Appoint a privacy officer")
    page.fill("#id_q", "Priya")
    _submit(page, "Search")
    _checked(page, "setup-08-privacy-officer-search")
    _submit(page, "Appoint")
    assert "Priya Shah is now a privacy officer." in page.inner_text("main")
    _checked(page, "setup-09-privacy-officer")
    page.goto(f"{site}/administration/setup/")

    # The second agency, approved with the existing pages.
    _task(page, "Approve at least 2 agencies")
    page.click("main a:has-text('Lichfield Neighbourhood Police')")
    page.click("main a:has-text('Approve')")
    page.fill("#id_reason", "Signed the data-sharing agreement")
    _submit(page, "Approve agency")
    page.goto(f"{site}/administration/setup/")
    assert _status(page, "agencies") == "Completed"

    # Legal bases: reviewed.
    _task(page, "Review the legal bases")
    _checked(page, "setup-10-legal-bases")
    _submit(page, "I have reviewed these legal bases")
    assert _status(page, "legal_bases") == "Completed"

    # The profile (optional): a colour the header's text cannot be read on is refused.
    _task(page, "Check the council's profile")
    page.fill("#id_brand_colour", "#ffdd00")
    content = _submit(page, "Save")
    assert "would not be readable" in content
    _checked(page, "setup-11-profile-error")
    page.fill("#id_brand_colour", "#00703c")
    page.fill("#id_support_contact", "Early Help front door, 01632 960 000")
    _submit(page, "Save")
    assert _status(page, "profile") == "Completed"
    officer.reload()
    assert "Help with Patchwork: Early Help front door, 01632 960 000" in officer.inner_text("main")
    _checked(page, "setup-12-checklist-complete")

    # Go live, after a confirmation.
    page.click("main a:has-text('Go live')")
    page.wait_for_url("**/administration/setup/go-live/")
    _checked(page, "setup-13-go-live-confirm")
    _submit(page, "Go live now")
    assert f"{COUNCIL} is live" in page.inner_text("main")
    _checked(page, "setup-14-live")

    officer.goto(f"{site}/")
    assert "setting up Patchwork" not in officer.inner_text("main")
    assert "Help with Patchwork: Early Help front door, 01632 960 000" in officer.inner_text("main")
    _checked(officer, "setup-15-practitioner-home")
    assert officer.goto(f"{site}/clients/search/").status == 200
    officer_context.close()
    admin_context.close()
