"""Passkeys (WebAuthn credentials, django-otp devices): adding and removing them, and signing in with one.

A passkey is a second factor like an authenticator app, and — being a key held on the person's own device and
unlocked there — also a sign-in on its own. Either way it passes the same checks as a password and a code:
an active account, not locked, no reason to refuse it (an agency suspended), failures counted towards the
same lockout and every outcome in the audit trail.

A council may require passkeys of its administrators and privacy officers. Who must is a question for the
apps above this one (the directory knows roles, the council its setting); they answer it through
``passkey_requirement_add`` in their ``AppConfig.ready``, as they do for ``sign_in_refusal_add``.
"""

from collections.abc import Callable

from django.db import transaction
from django.http import Http404
from django_otp.models import Device
from django_otp_webauthn.models import WebAuthnCredential

from core.accounts.models import User
from core.accounts.services.sign_in import is_locked, sign_in_failure_record, sign_in_refusal
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record

PasskeyRequirement = Callable[[User], bool]
_requirements: list[PasskeyRequirement] = []


def passkey_requirement_add(requirement: PasskeyRequirement) -> None:
    if requirement not in _requirements:
        _requirements.append(requirement)


def passkey_required(user: User) -> bool:
    """Whether this person must sign in with a passkey (the council requires it of their role)."""
    return any(requirement(user) for requirement in _requirements)


def is_passkey(device: Device) -> bool:
    return isinstance(device, WebAuthnCredential)


def passkeys_of(user: User) -> list[WebAuthnCredential]:
    """The person's passkeys, newest first."""
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("-created_at", "-pk"))


def has_passkey(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def passkey_added(*, user: User, credential: WebAuthnCredential, origin: Origin) -> None:
    """A passkey was registered (the ceremony checked it): name it and record it in the trail."""
    with transaction.atomic():
        if not credential.name:
            credential.name = f"Passkey added {credential.created_at:%-d %B %Y}"
            credential.save(update_fields=["name"])
        audit_record(
            action=AuditAction.PASSKEY_ADDED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=user.pk,
            object_type="passkey",
            object_id=credential.pk,
        )


def passkey_remove(*, user: User, credential_id: int, origin: Origin) -> None:
    """Remove one of the person's own passkeys. Anyone else's, or none: 404, nothing removed."""
    with transaction.atomic():
        credential = WebAuthnCredential.objects.select_for_update().filter(pk=credential_id, user=user).first()
        if credential is None:
            raise Http404("No such passkey.")
        credential.delete()
        audit_record(
            action=AuditAction.PASSKEY_REMOVED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=user.pk,
            object_type="passkey",
            object_id=credential_id,
        )


def passkey_sign_in_refused(*, user: User, second_factor: bool, origin: Origin) -> bool:
    """After a passkey checked out: refuse (and record) an account that may not sign in now. Not counted."""
    if not user.is_active:
        reason = "account inactive"
    elif is_locked(user):
        reason = "account locked"
    else:
        reason = sign_in_refusal(user) or ""
    if reason:
        audit_record(
            action=AuditAction.SECOND_FACTOR_FAILED if second_factor else AuditAction.SIGN_IN_FAILED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=user.pk,
            object_type="passkey",
            reason=reason,
        )
    return bool(reason)


def passkey_failure_record(*, user: User | None, second_factor: bool, reason: str, origin: Origin) -> None:
    """A passkey that did not check out, recorded. Counted towards the lockout only as a second factor, after the
    person's own password in this session: without one, the browser merely *names* a credential, and counting would
    let anyone who learnt a credential's id lock its owner out — while a signature cannot be guessed anyway."""
    action = AuditAction.SECOND_FACTOR_FAILED if second_factor else AuditAction.SIGN_IN_FAILED
    if user is None or not second_factor:
        actor_id = user.pk if user is not None else None
        audit_record(
            action=action, outcome=AuditOutcome.FAILURE, origin=origin, actor_id=actor_id, reason=f"passkey: {reason}"
        )
    elif is_locked(user):
        audit_record(
            action=action, outcome=AuditOutcome.DENIED, origin=origin, actor_id=user.pk, reason="account locked"
        )
    else:
        sign_in_failure_record(user=user, action=action, reason=f"passkey: {reason}", origin=origin)


def code_refused_for_passkey_holder(*, user: User, origin: Origin) -> bool:
    """Someone who must use a passkey and has one may not sign in with an app or backup code (recorded)."""
    if not (passkey_required(user) and has_passkey(user)):
        return False
    audit_record(
        action=AuditAction.SECOND_FACTOR_FAILED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=user.pk,
        reason="the council requires a passkey",
    )
    return True
