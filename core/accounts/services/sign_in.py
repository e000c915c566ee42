"""Signing in: a password, then a second factor. Both steps count towards the same lockout.

Five consecutive failures, at either step, lock the account for 15 minutes (SECURITY.md AUTH-4);
while locked, even the right password and code are refused, and further failures are recorded but
do not extend the lockout. Unknown accounts and wrong passwords
get the same answer, so the page never reveals whether an account exists.

This is the database's side of signing in (checking, counting, locking, recording); what the
browser's session holds between the steps is ``core.accounts.sign_in_session``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import django_otp
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django_otp.models import Device

from core.accounts.models import User
from core.accounts.services.sessions import session_register
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record

MAX_FAILURES = 5
LOCKOUT = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class PasswordStep:
    user: User | None  # set only when the password was right and the account may continue

    @property
    def accepted(self) -> bool:
        return self.user is not None


# Checks that apps above this one add (in their AppConfig.ready), each saying why an account whose password
# and code are right may still not sign in — the directory's: its agency is suspended. Accounts sits below
# the directory and cannot ask about agencies itself (ADR 0009).
SignInRefusal = Callable[[User], "str | None"]
_refusals: list[SignInRefusal] = []


def sign_in_refusal_add(refusal: SignInRefusal) -> None:
    if refusal not in _refusals:
        _refusals.append(refusal)


def sign_in_refusal(user: User) -> str | None:
    """Why ``user`` may not sign in even with the right password and code (an agency suspended), if so."""
    return next((reason for refusal in _refusals if (reason := refusal(user))), None)


def sign_in_set_up_refused(*, user: User, origin: Origin) -> bool:
    """At a first sign-in's second-factor set-up: refuse (and record it) if the account may no longer sign in."""
    reason = sign_in_refusal(user)
    if reason:
        audit_record(
            action=AuditAction.SECOND_FACTOR_FAILED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=user.pk,
            reason=reason,
        )
    return bool(reason)


def is_locked(user: User, *, now: datetime.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or timezone.now())


def sign_in_password_check(*, email: str, password: str, origin: Origin) -> PasswordStep:
    """Check the password. Accepted only for an active account that is not locked."""
    user = auth.authenticate(None, username=email.strip().lower(), password=password)
    if user is None:
        known = get_user_model().objects.filter(email=email.strip().lower(), is_active=True).first()
        if known is not None and is_locked(known):
            # Not counted: guesses while locked must not push the lockout further out, or anyone could
            # keep a colleague locked out for good with a wrong password every few minutes.
            audit_record(
                action=AuditAction.SIGN_IN_FAILED,
                outcome=AuditOutcome.DENIED,
                origin=origin,
                actor_id=known.pk,
                reason="account locked",
            )
        elif known is not None:
            sign_in_failure_record(
                user=known, action=AuditAction.SIGN_IN_FAILED, reason="wrong password", origin=origin
            )
        else:
            audit_record(
                action=AuditAction.SIGN_IN_FAILED,
                outcome=AuditOutcome.FAILURE,
                origin=origin,
                reason="unknown account",
            )
        return PasswordStep(user=None)
    if is_locked(user):
        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=user.pk,
            reason="account locked",
        )
        return PasswordStep(user=None)
    if refused := sign_in_refusal(user):  # the same answer as a wrong password, and not counted towards a lockout
        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=user.pk,
            reason=refused,
        )
        return PasswordStep(user=None)
    return PasswordStep(user=user)


def sign_in_code_check(*, user: User, token: str, origin: Origin) -> Device | None:
    """Check a code from an authenticator app or a backup code: the device it matched, or None."""
    if is_locked(user):
        audit_record(
            action=AuditAction.SECOND_FACTOR_FAILED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=user.pk,
            reason="account locked",
        )
        return None
    if refused := sign_in_refusal(user):  # refused between the two steps (an agency suspended meanwhile)
        audit_record(
            action=AuditAction.SECOND_FACTOR_FAILED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=user.pk,
            reason=refused,
        )
        return None
    device = django_otp.match_token(user, token.replace(" ", "").strip()) if token else None
    if device is None:
        sign_in_failure_record(user=user, action=AuditAction.SECOND_FACTOR_FAILED, reason="wrong code", origin=origin)
        return None
    return device


@transaction.atomic
def sign_in_recorded(*, user: User, device: Device, session_key: str, origin: Origin) -> None:
    """Both factors passed and the session is signed in: the count starts again, the session is listed."""
    get_user_model().objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
    session_register(session_key=session_key, user=user, origin=origin)
    audit_record(
        action=AuditAction.SIGN_IN,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        object_type="device",
        object_id=device.persistent_id,
    )


@transaction.atomic
def account_unlock(*, user: User, actor_id: object, origin: Origin) -> None:
    """An administrator lifts a lockout before its cool-off ends."""
    get_user_model().objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
    audit_record(
        action=AuditAction.UNLOCKED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor_id,
        object_type="user",
        object_id=user.pk,
    )


def sign_in_failure_record(*, user: User, action: str, reason: str, origin: Origin) -> int:
    """Count a failed attempt, lock the account at the fifth in a row, and record both in the trail.

    The count is committed on its own, before anything else is written: no later error in the
    request (an audit row the database refuses, a template that fails) can roll it back, or every
    attempt that ends in an error would be a free guess. Returns the consecutive failures so far.
    """
    failures, locked_now = _failure_count(user_id=user.pk)
    with transaction.atomic():
        audit_record(action=action, outcome=AuditOutcome.FAILURE, origin=origin, actor_id=user.pk, reason=reason)
        if locked_now:
            audit_record(
                action=AuditAction.LOCKED_OUT,
                outcome=AuditOutcome.DENIED,
                origin=origin,
                actor_id=user.pk,
                reason=f"{failures} consecutive failures",
            )
    return failures


def _failure_count(*, user_id: object) -> tuple[int, bool]:
    """One more consecutive failure, and the lockout when it is the fifth or later: a single UPDATE.

    Counting and deciding in one statement leaves no window between reading the count and writing it
    (two wrong passwords at once both count: the second waits for the first's row lock). A lockout
    whose cool-off has passed starts the count again. ``durable``: this is its own transaction,
    committed here, never part of a caller's, so no later error in the request can roll it back.
    """
    now = timezone.now()
    until = now + LOCKOUT
    cool_off_over = Q(locked_until__lte=now)
    counted = Case(When(cool_off_over, then=Value(1)), default=F("failed_sign_ins") + 1)
    with transaction.atomic(durable=True):
        updated = (
            get_user_model()
            .objects.filter(pk=user_id)
            .update(
                failed_sign_ins=counted,
                locked_until=Case(
                    When(GreaterThanOrEqual(counted, MAX_FAILURES), then=Value(until)),
                    When(cool_off_over, then=Value(None)),
                    default=F("locked_until"),
                ),
            )
        )
        row = get_user_model().objects.filter(pk=user_id).values_list("failed_sign_ins", "locked_until").first()
    if not updated or row is None:  # the account went away meanwhile
        return 0, False
    failures, locked_until = row
    return failures, locked_until == until
