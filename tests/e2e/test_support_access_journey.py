"""In a real browser: support access (SECURITY.md AZ-4) from the request to its running out.

An operator asks Staffordshire for its agencies page for an hour; Staffordshire's administrator sees the request on
the council's support page and grants it; the operator opens the page under its banner; the administrator's audit
shows the page seen. Then the hour passes: the grant's end is set in the past in the served demo's database (as the
clock would move it) and the expiry recording runs, as the scheduled job would. The operator's page now answers
"not found" and the administrator's page says the access ran out. Every page is checked with axe and photographed.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, served_demo_env
from tests.e2e.staffordshire import OPERATOR, checked, operator_signs_in, sign_in, submit

pytestmark = pytest.mark.platform_side

ADMIN = "helen.bradbury@staffordshire-earlyhelp.example"
REASON = "Helen reports that an agency is missing from the directory"

# Run in the served demo's database: the hour passes for the operator's grant, then the expiry job records it.
HOUR_PASSES = """
import datetime
from django.utils import timezone
from support.models import SupportGrant, SupportStatus
from support.services.expiry import support_expiry_record

moved = SupportGrant.objects.filter(
    council__slug="staffordshire", operator_email=%(operator)r, status=SupportStatus.GRANTED
).update(ends_at=timezone.now() - datetime.timedelta(minutes=1))
assert moved == 1, moved
assert support_expiry_record(now=timezone.now()) == 1
"""


def _hour_passes(var_dir: Path, port: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", HOUR_PASSES % {"operator": OPERATOR}],
        env=served_demo_env(var_dir, port),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def test_an_operator_asks_a_council_grants_the_operator_sees_the_page_and_the_grant_runs_out(
    demo_server: str, demo_var_dir: Path, browser: object
) -> None:
    platform = f"http://localhost:{demo_server}"
    council_site = f"http://staffordshire.localhost:{demo_server}"
    support = f"{platform}/console/councils/staffordshire/support/"
    operator_context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    admin_context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    operator = operator_context.new_page()
    admin = admin_context.new_page()
    try:
        # The operator asks, first forgetting the reason.
        operator_signs_in(operator, platform)
        assert operator.goto(f"{support}agencies/").status == 404  # no grant yet
        operator.goto(support)
        checked(operator, "support-01-ask")
        operator.check("#id_scopes_1")  # the agencies page
        assert "Enter why you need access" in submit(operator, "for access")
        checked(operator, "support-02-reason-missing")
        assert operator.is_checked("#id_scopes_1")  # nothing lost
        operator.fill("#id_reason", REASON)
        submit(operator, "for access")
        assert "Your request is with" in operator.inner_text("main")
        assert "Waiting for the council" in operator.inner_text("main")
        checked(operator, "support-03-asked")

        # Staffordshire's administrator sees the request and grants it.
        sign_in(admin, demo_server, ADMIN)
        admin.goto(f"{council_site}/administration/")
        admin.click("main a:has-text('Support access')")
        admin.wait_for_url(f"{council_site}/administration/support/")
        waiting = admin.inner_text("main")
        assert "asks for access" in waiting
        assert REASON in waiting
        assert "The agencies page" in waiting
        checked(admin, "support-04-request-waiting")
        submit(admin, "Grant access")
        assert "can see the agencies page until" in admin.inner_text("main")
        checked(admin, "support-05-granted")

        # The operator opens the agencies page under its banner.
        operator.goto(support)
        operator.click("main a:has-text('Open the agencies page')")
        operator.wait_for_url(f"{support}agencies/")
        banner = operator.inner_text(".govuk-notification-banner")
        assert "Support access to Staffordshire" in banner
        assert "granted by Helen Bradbury until" in banner
        assert "Everything you see here is recorded in Staffordshire" in banner
        assert "Practitioners" in operator.inner_text("main table")
        checked(operator, "support-06-agencies-page")

        # The administrator's audit shows it.
        admin.goto(f"{council_site}/administration/support/")
        audit = admin.inner_text("main")
        assert "Viewed the agencies page" in audit
        assert OPERATOR in audit
        checked(admin, "support-07-audit")

        # The hour passes.
        _hour_passes(demo_var_dir, demo_server)
        response = operator.goto(f"{support}agencies/")
        assert response.status == 404
        assert "Support access to" not in operator.content()
        checked(operator, "support-08-run-out-not-found")
        operator.goto(support)
        assert "Ran out" in operator.inner_text("main")
        checked(operator, "support-09-operator-ran-out")
        admin.goto(f"{council_site}/administration/support/")
        after = admin.inner_text("main")
        assert "Ran out" in after
        assert "Support access ran out" in after
        assert "No one from the platform team has access now." in after
        checked(admin, "support-10-ran-out")
    finally:
        operator_context.close()
        admin_context.close()
