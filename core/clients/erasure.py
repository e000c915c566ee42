"""Erasing clients: the record and everything that refers to it, in a fixed number of statements per batch.

Used by the retention job and by an accepted erasure request (core/retention), which check that the erasure is
due and allowed and record it (one RECORDS_ERASED event with counts, never names): this module only erases.

What goes with a client (every foreign key to ``Client``): previous names, family memberships (and a family
left with no member), involvements, team activity, team invitations, consents (and the services they cover),
join requests and break-glass accesses, by the database's cascade as Django declares it; and what practitioners
were told about the client in the app (notices, which keep the client's id rather than a key). A ``PROTECT`` key from
an app above (a legal hold) stops the erasure of the whole batch (``ProtectedError``); a ``SET_NULL`` key (a
subject access or erasure request) keeps its row without the client. The audit trail keeps its events, whose
client ids are opaque UUIDs; the old and new values of a correction are cleared (core/audit/services/erasure.py).
"""

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef

from core.audit.services.erasure import audit_events_redact
from core.clients.models import Client, Family, FamilyMember
from core.inbox.services.notices import notices_erase

# How the counts of an erasure are named (Django's model labels, in plain words).
ERASED_LABELS = {
    "clients.Client": "clients",
    "clients.ClientAlias": "previous names",
    "clients.FamilyMember": "family memberships",
    "clients.Family": "families",
    "clients.Involvement": "involvements",
    "clients.TeamActivity": "team activity",
    "clients.TeamInvitation": "team invitations",
    "clients.Consent": "consents",
    "clients.Consent_services": "services covered by consents",
    "clients.JoinRequest": "join requests",
    "clients.BreakGlassAccess": "break-glass accesses",
    "inbox.Notice": "notices",
}


def clients_erase(*, client_ids: Iterable[object]) -> dict[str, int]:
    """Erase these clients (those still on record) and everything referring to them, and redact the audit trail
    about them. Atomic: all of them or, if one is protected (legal hold), none. Returns the counts per model label
    (``ERASED_LABELS``), plus "audit events redacted"."""
    ids = list(dict.fromkeys(client_ids))
    if not ids:
        return {}
    with transaction.atomic():
        present = list(Client.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        if not present:
            return {}
        families = list(FamilyMember.objects.filter(client_id__in=present).values_list("family_id", flat=True))
        _total, by_model = Client.objects.filter(pk__in=present).delete()
        counts: Counter[str] = Counter({label: count for label, count in by_model.items() if count})
        if families:
            _total, emptied = (
                Family.objects.filter(pk__in=set(families))
                .filter(~Exists(FamilyMember.objects.filter(family=OuterRef("pk"))))
                .delete()
            )
            counts.update({label: count for label, count in emptied.items() if count})
        notices = notices_erase(client_ids=present)  # kept by the client's id, not a key: no cascade reaches them
        if notices:
            counts["inbox.Notice"] = notices
        redacted = audit_events_redact(client_ids=present)
        if redacted:
            counts["audit events redacted"] = redacted
    return dict(counts)
