"""In a real browser: signing in with an agency's own account (OpenID Connect), as the demo offers it.

A real local OpenID provider is started here (oidc-provider-mock, on a free port) and Staffordshire's Children's Social
Care, which the demo configured for its provider, is pointed at it in the served demo's database. With the MFA claim
the social worker is signed in without a Patchwork code; without it, her manager is asked for Patchwork's own code.
This is the browser's side of the flow the tests in tests/core/sso/ drive with Django's test client: the trip from
our form to another site must survive the browser's own rules (our Content-Security-Policy's ``form-action``).
"""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import oidc_provider_mock
import pytest

from tests.e2e.conftest import ROOT, served_demo_env
from tests.e2e.staffordshire import BACKUP_CODE, checked, sign_in

pytestmark = pytest.mark.council_side

DEMO_ISSUER = "http://localhost:8001"  # platform/demo/sso.py
POINT_AT = """
from django_tenants.utils import schema_context
from core.sso.models import IdentityProvider
with schema_context("council_staffordshire"):
    moved = IdentityProvider.objects.filter(issuer=%(old)r).update(issuer=%(new)r)
assert moved == 1, moved
"""


def _point_provider(var_dir: Path, port: str, *, old: str, new: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", POINT_AT % {"old": old, "new": new}],
        env=served_demo_env(var_dir, port),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def provider(demo_server: str, demo_var_dir: Path) -> Iterator[str]:
    """The local provider, knowing the demo's people (from the file the demo wrote), with the demo agency on it."""
    with oidc_provider_mock.run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        for person in json.loads((demo_var_dir / "demo-oidc-users.json").read_text()):
            response = httpx.put(f"{issuer}/users/{quote(person['sub'])}", json=person, timeout=5)
            assert response.status_code == 204
        _point_provider(demo_var_dir, demo_server, old=DEMO_ISSUER, new=issuer)
        try:
            yield issuer
        finally:
            _point_provider(demo_var_dir, demo_server, old=issuer, new=DEMO_ISSUER)


def _at_provider_as(page: object, site: str, email: str) -> None:
    """From Patchwork's sign-in page to the provider, and in there as ``email``."""
    page.goto(f"{site}/sign-in/")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Sign in with your organisation's account").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{site}/sign-in/organisation/")  # type: ignore[attr-defined]
    checked(page, "sso-organisation-email")
    page.get_by_label("Work email").fill(email)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]
    page.wait_for_url("http://localhost:*/oauth2/authorize?**")  # type: ignore[attr-defined]
    page.fill("input[name=sub]", email)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Authorize").click()  # type: ignore[attr-defined]


def test_with_the_providers_second_factor_she_is_signed_in_and_without_it_patchwork_asks_its_own(
    demo_server: str, browser: object, provider: str
) -> None:
    site = f"http://staffordshire.localhost:{demo_server}"
    with_mfa, without_mfa = (
        "amy.collier@staffordshire-childrens.example",
        "mark.jennings@staffordshire-childrens.example",
    )

    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        _at_provider_as(page, site, with_mfa)
        page.wait_for_url(f"{site}/")
        assert "Welcome, Amy" in page.content()
        checked(page, "sso-signed-in")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{site}/sign-in/")

        _at_provider_as(page, site, without_mfa)
        page.wait_for_url(f"{site}/sign-in/code/")  # the provider vouched for no second factor: ours
        checked(page, "sso-own-code")
        page.fill("#id_code", BACKUP_CODE)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/")
        assert "Welcome, Mark" in page.content()
    finally:
        context.close()


def test_the_administrators_sign_in_settings_pages_pass_axe(demo_server: str, browser: object) -> None:
    """The council administrator's pages for an agency's single sign-on (both protocols shown) and for requiring
    passkeys, with and without an error."""
    site = f"http://staffordshire.localhost:{demo_server}"
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        sign_in(page, demo_server, "helen.bradbury@staffordshire-earlyhelp.example")
        page.goto(f"{site}/administration/agencies/")
        page.get_by_role("link", name="Staffordshire County Council — Children's Social Care").first.click()
        page.click("main a[href$='/single-sign-on/']")
        assert "Single sign-on" in page.content()
        checked(page, "sso-administration")
        page.check("input[value=saml]")
        page.fill("#id_saml_certificate", "not a certificate")
        page.click("main button[value=check]")
        assert "There is a problem" in page.content()
        checked(page, "sso-administration-saml-error")
        page.goto(f"{site}/administration/passkeys/")
        checked(page, "passkeys-required-setting")
    finally:
        context.close()
