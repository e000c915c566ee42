"""The one way practitioner accounts come into being: by invitation, by bulk import, or the demo.

Whatever the route, the same rules hold: a lower-case work email at one of the agency's domains,
an approved agency, one account per email.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from core.directory.models import ApprovalState, Practitioner
from core.directory.services.invitations_rules import email_domain_allowed


@transaction.atomic
def practitioners_create(*, practitioners: list[Practitioner]) -> list[Practitioner]:
    """Save new practitioners and their accounts (each ``practitioner.user`` unsaved, password set).

    All or nothing: any practitioner that breaks a rule refuses the whole batch.
    """
    problems: list[str] = []
    emails: set[str] = set()
    for practitioner in practitioners:
        user, agency = practitioner.user, practitioner.agency
        user.email = user.email.strip().lower()
        if agency.approval_state != ApprovalState.APPROVED:
            problems.append(f"{user.email}: {agency.name} is not approved.")
        if not email_domain_allowed(agency=agency, email=user.email):
            problems.append(f"{user.email}: not an email address of {agency.name}.")
        if user.email in emails:
            problems.append(f"{user.email}: appears twice.")
        emails.add(user.email)
    user_model = get_user_model()
    taken = set(user_model.objects.filter(email__in=emails).values_list("email", flat=True))
    problems += [f"{email}: already has an account." for email in sorted(taken)]
    if problems:
        raise ValidationError(problems)
    user_model.objects.bulk_create([practitioner.user for practitioner in practitioners], batch_size=500)
    for practitioner in practitioners:
        practitioner.user_id = practitioner.user.pk
    # Team invitations sent to a work email before its account existed need nothing here: the clients
    # app matches them to whoever holds that email when they look (core.clients.selectors).
    return Practitioner.objects.bulk_create(practitioners, batch_size=500)
