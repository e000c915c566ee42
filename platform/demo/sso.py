"""The demo's single sign-on: one agency of the first demo council signs in with a local OpenID provider.

The provider is oidc-provider-mock (the ``demo`` dependency group: production never installs it), which
``python3 dev.py demo`` starts beside the served site on a fixed port, with the people this module
writes to a file: one demo account whose provider sign-in carries the MFA claim (signed in straight
away) and, where the agency has another, one without it (Patchwork's own code is then asked).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.audit.origin import NO_ORIGIN
from core.directory.models import Practitioner
from core.sso.models import IdentityProvider
from core.sso.services.providers import ProviderSettings, identity_provider_save

DEMO_SSO_PORT = 8001
DEMO_SSO_ISSUER = f"http://localhost:{DEMO_SSO_PORT}"
DEMO_SSO_CLIENT_ID = "patchwork-demo"
DEMO_SSO_CLIENT_SECRET = "demo-only-client-secret"  # noqa: S105 -- the local provider accepts any secret


@dataclass(frozen=True)
class DemoSso:
    agency: str
    with_mfa: str
    without_mfa: str


def demo_sso_users_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-oidc-users.json"


def demo_sso_configure(*, emails: list[str]) -> DemoSso | None:
    """In the current council: the agency of the first demo account that is not an administrator gets the local
    provider (unless it has one already); returns who can try it. Its people's claims go to the users file."""
    staff = list(
        Practitioner.objects.select_related("agency", "user")
        .filter(user__email__in=emails, is_council_admin=False)
        .order_by("user__email")
    )
    administrator = Practitioner.objects.filter(is_council_admin=True, user__is_active=True).first()
    if not staff or administrator is None:
        return None
    agency = staff[0].agency
    if not IdentityProvider.objects.filter(agency=agency).exists():
        identity_provider_save(
            actor=administrator,
            agency=agency,
            values=ProviderSettings(
                display_name=f"{agency.name} staff account (local demo provider)",
                issuer=DEMO_SSO_ISSUER,
                client_id=DEMO_SSO_CLIENT_ID,
                client_secret=DEMO_SSO_CLIENT_SECRET,
            ),
            origin=NO_ORIGIN,
        )
    people = [practitioner.user.email for practitioner in staff if practitioner.agency_id == agency.pk][:2]
    users = [
        {"sub": email, "email": email, "email_verified": True, "amr": ["pwd", "mfa"] if i == 0 else ["pwd"]}
        for i, email in enumerate(people)
    ]
    path = demo_sso_users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(users, indent=2))
    return DemoSso(agency=agency.name, with_mfa=people[0], without_mfa=people[1] if len(people) > 1 else "")
