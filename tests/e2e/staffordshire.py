"""Helpers the Staffordshire team journeys share: signing in as a demo account (both factors), sending a form
without JavaScript, and checking a page with axe while keeping its screenshot for a person to look at."""

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import ROOT, axe_violations, served_demo_env

PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
SHOTS = Path(os.environ.get("PATCHWORK_E2E_SHOTS", "/tmp/patchwork_e2e_shots"))  # noqa: S108


BORN = """
from django_tenants.utils import schema_context
from core.clients.models import Client
with schema_context("council_staffordshire"):
    born = Client.objects.get(first_name=%(first_name)r, surname=%(surname)r).date_of_birth
print(f"{born.day} {born.month} {born.year}")
"""


def born(var_dir: Path, port: str, first_name: str, surname: str) -> tuple[str, str, str]:
    """A Staffordshire demo client's date of birth as typed (day, month, year), read from the served demo.

    The demo draws its people's ages against the day it is made, so a date of birth moves with that day: the
    journeys find a person by name here rather than keep a date that is right only on one day."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", BORN % {"first_name": first_name, "surname": surname}],
        env=served_demo_env(var_dir, port),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    day, month, year = done.stdout.strip().splitlines()[-1].split()
    return day, month, year


def checked(page: object, name: str) -> None:
    """The page passes axe; a full-page screenshot is kept as ``<name>.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


def sign_in(page: object, port: str, email: str) -> None:
    """Sign in to Staffordshire's site with the demo password and backup code; ends on the home page."""
    page.goto(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]


OPERATOR = "operator@patchwork.example"


def operator_signs_in(page: object, platform: str) -> None:
    """Sign in to the operator console as the demo's operator (both factors); ends on the console's first page."""
    page.goto(f"{platform}/console/")  # type: ignore[attr-defined]
    page.fill("#id_email", OPERATOR)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/")  # type: ignore[attr-defined]


def submit(page: object, button: str) -> str:
    """Press a form's button (every form here is sent without JavaScript) and return the page it leads to."""
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f"main button:has-text('{button}')")  # type: ignore[attr-defined]
    return page.content()  # type: ignore[attr-defined]
