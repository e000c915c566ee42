"""A client's consent to share the involvement of services the council shows only with consent.

Recording consent and recording its withdrawal (services), and what the client's consent covers, who gave it
and when (selectors). A client with no current consent after a withdrawal is withheld from search: only their
current team finds them. Nothing here names the client in an email or the audit trail.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Client, Consent, Involvement
from core.directory.models import Agency, Practitioner
from core.governance.rules import SensitiveMode
from core.governance.selectors import rules_current
from core.governance.visibility import ConsentCover, policy_for
from core.inbox.models import NoticeKind
from core.inbox.services.notices import notices_send

GIVEN_BY_MAX_LENGTH = Consent._meta.get_field("given_by").max_length
EVIDENCE_MAX_LENGTH = Consent._meta.get_field("evidence").max_length
NOTE_MAX_LENGTH = Consent._meta.get_field("withdrawal_note").max_length


@dataclass(frozen=True)
class ConsentValues:
    """What a practitioner records of a consent. ``services``: agency ids, used when it does not cover all."""

    given_by: str
    relationship: str
    given_on: datetime.date | None
    evidence: str
    covers_all_services: bool = True
    services: tuple[object, ...] = ()


# Reads --------------------------------------------------------------------------------------------------


def consent_services_available() -> list[Agency]:
    """The sensitive services the rules in force show only with consent: those a consent can name."""
    rules = rules_current()
    ids = [agency_id for agency_id, rule in rules.sensitive_services.items() if rule.mode is SensitiveMode.WITH_CONSENT]
    if not ids:
        return []
    return list(Agency.objects.filter(pk__in=ids, is_sensitive=True).order_by("name", "pk"))


def consent_current_prefetch() -> Prefetch:
    """For a list of clients: their current consents with the services named, as ``current_consents`` (which
    ``consent_cover`` then reads without a query of its own)."""
    return Prefetch(
        "consents",
        queryset=Consent.objects.filter(withdrawn_on__isnull=True).prefetch_related(
            Prefetch("services", queryset=Agency.objects.only("pk"))
        ),
        to_attr="current_consents",
    )


def consent_cover_of(consents: Iterable[Consent]) -> ConsentCover:
    """What these consents (already loaded, with their services) cover while they are current."""
    current = [consent for consent in consents if consent.is_current]
    return ConsentCover(
        all_services=any(consent.covers_all_services for consent in current),
        agency_ids=frozenset(
            str(agency.pk)
            for consent in current
            if not consent.covers_all_services
            for agency in consent.services.all()
        ),
    )


def consent_cover(client: Client) -> ConsentCover:
    """What the client's current consent covers, for the visibility policy. One query, or none when the client
    came with ``consent_current_prefetch``."""
    prefetched = getattr(client, "current_consents", None)
    if prefetched is not None:
        return consent_cover_of(prefetched)
    rows = Consent.objects.filter(client_id=client.pk, withdrawn_on__isnull=True).values_list(
        "covers_all_services", "services__id"
    )
    all_services = False
    agency_ids: set[str] = set()
    for covers_all, agency_id in rows:
        all_services = all_services or covers_all
        if not covers_all and agency_id is not None:
            agency_ids.add(str(agency_id))
    return ConsentCover(all_services=all_services, agency_ids=frozenset(agency_ids))


@dataclass(frozen=True)
class ConsentRecord:
    """One consent as a team member reads it. Who recorded or withdrew it is named as the policy lets the
    viewer know (None: the viewer may not learn who)."""

    consent: Consent
    services: list[str]
    recorded_by: str | None
    withdrawn_by: str | None


@dataclass(frozen=True)
class ConsentRecords:
    client: Client
    records: list[ConsentRecord] = field(default_factory=list)

    @property
    def current(self) -> list[ConsentRecord]:
        return [record for record in self.records if record.consent.is_current]

    @property
    def withdrawn(self) -> list[ConsentRecord]:
        return [record for record in self.records if not record.consent.is_current]


def _in_team(viewer: Practitioner, client_id: object) -> bool:
    return Involvement.objects.filter(client_id=client_id, practitioner=viewer, ended_on__isnull=True).exists()


def consents_for_client(*, viewer: Practitioner, client_id: object) -> ConsentRecords | None:
    """The client's consent records, current and withdrawn, for a member of the client's current team; None for
    anyone else, and for a client that does not exist (the caller answers 404 either way)."""
    if not _in_team(viewer, client_id):
        return None
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        return None
    consents = list(
        Consent.objects.filter(client=client)
        .select_related("recorded_by__user", "recorded_by__agency", "withdrawn_by__user", "withdrawn_by__agency")
        .prefetch_related(Prefetch("services", queryset=Agency.objects.order_by("name", "pk")))
        .order_by(F("withdrawn_on").desc(nulls_first=True), "-given_on", "-recorded_at")  # current first
    )
    policy = policy_for(viewer)
    cover = consent_cover_of(consents)
    records = [
        ConsentRecord(
            consent=consent,
            services=[agency.name for agency in consent.services.all()],
            recorded_by=policy.practitioner_named(consent.recorded_by, cover),
            withdrawn_by=policy.practitioner_named(consent.withdrawn_by, cover) if consent.withdrawn_by else None,
        )
        for consent in consents
    ]
    return ConsentRecords(client=client, records=records)


def consent_to_withdraw(*, viewer: Practitioner, client_id: object, consent_id: object) -> Consent | None:
    """One of the client's consents, for a member of the client's current team; None otherwise (404)."""
    if not _in_team(viewer, client_id):
        return None
    return Consent.objects.select_related("client").filter(pk=consent_id, client_id=client_id).first()


@dataclass(frozen=True)
class ConsentSummary:
    """One line on the team page: consent on record since a date, withdrawn on a date, or none recorded."""

    state: Literal["current", "withdrawn", "none"]
    on: datetime.date | None = None
    withheld_from_search: bool = False


def consent_summary_of(
    client: Client, *, since: datetime.date | None, withdrawn: datetime.date | None
) -> ConsentSummary:
    """The summary from the earliest current consent's date and the latest withdrawal's."""
    withheld = client.withheld_from_search_since is not None
    if since is not None:
        return ConsentSummary(state="current", on=since, withheld_from_search=withheld)
    if withdrawn is not None:
        return ConsentSummary(state="withdrawn", on=withdrawn, withheld_from_search=withheld)
    return ConsentSummary(state="none", withheld_from_search=withheld)


def consent_summary(client: Client) -> ConsentSummary:
    """The client's consent in one line (one query). The caller has already checked the viewer is in the team."""
    dates = Consent.objects.filter(client_id=client.pk).aggregate(
        since=Min("given_on", filter=Q(withdrawn_on__isnull=True)), withdrawn=Max("withdrawn_on")
    )
    return consent_summary_of(client, since=dates["since"], withdrawn=dates["withdrawn"])


