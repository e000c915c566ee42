"""What happens when a password changes: the trail, the person told, every other session ended.
And the reset link, sent through the outbox like every other email."""

from django.db import transaction
from django.utils import timezone

from core.accounts.models import User
from core.accounts.services.sessions import user_sessions_end_all
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.notifications.services.outbox import notification_queue

CHANGED_SUBJECT = "Your Patchwork password was changed"
CHANGED_BODY = (
    "The password for your Patchwork account at {site} was changed on {when}.\n\n"
    "If you did this, there is nothing more to do. If you did not, contact your Patchwork administrator now.\n"
)


@transaction.atomic
def password_changed(*, user: User, origin: Origin) -> None:
    ended = user_sessions_end_all(user=user)
    audit_record(
        action=AuditAction.PASSWORD_CHANGED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        reason=f"{ended} sessions ended",
    )
    site = origin.host
    when = timezone.localtime().strftime("%d %B %Y at %H:%M")
    notification_queue(to=[user.email], subject=CHANGED_SUBJECT, body=CHANGED_BODY.format(site=site, when=when))


@transaction.atomic
def password_reset_link_queue(*, to: str, subject: str, body: str) -> None:
    """Queue the email carrying a reset link (Django's token: single-use, short-lived). It is retried if
    the provider fails, and the outbox keeps no copy of the link once it is delivered or given up on."""
    notification_queue(to=[to], subject=subject, body=body, holds_secret=True)
