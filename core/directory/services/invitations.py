"""Accounts exist only by invitation (SECURITY.md AUTH-3).

A council administrator invites anyone to any approved agency, in any role; an agency manager
invites practitioners to their own agency; the council's first administrator is invited by the
platform, with no inviter, when the council is provisioned (``first_administrator_invite``). The
invitation is for one work email at one of the agency's domains, works once, and expires after 7
days. Accepting it creates the account and the practitioner profile, then the person sets up their
second factor before anything else.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record, audit_records
from core.directory.models import Agency, ApprovalState, Invitation, Practitioner, Role
from core.directory.services.accounts import practitioners_create
from core.directory.services.invitations_rules import email_domain_allowed
from core.notifications.services.outbox import OutgoingEmail, notification_queue, notifications_queue_many

INVITATION_LIFETIME = datetime.timedelta(days=7)
EMAIL_SUBJECT = "You have been invited to Patchwork"
EMAIL_BODY = (
    "{inviter} has invited you to join Patchwork at {site}, as {role} for {agency}.\n\n"
    "Patchwork shows who else is working with a child or family, and how to reach them.\n\n"
    "To create your account, open this link. It works once, until {expires}:\n{link}\n\n"
    "If you were not expecting this, you can ignore this email.\n"
)


FIRST_ADMINISTRATOR_SUBJECT = "Your council's Patchwork is ready: create your administrator account"
FIRST_ADMINISTRATOR_BODY = (
    "Patchwork has been set up for {agency} at {site}, and you are its first council administrator.\n\n"
    "Patchwork shows who else is working with a child or family, and how to reach them. As its "
    "administrator you add the agencies that will use it, invite their people, and set the council's "
    "rules before it goes live.\n\n"
    "To create your account, open this link. It works once, until {expires}:\n{link}\n\n"
    "You will then set up an authenticator app on your phone: every account signs in with two factors.\n\n"
    "If you were not expecting this, you can ignore this email.\n"
)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # the only copy; it goes in the email and is never stored


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_check(*, inviter: Practitioner, agency: Agency, role: str) -> None:
    """Who may invite whom. Raises PermissionDenied otherwise."""
    if inviter.is_council_admin:
        return
    if inviter.is_agency_manager and inviter.agency_id == agency.pk and role == Role.PRACTITIONER:
        return
    raise PermissionDenied("You can invite practitioners to your own agency only.")


@transaction.atomic
def invitation_create(
    *, inviter: Practitioner, email: str, agency: Agency, role: str, origin: Origin
) -> IssuedInvitation:
    email = email.strip().lower()
    invitation_check(inviter=inviter, agency=agency, role=role)
    if agency.approval_state != ApprovalState.APPROVED:
        raise ValidationError({"agency": "This agency has not been approved by the council yet."})
    if not email_domain_allowed(agency=agency, email=email):
        domains = ", ".join(f"@{domain}" for domain in agency.email_domains) or "none recorded"
        raise ValidationError({"email": f"Use a work email address of {agency.name} ({domains})."})
    if get_user_model().objects.filter(email=email).exists():
        raise ValidationError({"email": "Someone with this email address already has an account."})
    now = timezone.now()
    Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        agency=agency,
        role=role,
        token_hash=_hash(token),
        invited_by=inviter,
        expires_at=now + INVITATION_LIFETIME,
    )
    audit_record(
        action=AuditAction.INVITATION_SENT,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=inviter.user_id,
        object_type="invitation",
        object_id=invitation.pk,
        reason=f"role {role}",
    )
    body = _email_body(invitation=invitation, inviter=inviter, token=token, origin=origin)
    notification_queue(to=[email], subject=EMAIL_SUBJECT, body=body, holds_secret=True)
    return IssuedInvitation(invitation=invitation, token=token)


def _email_body(*, invitation: Invitation, inviter: Practitioner, token: str, origin: Origin, link: str = "") -> str:
    return EMAIL_BODY.format(
        inviter=inviter.user.full_name,
        site=origin.host,
        role=Role(invitation.role).label.lower(),
        agency=invitation.agency.name,
        expires=timezone.localtime(invitation.expires_at).strftime("%d %B %Y"),
        link=link or origin.absolute_url(reverse("invitation", kwargs={"token": token})),
    )


@dataclass(frozen=True)
class InvitationRequest:
    """Someone to invite, as a bulk import gives them: already checked (``invitations_create_many``)."""

    email: str
    agency: Agency
    role: str
    first_name: str = ""
    last_name: str = ""
    job_title: str = ""


def invitations_create_many(
    *, inviter: Practitioner, requests: list[InvitationRequest], origin: Origin
) -> list[Invitation]:
    """Invite many people at once, in a constant number of queries: the invitations, their audit events and
    their emails each written in one statement, in the caller's transaction.

    The caller has already applied ``invitation_check`` and the rules of ``invitation_create`` to each request
    (an approved agency, an email at one of its domains, nobody with an account, each email once); earlier
    invitations to these emails that are still open are revoked, as ``invitation_create`` does.
    """
    if not requests:
        return []
    now = timezone.now()
    emails = [request.email for request in requests]
    Invitation.objects.filter(email__in=emails, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    issued: list[tuple[Invitation, str]] = []
    for request in requests:
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            email=request.email,
            agency=request.agency,
            role=request.role,
            token_hash=_hash(token),
            invited_by=inviter,
            first_name=request.first_name,
            last_name=request.last_name,
            job_title=request.job_title,
            expires_at=now + INVITATION_LIFETIME,
        )
        issued.append((invitation, token))
    invitations = Invitation.objects.bulk_create([invitation for invitation, _ in issued], batch_size=1000)
    for role in sorted({invitation.role for invitation in invitations}):
        audit_records(
            action=AuditAction.INVITATION_SENT,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=inviter.user_id,
            object_type="invitation",
            object_ids=[invitation.pk for invitation in invitations if invitation.role == role],
            reason=f"role {role} (bulk import)",
        )
    # The link of each: the address of the invitation page, reversed once (tokens are URL-safe as they are).
    placeholder = "0" * 43
    page = origin.absolute_url(reverse("invitation", kwargs={"token": placeholder}))
    before, after = page.split(placeholder)
    notifications_queue_many(
        emails=[
            OutgoingEmail(
                to=invitation.email,
                subject=EMAIL_SUBJECT,
                body=_email_body(
                    invitation=invitation, inviter=inviter, token=token, origin=origin, link=before + token + after
                ),
            )
            for invitation, token in issued
        ],
        holds_secret=True,
    )
    return invitations


def invitation_open_or_account_exists(*, email: str) -> bool:
    """Whether this email has an account here, or an invitation that can still be accepted."""
    email = email.strip().lower()
    return (
        get_user_model().objects.filter(email__iexact=email).exists()
        or Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).exists()
    )


def first_administrator_invite(*, agency: Agency, email: str, base_url: str) -> IssuedInvitation | None:
    """Invite the council's first administrator, from the platform (no inviter), and queue the email.

    ``base_url`` is the council's site (``https://<slug>.<platform domain>``): there is no request to
    take it from. Idempotent: when the person already has an account or an open invitation, nothing
    is done and None is returned, so provisioning run again sends no second email. The agency's row
    is locked while checking, so two runs at once cannot both invite.
    """
    email = email.strip().lower()
    origin = Origin(base_url=base_url)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if invitation_open_or_account_exists(email=email):
            return None
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            email=email,
            agency=agency,
            role=Role.COUNCIL_ADMIN,
            token_hash=_hash(token),
            invited_by=None,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit_record(
            action=AuditAction.INVITATION_SENT,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            object_type="invitation",
            object_id=invitation.pk,
            reason=f"role {Role.COUNCIL_ADMIN}, the council's first administrator",
        )
        body = FIRST_ADMINISTRATOR_BODY.format(
            agency=agency.name,
            site=origin.host,
            expires=timezone.localtime(invitation.expires_at).strftime("%d %B %Y"),
            # The council site's routes, wherever this runs (a worker, or an operator's request on the platform).
            link=origin.absolute_url(reverse("invitation", kwargs={"token": token}, urlconf=settings.ROOT_URLCONF)),
        )
        notification_queue(to=[email], subject=FIRST_ADMINISTRATOR_SUBJECT, body=body, holds_secret=True)
    return IssuedInvitation(invitation=invitation, token=token)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation this token opens, if it is still usable."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("agency", "invited_by")
        .filter(
            token_hash=_hash(token), accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )


def invitation_refused(*, origin: Origin, reason: str) -> None:
    audit_record(action=AuditAction.INVITATION_REFUSED, outcome=AuditOutcome.DENIED, origin=origin, reason=reason)


def invitation_accept(
    *, token: str, first_name: str, last_name: str, job_title: str, password: str, origin: Origin
) -> User:
    """Create the account. Refused (ValidationError) if the token was used, revoked or has expired."""
    user = _invitation_accept(
        token=token,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
        password=password,
        origin=origin,
    )
    if user is None:  # recorded after the rolled-back attempt, so the refusal stays in the trail
        invitation_refused(origin=origin, reason="unusable invitation link")
        raise ValidationError("This invitation link does not work. It may have been used already, or expired.")
    return user


@transaction.atomic
def _invitation_accept(
    *, token: str, first_name: str, last_name: str, job_title: str, password: str, origin: Origin
) -> User | None:
    invitation = _usable_invitation_locked(token_hash=_hash(token))
    if invitation is None:
        audit_record(
            action=AuditAction.INVITATION_REFUSED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            reason="unusable invitation link",
        )
        raise ValidationError("This invitation link does not work. It may have been used already, or expired.")
    user = get_user_model()(email=invitation.email, first_name=first_name, last_name=last_name)
    validate_password(password, user=user)
    user.set_password(password)
    return _account_create(invitation=invitation, user=user, job_title=job_title, origin=origin)


def invitation_accept_by_single_sign_on(
    *, invitation_id: object, first_name: str, last_name: str, job_title: str, origin: Origin
) -> User:
    """Create the account of someone whose agency's provider has just proved they hold the invited email.

    The invitation is what authorises the account, as when its link is opened; the provider stands in
    for the link. The account has no usable password: its owner signs in through their organisation.
    Refused (ValidationError, recorded) if the invitation was used, revoked or has expired meanwhile.
    """
    user = _invitation_accept_by_single_sign_on(
        invitation_id=invitation_id, first_name=first_name, last_name=last_name, job_title=job_title, origin=origin
    )
    if user is None:  # recorded after the rolled-back attempt, so the refusal stays in the trail
        invitation_refused(origin=origin, reason="unusable invitation (single sign-on)")
        raise ValidationError("This invitation does not work any more. It may have been used already, or expired.")
    return user


@transaction.atomic
def _invitation_accept_by_single_sign_on(
    *, invitation_id: object, first_name: str, last_name: str, job_title: str, origin: Origin
) -> User | None:
    invitation = _usable_invitation_locked(pk=invitation_id)
    if invitation is None:
        return None
    user = get_user_model()(email=invitation.email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    return _account_create(
        invitation=invitation, user=user, job_title=job_title, origin=origin, reason="by single sign-on"
    )


def _usable_invitation_locked(**match: object) -> Invitation | None:
    """The invitation, locked until the transaction ends, if it can still be accepted."""
    return (
        Invitation.objects.select_for_update(of=("self",))
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now(), **match)
        .select_related("agency", "invited_by")
        .first()
    )


def _account_create(*, invitation: Invitation, user: User, job_title: str, origin: Origin, reason: str = "") -> User:
    """The account and practitioner profile an accepted invitation gives, by its link or by single sign-on.
    The caller holds the invitation's row lock."""
    # An agency manager knows their own staff, and the council invites managers and administrators
    # itself; anyone else waits for their agency manager to verify them.
    inviter = invitation.invited_by
    vouched = invitation.role != Role.PRACTITIONER or (
        inviter is not None and inviter.is_agency_manager and inviter.agency_id == invitation.agency_id
    )
    [practitioner] = practitioners_create(
        practitioners=[
            Practitioner(
                user=user,
                agency=invitation.agency,
                job_title=job_title,
                is_agency_manager=invitation.role == Role.AGENCY_MANAGER,
                is_council_admin=invitation.role == Role.COUNCIL_ADMIN,
                verified_at=timezone.now() if vouched else None,
            )
        ]
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action=AuditAction.INVITATION_ACCEPTED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        object_type="practitioner",
        object_id=practitioner.pk,
        reason=reason,
    )
    return user