def consent_summary_annotations(client: str) -> dict[str, Subquery]:
    """``consent_summary``'s two dates as annotations of a row (``client``: the path to the client's id), read
    with it: no query of their own. ``consent_summary_of(row, since=row.consent_since, withdrawn=...)``."""
    consents = Consent.objects.filter(client=OuterRef(client)).order_by().values("client")
    return {
        "consent_since": Subquery(consents.filter(withdrawn_on__isnull=True).annotate(on=Min("given_on")).values("on")),
        "consent_withdrawn": Subquery(consents.annotate(on=Max("withdrawn_on")).values("on")),
    }


# Writes -------------------------------------------------------------------------------------------------


def _require_member(actor: Practitioner, client: Client, doing: str) -> None:
    if not _in_team(actor, client.pk):
        raise PermissionDenied(f"Only members of the team can {doing}.")


def _lock(client: Client) -> Client:
    """The client's row, locked until the transaction ends: consent changes to one client take turns."""
    return Client.objects.select_for_update(no_key=True).get(pk=client.pk)


def _text(value: str, *, name: str, limit: int, missing: str, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if not text:
        errors[name] = missing
    elif len(text) > limit:
        errors[name] = f"Enter no more than {limit} characters"
    return text


def _services_chosen(values: ConsentValues, errors: dict[str, str]) -> list[Agency]:
    """The agencies a consent names: each a sensitive service the rules in force show only with consent."""
    if values.covers_all_services:
        return []
    wanted = {str(agency_id) for agency_id in values.services}
    if not wanted:
        errors["services"] = "Choose the services the consent covers"
        return []
    available = {str(agency.pk): agency for agency in consent_services_available()}
    if not wanted <= set(available):
        errors["services"] = "Choose only services the council shows with consent"
        return []
    return [available[agency_id] for agency_id in sorted(wanted)]


@transaction.atomic
def consent_record(*, actor: Practitioner, client: Client, values: ConsentValues, origin: Origin) -> Consent:
    """Record the client's consent: only a member of the client's current team. A client withheld from search
    (their consent was withdrawn) is found by searches again."""
    client = _lock(client)
    _require_member(actor, client, "record the client's consent")
    errors: dict[str, str] = {}
    given_by = _text(
        values.given_by, name="given_by", limit=GIVEN_BY_MAX_LENGTH, missing="Enter who gave consent", errors=errors
    )
    evidence = _text(
        values.evidence,
        name="evidence",
        limit=EVIDENCE_MAX_LENGTH,
        missing="Say how consent was given and where the evidence is kept",
        errors=errors,
    )
    if values.relationship not in Consent.Relationship.values:
        errors["relationship"] = "Choose their relationship to the client"
    if values.given_on is None:
        errors["given_on"] = "Enter the date consent was given"
    elif values.given_on > timezone.localdate():
        errors["given_on"] = "The date consent was given must be today or in the past"
    services = _services_chosen(values, errors)
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        client=client,
        given_by=given_by,
        relationship=values.relationship,
        given_on=values.given_on,
        covers_all_services=values.covers_all_services,
        evidence=evidence,
        recorded_by=actor,
    )
    consent.services.set(services)
    reason = "covers all services shown with consent" if values.covers_all_services else "covers chosen services"
    if client.withheld_from_search_since is not None:
        client.withheld_from_search_since = None
        client.save(update_fields=["withheld_from_search_since", "updated_at"])
        reason += "; found by searches again"
    audit_record(
        action=AuditAction.CONSENT_RECORDED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="client",
        object_id=client.pk,
        reason=reason,
        related_ids=[consent.pk, *(agency.pk for agency in services)],
    )
    return consent


