"""In a real browser: an operator finds the undelivered email in the console and sends one again.

Two emails of Staffordshire are put on the dead-letter list in the served demo's database (as the dispatcher leaves
them after the last failed attempt): a team change's, which can be sent again, and an invitation's, whose link was
not kept. Each page is checked with axe and photographed, as in the other journeys. The demo runs without a broker,
so the retried email is delivered after the request's commit into its ``var/mail``.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, emails_to, served_demo_env
from tests.e2e.staffordshire import checked

pytestmark = pytest.mark.platform_side

OPERATOR = "operator@patchwork.example"
PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
SCHEMA = "council_staffordshire"
RETRIED = "dead-letter-retried@staffordshire-e2e.example"
LINK_LOST = "dead-letter-invited@staffordshire-e2e.example"


# Run in the served demo's database (either PostgreSQL: the machine's or the embedded one): two dead letters in
# Staffordshire's outbox, one of them a single-use link whose text was not kept.
PLANT = """
from django.utils import timezone
from django_tenants.utils import schema_context
from core.notifications.models import DeliveryState, Notification

with schema_context(%(schema)r):
    for to, subject, holds_secret in ((%(retried)r, "A change in one of your teams", False),
                                      (%(link_lost)r, "You are invited to Patchwork", True)):
        Notification.objects.create(
            to=to, subject=subject, body="A team changed.\\n\\nSee the team: http://staffordshire.localhost/",
            holds_secret=holds_secret, attempts=8, last_error="ConnectionError", state=DeliveryState.DEAD,
            dead_at=timezone.now(),
        )
"""


def _dead_letters(var_dir: Path, port: str) -> None:
    script = PLANT % {"schema": SCHEMA, "retried": RETRIED, "link_lost": LINK_LOST}
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script],
        env=served_demo_env(var_dir, port),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def test_an_operator_sees_undelivered_email_and_sends_one_again(
    demo_server: str, demo_var_dir: Path, page: object
) -> None:
    _dead_letters(demo_var_dir, demo_server)
    platform = f"http://localhost:{demo_server}"
    page.goto(f"{platform}/console/")  # type: ignore[attr-defined]
    page.fill("#id_email", OPERATOR)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/")  # type: ignore[attr-defined]

    page.click("nav a:has-text('Undelivered email')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/deliveries/")  # type: ignore[attr-defined]
    listing = page.inner_text("main")  # type: ignore[attr-defined]
    assert RETRIED in listing
    assert LINK_LOST in listing
    assert "Its link was not kept: issue a new link" in listing
    assert "See the team" not in listing  # never a body
    checked(page, "undelivered-01-list")

    page.click(f"main button:has-text('Retry the email to {RETRIED}')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/deliveries/")  # type: ignore[attr-defined]
    after = page.inner_text("main")  # type: ignore[attr-defined]
    assert "The email is being sent again." in after
    assert RETRIED not in after  # delivered: no longer undelivered
    assert LINK_LOST in after
    checked(page, "undelivered-02-retried")
    [message] = emails_to(demo_var_dir, RETRIED)
    assert message["Subject"] == "A change in one of your teams"
    assert message["X-Patchwork-Delivery"]
