"""How a person wants to be emailed about what they are told in the app: as each thing happens, or once a day."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.inbox.models import EmailFrequency, NotificationPreference


def email_frequency_of(*, user: User) -> EmailFrequency:
    """The person's choice; without one, as each thing happens."""
    chosen = NotificationPreference.objects.filter(user=user).values_list("email_frequency", flat=True).first()
    return EmailFrequency(chosen) if chosen else EmailFrequency.IMMEDIATE


@transaction.atomic
def notification_preference_set(*, user: User, email_frequency: str, origin: Origin) -> NotificationPreference:
    """Record how the person wants to be emailed; audited when it changes. Notices already waiting for a summary
    still go in the next one. Calendar invitations and account emails are sent at once whatever the choice."""
    if email_frequency not in EmailFrequency.values:
        raise ValidationError({"email_frequency": "Choose how often you want to be emailed"})
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user, defaults={"email_frequency": email_frequency}
    )
    before = EmailFrequency.IMMEDIATE if created else EmailFrequency(preference.email_frequency)
    if before == email_frequency:
        return preference
    preference.email_frequency = email_frequency
    preference.save(update_fields=["email_frequency", "updated_at"])
    audit_record(
        action=AuditAction.NOTIFICATION_SETTINGS_CHANGED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        object_type="user",
        object_id=user.pk,
        changes={"email_frequency": {"old": str(before), "new": email_frequency}},
    )
    return preference
