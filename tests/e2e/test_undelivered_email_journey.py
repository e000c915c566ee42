"""In a real browser: an operator finds the undelivered email in the console and sends one again.

Two emails of Staffordshire are put on the dead-letter list in the served demo's database (as the dispatcher leaves
them after the last failed attempt): a team change's, which can be sent again, and an invitation's, whose link was
not kept. Each page is checked with axe and photographed, as in the other journeys. The demo runs without a broker,
so the retried email is delivered after the request's commit into its ``var/mail``.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.e2e.conftest import emails_to
from tests.e2e.staffordshire import checked

pytestmark = pytest.mark.platform_side

OPERATOR = "operator@patchwork.example"
PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
SCHEMA = "council_staffordshire"
RETRIED = "dead-letter-retried@staffordshire-e2e.example"
LINK_LOST = "dead-letter-invited@staffordshire-e2e.example"


def _demo_database_url() -> str:
    """The served demo's database, as its owner (tests/e2e/conftest.py names it the same way)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    database = f"{os.environ.get('TEST_DATABASE_NAME') or 'patchwork'}_e2e{'_' + worker if worker else ''}"
    url = os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"]
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def _dead_letters() -> None:
    with psycopg.connect(_demo_database_url(), autocommit=True) as connection:
        for to, subject, holds_secret in (
            (RETRIED, "A change in one of your teams", False),
            (LINK_LOST, "You are invited to Patchwork", True),
        ):
            connection.execute(
                sql.SQL(
                    'INSERT INTO {}.notifications_notification ("to", subject, body, holds_secret, created_at, '
                    "next_attempt_at, attempts, last_error, provider_reference, attachment_name, attachment_type, "
                    "attachment_text, state, dead_at) "
                    "VALUES (%s, %s, %s, %s, now(), now(), 8, 'ConnectionError', '', '', '', '', 'dead', now())"
                ).format(sql.Identifier(SCHEMA)),
                [to, subject, "A team changed.\n\nSee the team: http://staffordshire.localhost/", holds_secret],
            )


def test_an_operator_sees_undelivered_email_and_sends_one_again(
    demo_server: str, demo_var_dir: Path, page: object
) -> None:
    _dead_letters()
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
