"""Signing in through an agency's provider: who the checked ID token names, and whether they may come in.

Accounts stay invitation-only: the token must name a verified email in one of the agency's domains,
and the person must already have an active account of *that* agency (linked the first time by that
email, afterwards by the provider's subject). Nothing here creates an account. Every refusal is in the
audit trail, and nothing is linked or created by a refused sign-in. The same checks as a password
sign-in follow: a locked account, or one that may not sign in now (its agency suspended), is refused.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.accounts.models import User
from core.accounts.services.sign_in import is_locked, sign_in_refusal
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Invitation, Practitioner
from core.sso.models import IdentityProvider, SsoDevice, SsoIdentity
from core.sso.selectors import email_domain


@dataclass(frozen=True)
class SsoAccount:
    """The outcome: the account to sign in, or why not (``refusal`` is for the trail; ``message`` for the page)."""

    user: User | None = None
    refusal: str = ""
    message: str = ""

    @property
    def accepted(self) -> bool:
        return self.user is not None


UNKNOWN = (
    "There is no Patchwork account for this email in your organisation. Accounts are by invitation only: "
    "ask your agency manager."
)
INVITED = (
    "You have an invitation that is not accepted yet. Open the link in the invitation email to create your "
    "account; after that you can sign in with your organisation's account."
)
NOT_ALLOWED = "You cannot sign in with this account. Ask your agency manager or the council's administrator."


def sso_sign_in_refused(
    *, provider: IdentityProvider | None, reason: str, origin: Origin, user_id: object | None = None
) -> None:
    """Record a refused single sign-on (a bad state, a provider error, an account that may not come in)."""
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=user_id,
        object_type="identity_provider" if provider else "",
        object_id=provider.pk if provider else "",
        reason=f"single sign-on: {reason}",
    )


def _refused(
    provider: IdentityProvider, reason: str, message: str, origin: Origin, user_id: object = None
) -> SsoAccount:
    sso_sign_in_refused(provider=provider, reason=reason, origin=origin, user_id=user_id)
    return SsoAccount(refusal=reason, message=message)


def sso_account_for(*, provider: IdentityProvider, claims: dict[str, Any], origin: Origin) -> SsoAccount:
    """The account a checked ID token signs in, linking it on the first sign-in; or a recorded refusal."""
    subject = str(claims.get("sub", ""))
    email = str(claims.get("email") or "").strip().lower()
    if claims.get("email_verified") is not True:
        return _refused(provider, "email not verified by the provider", UNKNOWN, origin)
    if not email or email_domain(email) not in [domain.lower() for domain in provider.agency.email_domains]:
        return _refused(provider, "email outside the agency's domains", UNKNOWN, origin)

    identity = SsoIdentity.objects.select_related("user").filter(provider=provider, subject=subject).first()
    user = identity.user if identity else get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        invited = Invitation.objects.filter(
            email__iexact=email,
            agency=provider.agency,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists()
        if invited:
            return _refused(provider, "invitation not accepted yet", INVITED, origin)
        return _refused(provider, "unknown account", UNKNOWN, origin)
    practitioner = Practitioner.objects.filter(user=user).only("agency_id").first()
    if practitioner is None or practitioner.agency_id != provider.agency_id:
        return _refused(provider, "the account belongs to another agency", UNKNOWN, origin, user.pk)
    if not user.is_active:
        return _refused(provider, "account deactivated", NOT_ALLOWED, origin, user.pk)
    if is_locked(user):
        return _refused(provider, "account locked", NOT_ALLOWED, origin, user.pk)
    if refused := sign_in_refusal(user):
        return _refused(provider, refused, NOT_ALLOWED, origin, user.pk)
    if identity is None:
        if SsoIdentity.objects.filter(provider=provider, user=user).exists():
            return _refused(
                provider, "the account is linked to another identity at this provider", NOT_ALLOWED, origin, user.pk
            )
        try:
            _link(provider=provider, subject=subject, user=user, origin=origin)
        except IntegrityError:  # the same person's first two sign-ins at once: the other one linked it
            return _refused(provider, "linked meanwhile", NOT_ALLOWED, origin, user.pk)
    return SsoAccount(user=user)


@transaction.atomic
def _link(*, provider: IdentityProvider, subject: str, user: User, origin: Origin) -> None:
    identity = SsoIdentity.objects.create(provider=provider, subject=subject, user=user)
    audit_record(
        action=AuditAction.SSO_LINKED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        object_type="sso_identity",
        object_id=identity.pk,
        related_ids=[provider.pk],
    )


def sso_device_for(*, user: User, provider: IdentityProvider, claim: str) -> SsoDevice:
    """The second factor the provider vouched for, by its claim: named in the sign-in's audit event."""
    device, _ = SsoDevice.objects.get_or_create(
        user=user,
        provider=provider,
        mfa_claim=claim,
        defaults={"name": f"{provider.display_name} ({claim})"[:64], "confirmed": True},
    )
    return device
