"""Each agency's own identity provider, the accounts linked to it, and the second factor it vouches for.

Everything here lives in the council's schema: one council's configuration is never seen by another.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django_otp.models import Device, DeviceManager

from core.directory.models import Agency

DEFAULT_MFA_AMR = ["mfa", "otp", "hwk", "swk", "fpt", "face", "sc"]
# SAML AuthnContextClassRef values that, by common use, say a second factor was used.
DEFAULT_SAML_MFA_CONTEXTS = [
    "http://schemas.microsoft.com/claims/multipleauthn",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor",
    "https://refeds.org/profile/mfa",
]


class Protocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class IdentityProvider(models.Model):
    """An agency's single sign-on: where its staff sign in, and what counts as a second factor there."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="identity_provider")
    protocol = models.CharField(max_length=10, choices=Protocol.choices, default=Protocol.OIDC)
    display_name = models.CharField(max_length=100)
    # OpenID Connect
    issuer = models.URLField("issuer URL", max_length=300, blank=True)
    client_id = models.CharField(max_length=300, blank=True)
    # A Fernet token (core/sso/encryption.py), never the plain secret; never shown back on any page.
    client_secret_encrypted = models.TextField(blank=True)
    mfa_amr_values = ArrayField(
        models.CharField(max_length=30),
        default=list,
        blank=True,
        help_text="Values of the ID token's amr claim that show a second factor was used.",
    )
    mfa_acr_values = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Values of the ID token's acr claim that show a second factor was used.",
    )
    # SAML 2.0: the provider's entity id, where the AuthnRequest goes (HTTP-Redirect), the certificate
    # its responses must be signed with (pinned: never one sent inside a response).
    saml_entity_id = models.CharField("identity provider entity id", max_length=300, blank=True)
    saml_sso_url = models.URLField("single sign-on URL", max_length=500, blank=True)
    saml_certificate = models.TextField("signing certificate (PEM)", blank=True)
    saml_mfa_contexts = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="AuthnContextClassRef values that show a second factor was used.",
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.display_name} ({self.agency.name})"


class SsoIdentity(models.Model):
    """One person's account at an agency's provider (its ``sub``), linked to their Patchwork account."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identity_one_per_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="sso_identity_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.provider_id}"


class SsoDeviceManager(DeviceManager):
    """Hidden from django-otp's lists of a person's devices: an SsoDevice never answers a typed code,
    and someone who has only this one must still be asked to set up our own second factor."""

    def devices_for_user(self, user: object, confirmed: object = None) -> models.QuerySet:
        return self.none()


class SsoDevice(Device):
    """The second factor the agency's provider vouched for (its amr/acr claim): what a session signed in
    through single sign-on records as its device. One per account, provider and claim, so that the
    sign-in's audit event (which names the device) says which claim let the person in."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="devices")
    mfa_claim = models.CharField(max_length=250)

    objects = SsoDeviceManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "provider", "mfa_claim"], name="sso_device_one_per_claim"),
        ]

    def verify_token(self, token: object) -> bool:
        return False