def _tell_lead(*, client: Client, actor: Practitioner, cover: ConsentCover, withheld: bool, origin: Origin) -> None:
    """Tell the lead professional (unless they withdrew it themselves): a notice, and an email as they prefer,
    after the change commits. No client data: what happened, and a link to the team page. Who recorded it is
    named as the policy lets the lead know."""
    lead = (
        Involvement.objects.filter(client=client, ended_on__isnull=True, is_lead=True)
        .exclude(practitioner=actor)
        .select_related("practitioner__user", "practitioner__agency")
        .first()
    )
    if lead is None:
        return
    actor = Practitioner.objects.select_related("user", "agency").get(pk=actor.pk)
    who = policy_for(lead.practitioner).practitioner_named(actor, cover) or "A member of the team"
    effect = (
        "No consent is on record now: until it is recorded again, only the current team finds this client by searching."
        if withheld
        else "Another consent is still on record for this client."
    )
    notices_send(
        recipients=[lead.practitioner.user],
        kind=NoticeKind.CONSENT,
        text=f"{who} recorded that consent was withdrawn for one of the clients whose lead professional you are. "
        f"{effect}",
        link=reverse("client-team", kwargs={"client_id": client.pk}),
        subject="Consent withdrawn in one of your teams",
        origin=origin,
        client_id=client.pk,
    )


@transaction.atomic
def consent_withdraw(*, actor: Practitioner, consent: Consent, note: str, origin: Origin) -> Consent:
    """Record that the client withdrew a consent: only a member of the client's current team. With no current
    consent left, the client is withheld from search (only the current team finds them). The lead professional
    is told."""
    client = _lock(consent.client)
    _require_member(actor, client, "record that consent was withdrawn")
    consent = Consent.objects.select_for_update().get(pk=consent.pk, client=client)
    if not consent.is_current:
        withdrawn_on = consent.withdrawn_on
        raise ValidationError(f"This consent was already withdrawn on {withdrawn_on.day} {withdrawn_on:%B %Y}.")
    errors: dict[str, str] = {}
    note = _text(
        note, name="note", limit=NOTE_MAX_LENGTH, missing="Say how and when the consent was withdrawn", errors=errors
    )
    if errors:
        raise ValidationError(errors)
    consent.withdrawn_on = timezone.localdate()
    consent.withdrawn_by = actor
    consent.withdrawal_note = note
    consent.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_note"])
    cover = consent_cover(client)
    still_current = Consent.objects.filter(client=client, withdrawn_on__isnull=True).exists()
    reason = "another consent is still current"
    if not still_current:
        reason = "no current consent; withheld from search outside the team"
        if client.withheld_from_search_since is None:
            client.withheld_from_search_since = timezone.now()
            client.save(update_fields=["withheld_from_search_since", "updated_at"])
    audit_record(
        action=AuditAction.CONSENT_WITHDRAWN,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="client",
        object_id=client.pk,
        reason=reason,
        related_ids=[consent.pk],
    )
    _tell_lead(client=client, actor=actor, cover=cover, withheld=not still_current, origin=origin)
    return consent
