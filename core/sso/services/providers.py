"""A council administrator sets, changes or turns off an agency's single sign-on.

The client secret is write-only: stored encrypted, never shown back, never in the audit trail (only
that it changed). Leaving it blank keeps the one stored. A SAML provider's certificate is public, but
long: the trail records its SHA-256 fingerprint.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Agency, Practitioner
from core.sso.encryption import secret_encrypt
from core.sso.models import DEFAULT_MFA_AMR, DEFAULT_SAML_MFA_CONTEXTS, IdentityProvider, Protocol
from core.sso.oidc import Discovery, discover, issuer_normalised
from core.sso.saml import SamlError, certificate_fingerprint

SETTINGS = (
    "protocol",
    "display_name",
    "issuer",
    "client_id",
    "mfa_amr_values",
    "mfa_acr_values",
    "saml_entity_id",
    "saml_sso_url",
    "saml_mfa_contexts",
    "enabled",
)


@dataclass(frozen=True)
class ProviderSettings:
    display_name: str
    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""  # blank: keep the stored one
    mfa_amr_values: list[str] = field(default_factory=lambda: list(DEFAULT_MFA_AMR))
    mfa_acr_values: list[str] = field(default_factory=list)
    enabled: bool = True
    protocol: str = Protocol.OIDC
    saml_entity_id: str = ""
    saml_sso_url: str = ""
    saml_certificate: str = ""  # blank: keep the stored one
    saml_mfa_contexts: list[str] = field(default_factory=lambda: list(DEFAULT_SAML_MFA_CONTEXTS))


def _secure_issuer(issuer: str) -> bool:
    """Tokens and the client secret travel to the issuer: https, except a local test provider where allowed."""
    parts = urlsplit(issuer)
    local = settings.SSO_PROVIDERS_MAY_BE_LOCAL and parts.hostname in ("localhost", "127.0.0.1")
    return parts.scheme == "https" or (parts.scheme == "http" and local)


def _administrator_only(actor: Practitioner) -> None:
    if not actor.is_council_admin or not actor.user.is_active:
        raise PermissionDenied("Only council administrators set an agency's single sign-on.")


@transaction.atomic
def identity_provider_save(
    *, actor: Practitioner, agency: Agency, values: ProviderSettings, origin: Origin
) -> IdentityProvider:
    """Create or change the agency's provider. Audited with what changed, the secret only as "changed"."""
    _administrator_only(actor)
    provider = IdentityProvider.objects.select_for_update().filter(agency=agency).first()
    creating = provider is None
    if provider is None:
        provider = IdentityProvider(agency=agency)
    new = {
        "protocol": values.protocol,
        "display_name": values.display_name.strip(),
        "issuer": issuer_normalised(values.issuer),
        "client_id": values.client_id.strip(),
        "mfa_amr_values": _cleaned(values.mfa_amr_values),
        "mfa_acr_values": _cleaned(values.mfa_acr_values),
        "saml_entity_id": values.saml_entity_id.strip(),
        "saml_sso_url": values.saml_sso_url.strip(),
        "saml_mfa_contexts": _cleaned(values.saml_mfa_contexts),
        "enabled": values.enabled,
    }
    if values.protocol == Protocol.SAML:
        _saml_settings_valid(provider, values, new)
    elif values.protocol == Protocol.OIDC:
        _oidc_settings_valid(provider, values, new)
    else:
        raise ValidationError({"protocol": "Choose OpenID Connect or SAML 2.0."})
    changes: dict[str, dict[str, object]] = {}
    for name in SETTINGS:
        old = None if creating else getattr(provider, name)
        if old != new[name]:
            changes[name] = {"old": old, "new": new[name]}
            setattr(provider, name, new[name])
    if values.saml_certificate.strip():
        old_fingerprint = certificate_fingerprint(provider.saml_certificate) if provider.saml_certificate else None
        new_fingerprint = certificate_fingerprint(values.saml_certificate)
        if old_fingerprint != new_fingerprint:
            changes["saml_certificate"] = {"old": old_fingerprint, "new": new_fingerprint}
            provider.saml_certificate = values.saml_certificate.strip()
    if values.client_secret:
        provider.client_secret_encrypted = secret_encrypt(values.client_secret)
        changes["client_secret"] = {"old": None if creating else "(hidden)", "new": "(changed)"}
    if not changes:
        return provider
    provider.save()
    audit_record(
        action=AuditAction.IDENTITY_PROVIDER_CHANGED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="identity_provider",
        object_id=provider.pk,
        related_ids=[agency.pk],
        changes=changes,
    )
    return provider


def _cleaned(values: list[str]) -> list[str]:
    return sorted({value.strip() for value in values if value.strip()})


def _oidc_settings_valid(provider: IdentityProvider, values: ProviderSettings, new: dict[str, object]) -> None:
    if not provider.client_secret_encrypted and not values.client_secret:
        raise ValidationError({"client_secret": "Enter the client secret the provider gave you."})
    if not new["issuer"]:
        raise ValidationError({"issuer": "Enter the provider's issuer URL."})
    if not new["client_id"]:
        raise ValidationError({"client_id": "Enter the client ID the provider gave you."})
    if not _secure_issuer(str(new["issuer"])):
        raise ValidationError(
            {"issuer": "Enter the provider's https:// address (http:// only for a local test provider)."}
        )
    if not new["mfa_amr_values"] and not new["mfa_acr_values"]:
        raise ValidationError(
            {"mfa_amr_values": "Enter at least one amr or acr value that shows the provider asked for a second factor."}
        )


def _saml_settings_valid(provider: IdentityProvider, values: ProviderSettings, new: dict[str, object]) -> None:
    """The assertion is only as good as the certificate pinned here, and the request only as private as its URL."""
    if not new["saml_entity_id"]:
        raise ValidationError({"saml_entity_id": "Enter the identity provider's entity ID."})
    if not new["saml_sso_url"]:
        raise ValidationError({"saml_sso_url": "Enter the identity provider's single sign-on URL."})
    if not _secure_issuer(str(new["saml_sso_url"])):
        raise ValidationError(
            {"saml_sso_url": "Enter the provider's https:// address (http:// only for a local test provider)."}
        )
    if not values.saml_certificate.strip() and not provider.saml_certificate:
        raise ValidationError({"saml_certificate": "Enter the identity provider's signing certificate."})
    if values.saml_certificate.strip():
        try:
            certificate_fingerprint(values.saml_certificate)
        except SamlError as error:
            raise ValidationError({"saml_certificate": str(error)}) from error
    if not new["saml_mfa_contexts"]:
        raise ValidationError(
            {"saml_mfa_contexts": "Enter at least one AuthnContextClassRef that shows a second factor was used."}
        )


def identity_provider_check(*, issuer: str) -> Discovery:
    """Fetch the provider's discovery document (raises ProviderError with a message for the administrator)."""
    return discover(issuer)
