"""Signing in through an agency's provider: who the checked ID token names, and whether they may come in.

Accounts stay invitation-only: the token must name a verified email in one of the agency's domains,
and the person must already have an active account of *that* agency (linked the first time by that
email, afterwards by the provider's subject), or a usable invitation to that agency for that email.
The invitation is what authorises an account; the provider only proves the email, so a first sign-in
with an invitation creates the account the invitation names (``sso_invitation_accept``) and nothing
else does. Every refusal is in the audit trail, and nothing is linked or created by a refused sign-in.
The same checks as a password sign-in follow: a locked account, or one that may not sign in now (its
agency suspended), is refused.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.accounts.models import User
from core.accounts.services.sign_in import is_locked, sign_in_refusal
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import ApprovalState, Invitation, Practitioner
from core.directory.services.invitations import invitation_accept_by_single_sign_on, invitation_refused
from core.sso.models import IdentityProvider, SsoDevice, SsoIdentity
from core.sso.selectors import email_domain


@dataclass(frozen=True)
class SsoAccount:
    """The outcome: the account to sign in, the invitation to accept first, or why not (``refusal`` is for the
    trail; ``message`` for the page)."""

    user: User | None = None
    invitation: Invitation | None = None
    refusal: str = ""
    message: str = ""

    @property
    def accepted(self) -> bool:
        return self.user is not None


UNKNOWN = (
    "There is no Patchwork account for this email in your organisation. Accounts are by invitation only: "
    "ask your agency manager."
)
INVITATION_UNUSABLE = (
    "Your invitation does not work any more. It may have been used already, or expired. Ask your agency manager "
    "for a new one."
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
        usable = Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        invitation = usable.filter(agency=provider.agency).select_related("agency").first()
        if invitation is not None and invitation.agency.approval_state != ApprovalState.APPROVED:
            return _refused(provider, "the invitation's agency is not in use", NOT_ALLOWED, origin)
        if invitation is not None:
            return SsoAccount(invitation=invitation)
        if usable.exists():
            return _refused(provider, "the invitation is to another agency", UNKNOWN, origin)
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


def sso_invitation_accept(
    *,
    provider: IdentityProvider,
    subject: str,
    invitation_id: object,
    first_name: str,
    last_name: str,
    job_title: str,
    origin: Origin,
) -> User:
    """Accept the invitation a first sign-in found, and link the provider's subject to the new account.

    Both or neither: if the invitation was used, revoked or has expired meanwhile, or belongs to another agency
    than the provider's, ValidationError is raised, recorded, and nothing is created or linked.
    """
    try:
        with transaction.atomic():
            if not Invitation.objects.filter(pk=invitation_id, agency_id=provider.agency_id).exists():
                raise ValidationError("the invitation is not to the provider's agency")
            user = invitation_accept_by_single_sign_on(
                invitation_id=invitation_id,
                first_name=first_name,
                last_name=last_name,
                job_title=job_title,
                origin=origin,
            )
            _link(provider=provider, subject=subject, user=user, origin=origin)
    except (ValidationError, IntegrityError) as error:  # recorded after the rollback, so it stays in the trail
        invitation_refused(origin=origin, reason="unusable invitation (single sign-on)")
        sso_sign_in_refused(provider=provider, reason=f"invitation not accepted: {_reason(error)}", origin=origin)
        raise ValidationError(INVITATION_UNUSABLE) from error
    return user


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)[:200]
    return "the provider's identity was linked meanwhile"


def sso_device_for(*, user: User, provider: IdentityProvider, claim: str) -> SsoDevice:
    """The second factor the provider vouched for, by its claim: named in the sign-in's audit event."""
    device, _ = SsoDevice.objects.get_or_create(
        user=user,
        provider=provider,
        mfa_claim=claim,
        defaults={"name": f"{provider.display_name} ({claim})"[:64], "confirmed": True},
    )
    return device
