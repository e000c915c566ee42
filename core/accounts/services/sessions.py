"""Sessions people can see and end: their own, everywhere else, or all of someone's on deactivation."""

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.accounts.models import User, UserSession
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record


def session_register(*, session_key: str, user: User, origin: Origin) -> UserSession:
    """The row that lets a person see, and end, this session from another one."""
    record, _ = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip_address": origin.ip_address,
            "user_agent": origin.user_agent,
            "last_seen_at": timezone.now(),
        },
    )
    return record


def session_touch(*, session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key).update(last_seen_at=timezone.now())


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def sessions_delete(keys: list[str]) -> None:
    """End these sessions in the session store, whichever it is (settings.SESSION_ENGINE)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


@transaction.atomic
def sessions_end_others(*, user: User, session_key: str | None, origin: Origin) -> int:
    """Sign ``user`` out everywhere except the session ``session_key``. Returns how many sessions ended."""
    others = UserSession.objects.filter(user=user).exclude(session_key=session_key)
    keys = list(others.values_list("session_key", flat=True))
    sessions_delete(keys)
    others.delete()
    audit_record(
        action=AuditAction.SESSIONS_ENDED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        reason=f"{len(keys)} ended",
    )
    return len(keys)


class SessionIsCurrent(Exception):
    """The session asked to end is the one making the request: that is signing out, not ending another."""


@transaction.atomic
def session_end(*, user: User, session_id: int, current_session_key: str | None, origin: Origin) -> UserSession:
    """End one of ``user``'s other sessions, chosen by its row's id: that browser is signed out at once.

    Anyone else's session, or none: 404 and nothing ends. The session making the request: SessionIsCurrent
    (it ends by signing out). Returns the ended session's row, as it was, so the person can be told which."""
    record = UserSession.objects.select_for_update().filter(pk=session_id, user=user).first()
    if record is None:
        raise Http404("No such session.")
    if record.session_key == current_session_key:
        raise SessionIsCurrent
    sessions_delete([record.session_key])
    UserSession.objects.filter(pk=record.pk).delete()
    audit_record(
        action=AuditAction.SESSIONS_ENDED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        object_type="session",
        object_id=session_id,
        reason="1 ended: one chosen",
    )
    return record


@transaction.atomic
def user_sessions_end_all(*, user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    sessions_delete(keys)
    UserSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def user_deactivate(*, user: User, actor_id: object, origin: Origin, reason: str) -> None:
    """Take an account out of use: it cannot sign in, and every session it has ends at once."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    ended = user_sessions_end_all(user=user)
    audit_record(
        action=AuditAction.ACCOUNT_DEACTIVATED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor_id,
        object_type="user",
        object_id=user.pk,
        reason=f"{reason} ({ended} sessions ended)",
    )


@transaction.atomic
def user_reactivate(*, user: User, actor_id: object, origin: Origin, reason: str) -> bool:
    """Let a deactivated account sign in again. Nothing else comes back: the sessions it had stay ended, so the
    person signs in afresh, with both factors. Returns False (and records nothing) if it was already active."""
    if not User.objects.filter(pk=user.pk, is_active=False).update(is_active=True):
        return False
    audit_record(
        action=AuditAction.ACCOUNT_REACTIVATED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor_id,
        object_type="user",
        object_id=user.pk,
        reason=reason,
    )
    return True
