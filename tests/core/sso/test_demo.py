"""The demo's single sign-on: one agency configured for the local provider, and the people it knows."""

import json
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from core.sso.encryption import secret_decrypt
from core.sso.models import IdentityProvider
from demo.sso import DEMO_SSO_CLIENT_SECRET, DEMO_SSO_ISSUER, demo_sso_configure, demo_sso_users_file
from tenants.models import Council
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side


def test_the_demo_configures_one_agency_and_writes_who_can_try_it(
    council_a: Council, settings: object, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    with schema_context(council_a.schema_name):
        trust = AgencyFactory(name="Demo Trust", email_domains=["demo-trust.example"])
        PractitionerFactory(agency=trust, user__email="admin@demo-trust.example", is_council_admin=True)
        PractitionerFactory(agency=trust, user__email="amy@demo-trust.example")
        PractitionerFactory(agency=trust, user__email="mark@demo-trust.example")
        emails = ["admin@demo-trust.example", "amy@demo-trust.example", "mark@demo-trust.example"]
        tried = demo_sso_configure(emails=emails)
        again = demo_sso_configure(emails=emails)  # run again: nothing added
        [provider] = IdentityProvider.objects.all()
    assert tried == again
    assert tried.with_mfa == "amy@demo-trust.example"
    assert tried.without_mfa == "mark@demo-trust.example"
    assert provider.agency_id == trust.pk
    assert provider.issuer == DEMO_SSO_ISSUER
    assert secret_decrypt(provider.client_secret_encrypted) == DEMO_SSO_CLIENT_SECRET
    users = json.loads(demo_sso_users_file().read_text())
    assert users[0] == {
        "sub": "amy@demo-trust.example",
        "email": "amy@demo-trust.example",
        "email_verified": True,
        "amr": ["pwd", "mfa"],
    }
    assert users[1]["amr"] == ["pwd"]
