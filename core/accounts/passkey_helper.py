"""The WebAuthn helper django-otp-webauthn uses (``OTP_WEBAUTHN_HELPER_CLASS``), bound to the site at hand.

Kept apart from ``core.accounts.passkeys`` because it reads the credential model when imported: the settings
name this class, and it is imported only once the apps are ready.
"""

from django_otp_webauthn.helpers import WebAuthnHelper

from core.accounts.passkeys import expected_origin


class SiteWebAuthnHelper(WebAuthnHelper):
    """Accepts a ceremony only from the origin of the site it was asked at (a council's host, or the platform)."""

    def get_allowed_origins(self) -> list[str]:
        return [expected_origin(self.request)]
