"""The council's information governance in the demo: its first rulebook, the privacy officer and the break-glass
roles, clients' consent where a service is shown only with consent, and a past break-glass access and a few alerts
for the privacy officer to look at, each backed by the audit events behind it.

Runs after the demo's people and teams exist, and again on every run of the demo: each part is written only where
it is missing (a rulebook the administrator has since changed, or a role taken away on its page, is kept as it is),
so a demo made before these rules existed is topped up. Everything here is fabricated.
"""

import datetime
import random
import zoneinfo
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.text import slugify

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import NO_ORIGIN
from core.audit.services.events import audit_record
from core.clients.models import BreakGlassAccess, Client, Consent, FamilyMember, Involvement
from core.council.services.privacy_officers import privacy_officer_set
from core.directory.models import Agency, Practitioner
from core.governance.models import Alert, AlertKind, RulebookVersion
from core.governance.rules import BreakGlassRole, Rules, SensitiveMode, SensitiveService
from core.governance.selectors import rules_current
from core.governance.services.alerts import alert_raise
from core.governance.services.rulebook import rulebook_revise
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.requests import subject_access_record
from demo.places import Governance, Place
from demo.staff import demo_email
from tenants.jurisdictions import defaults_for

SEARCH_PATH = "/clients/search/"
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
CONSENT_EVIDENCE = (
    "Signed consent form at the intake appointment, scanned to the client's file",
    "Verbal consent at a care team meeting, confirmed in writing by email",
    "Signed consent form, copy given to the client",
)
CONSENTS_CURRENT = 6  # clients whose consent covers the service shown with consent


def role_key(name: str) -> str:
    """The rulebook's key for a break-glass role: its name, slugified (what Practitioner.break_glass_role holds)."""
    return slugify(name)


def council_governance_populate(*, place: Place, today: datetime.date) -> None:
    """Top up the current council's governance demo for ``place``; nothing when the demo's people are not there."""
    governance = place.governance
    if governance is None:
        return
    people = {
        person.key: practitioner
        for person in place.people
        if (practitioner := Practitioner.objects.filter(user__email=demo_email(person, place)).first())
    }
    administrator = people.get(next(person.key for person in place.people if person.is_council_admin))
    if administrator is None or not administrator.is_council_admin:
        return  # a council with its own data, not the demo's
    rules = _rulebook(place, governance, administrator)
    _roles(governance, rules, people, administrator)
    demo = _Demo(
        place=place,
        rules=rules,
        people=people,
        administrator=administrator,
        today=today,
        zone=zoneinfo.ZoneInfo(defaults_for(place.jurisdiction).time_zone),
        rng=random.Random(f"{place.key}:governance"),  # noqa: S311 - demo data, not security
    )
    if governance.sensitive_mode == SensitiveMode.WITH_CONSENT:
        demo.consents()
    if governance.alerts:
        demo.break_glass_history()
        demo.alerts()
        _subject_access_request(people.get(governance.privacy_officer), today)


def _subject_access_request(officer: Practitioner | None, today: datetime.date) -> None:
    """One subject access request the privacy officer recorded three weeks ago, not yet exported: it shows on
    their list with its deadline close (core/subject_access)."""
    if officer is None or SubjectAccessRequest.objects.exists():
        return
    officer.refresh_from_db(fields=["is_privacy_officer"])  # appointed a moment ago, maybe
    if not officer.is_privacy_officer:
        return
    client = Client.objects.filter(involvements__isnull=False).order_by("surname", "first_name", "id").first()
    if client is None:
        return
    subject_access_record(
        actor=officer, client=client, received_on=today - datetime.timedelta(days=21), origin=NO_ORIGIN, today=today
    )


def _rulebook(place: Place, governance: Governance, administrator: Practitioner) -> Rules:
    """The council's first version, made by its administrator; a council that has one keeps it."""
    if RulebookVersion.objects.exists():
        return rules_current()
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    by_key = {spec.key: agencies[spec.name] for spec in place.agencies if spec.name in agencies}
    seen_in_full_by = frozenset(str(by_key[key].pk) for key in governance.seen_in_full_by if key in by_key)
    services = {
        str(by_key[spec.key].pk): SensitiveService(mode=governance.sensitive_mode, seen_in_full_by=seen_in_full_by)
        for spec in place.agencies
        if spec.is_sensitive and spec.key in by_key
    }
    rules = Rules().with_changes(
        sensitive_services=services,
        family_teams=governance.family_teams,
        break_glass_roles=tuple(BreakGlassRole(key=role_key(name), name=name) for name in governance.break_glass_roles),
    )
    rulebook_revise(actor=administrator, rules=rules, reason=governance.reason, origin=NO_ORIGIN)
    return rules_current()


def _roles(governance: Governance, rules: Rules, people: dict[str, Practitioner], administrator: Practitioner) -> None:
    officer = people.get(governance.privacy_officer)
    if officer is not None and not officer.is_privacy_officer:
        privacy_officer_set(actor=administrator, practitioner=officer, appointed=True, origin=NO_ORIGIN)
    holder = people.get(governance.break_glass_holder)
    if holder is not None and governance.break_glass_roles:
        _break_glass_role_give(holder, role_key(governance.break_glass_roles[0]), rules, administrator)


def _break_glass_role_give(practitioner: Practitioner, key: str, rules: Rules, administrator: Practitioner) -> None:
    """Give ``practitioner`` the role ``key`` if they hold none and the rules in force have it."""
    if practitioner.break_glass_role or rules.break_glass_role(key) is None:
        return
    practitioner.break_glass_role = key
    practitioner.save(update_fields=["break_glass_role"])
    audit_record(
        action=AuditAction.BREAK_GLASS_ROLE_CHANGED,
        outcome=AuditOutcome.SUCCESS,
        actor_id=administrator.user_id,
        object_type="practitioner",
        object_id=practitioner.pk,
        changes={"break_glass_role": {"old": "", "new": key}},
    )


@dataclass
class _Search:
    at: datetime.datetime
    hits: list[Client]
    kind: str = "surname+dob"


@dataclass
class _Demo:
    place: Place
    rules: Rules
    people: dict[str, Practitioner]
    administrator: Practitioner
    today: datetime.date
    zone: zoneinfo.ZoneInfo
    rng: random.Random

    # Time ------------------------------------------------------------------------------------------------------

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
        """A moment ``days_ago`` days before the demo's day, at the council's local time."""
        day = self.today - datetime.timedelta(days=days_ago)
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.zone)

    def day(self, days_ago: int) -> tuple[datetime.datetime, datetime.datetime]:
        """That whole day, midnight to midnight in the council's time: the period of a daily alert."""
        start = self.at(days_ago, 0)
        return start, self.at(days_ago - 1, 0)

    # Consent ---------------------------------------------------------------------------------------------------

    def consents(self) -> None:
        """Clients whose consent covers the services shown with consent, and one who withdrew it."""
        if Consent.objects.exists():
            return
        services = [
            agency
            for agency in Agency.objects.filter(is_sensitive=True).order_by("name")
            if self.rules.sensitive_service(agency.pk).mode == SensitiveMode.WITH_CONSENT
        ]
        if not services:
            return
        current = (
            Involvement.objects.filter(ended_on__isnull=True, practitioner__agency__in=services)
            .select_related("client", "practitioner__agency")
            .order_by("client__surname", "client__first_name", "client__date_of_birth", "started_on")
        )
        involvements: dict[object, Involvement] = {}
        for involvement in current:
            involvements.setdefault(involvement.client_id, involvement)
        # Clients the demo's social worker works with first: signed in as them, consent makes the difference.
        social_worker = self.people.get("social-worker")
        shared = set(
            Involvement.objects.filter(
                ended_on__isnull=True, practitioner=social_worker, client_id__in=involvements
            ).values_list("client_id", flat=True)
        )
        candidates = [
            (involvement, who) for involvement in involvements.values() if (who := self._consenter(involvement))
        ]
        with_them = [pair for pair in candidates if pair[0].client_id in shared]
        others = [pair for pair in candidates if pair[0].client_id not in shared]
        # One of theirs consented, one withdrew, the rest did not; then other clients, so outsiders see some.
        given = with_them[:1] + others[: CONSENTS_CURRENT - len(with_them[:1])]
        rest = with_them[1:] + others[len(given) - len(with_them[:1]) :]
        withdrawn = next(
            (pair for pair in rest if pair[0].started_on <= self.today - datetime.timedelta(days=30)), None
        )
        for number, (involvement, who) in enumerate(given):
            self._consent(involvement, who, only_this_service=number % 2 == 1)
        if withdrawn is not None:
            consent = self._consent(*withdrawn, only_this_service=False, days_before=21)
            self._withdraw(consent, withdrawn[0])

    def _consenter(self, involvement: Involvement) -> tuple[str, str] | None:
        """Who can consent for the client: the client from 16, otherwise a parent or carer in the household."""
        client = involvement.client
        born = client.date_of_birth
        age = self.today.year - born.year - ((self.today.month, self.today.day) < (born.month, born.day))
        if age >= 16:
            return f"{client.first_name} {client.surname}", Consent.Relationship.CLIENT
        households = FamilyMember.objects.filter(client=client).values("family")
        adults = FamilyMember.objects.filter(
            family__in=households,
            relationship__in=(FamilyMember.Relationship.PARENT, FamilyMember.Relationship.CARER),
        ).select_related("client")
        adult = min(
            adults,
            key=lambda member: (member.relationship != FamilyMember.Relationship.PARENT, member.client.first_name),
            default=None,
        )
        if adult is None:
            return None
        relationship = (
            Consent.Relationship.PARENT
            if adult.relationship == FamilyMember.Relationship.PARENT
            else Consent.Relationship.CARER
        )
        return f"{adult.client.first_name} {adult.client.surname}", relationship

    def _consent(
        self, involvement: Involvement, who: tuple[str, str], *, only_this_service: bool, days_before: int = 0
    ) -> Consent:
        """Consent recorded by the service's own worker on the team, some time after they joined it."""
        started = involvement.started_on
        span = max(0, (self.today - started).days - 7 - days_before)
        given_on = started + datetime.timedelta(days=min(span, self.rng.randint(0, 21)))
        given_by, relationship = who
        consent = Consent.objects.create(
            client=involvement.client,
            given_by=given_by,
            relationship=relationship,
            given_on=given_on,
            covers_all_services=not only_this_service,
            evidence=self.rng.choice(CONSENT_EVIDENCE),
            recorded_by=involvement.practitioner,
            recorded_at=datetime.datetime.combine(given_on, datetime.time(15, 10), tzinfo=self.zone),
        )
        if only_this_service:
            consent.services.add(involvement.practitioner.agency)
        self._events(
            [
                AuditEvent(
                    occurred_at=consent.recorded_at,
                    actor_id=involvement.practitioner.user_id,
                    action=AuditAction.CONSENT_RECORDED,
                    object_type="client",
                    object_id=str(involvement.client_id),
                    reason=f"given by {consent.get_relationship_display().lower()}",
                )
            ]
        )
        return consent

    def _withdraw(self, consent: Consent, involvement: Involvement) -> None:
        withdrawn_at = self.at(9, 11, 5)
        consent.withdrawn_on = withdrawn_at.date()
        consent.withdrawn_by = involvement.practitioner
        consent.withdrawal_note = (
            "Asked at an appointment that other services are no longer told about the alcohol and drug support."
        )
        consent.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_note"])
        Client.objects.filter(pk=consent.client_id).update(withheld_from_search_since=withdrawn_at)
        self._events(
            [
                AuditEvent(
                    occurred_at=withdrawn_at,
                    actor_id=involvement.practitioner.user_id,
                    action=AuditAction.CONSENT_WITHDRAWN,
                    object_type="client",
                    object_id=str(consent.client_id),
                    reason="consent withdrawn; the client no longer appears in others' searches",
                )
            ]
        )

    # Break-glass -----------------------------------------------------------------------------------------------

    def break_glass_history(self) -> None:
        """A night-time break-glass access by the out-of-hours duty team, expired and waiting for review."""
        if BreakGlassAccess.objects.exists() or len(self.rules.break_glass_roles) < 2:
            return
        role = self.rules.break_glass_roles[1]
        duty = self._colleagues("social-care").first()
        if duty is None:
            return
        _break_glass_role_give(duty, role.key, self.rules, self.administrator)
        adulthood = self.today.replace(year=self.today.year - 18)
        children = (
            Client.objects.filter(date_of_birth__gt=adulthood)
            .annotate(team=Count("involvements", filter=Q(involvements__ended_on__isnull=True)))
            .filter(team__gte=3)
            .exclude(involvements__practitioner=duty)
            .order_by("surname", "first_name", "date_of_birth")
        )
        client = self.rng.choice(list(children[:40]) or [None])
        if client is None:
            return
        opened_at = self.at(3, 23, 20)
        access = BreakGlassAccess.objects.create(
            client=client,
            practitioner=duty,
            role=role.name,
            reason=self.rules.break_glass_reasons[0],
            explanation=(
                "Police called the duty line at 23:10: the child was found alone at home and the parent is in custody. "
                "Opened the team to see who knows the family and the school before arranging an emergency placement."
            ),
            opened_at=opened_at,
            expires_at=opened_at + datetime.timedelta(minutes=self.rules.break_glass_minutes),
        )
        family = list(
            FamilyMember.objects.filter(family__members__client=client)
            .exclude(client=client)
            .values_list("client_id", flat=True)
        )
        events = self._events(
            [
                AuditEvent(
                    occurred_at=opened_at,
                    actor_id=duty.user_id,
                    action=AuditAction.BREAK_GLASS_OPENED,
                    object_type="client",
                    object_id=str(client.pk),
                    reason=f"{role.name}: {access.reason}",
                    path=f"/clients/{client.pk}/break-glass/",
                ),
                AuditEvent(
                    occurred_at=opened_at + datetime.timedelta(minutes=1),
                    actor_id=duty.user_id,
                    action=AuditAction.CLIENT_VIEWED,
                    object_type="client",
                    object_id=str(client.pk),
                    related_ids=[str(member) for member in family],
                    path=f"/clients/{client.pk}/",
                ),
            ]
        )
        alert, _ = alert_raise(
            kind=AlertKind.BREAK_GLASS,
            practitioner=duty,
            period_start=access.opened_at,
            period_end=access.expires_at,
            summary=f"A team opened by break-glass ({role.name}): {access.reason}",
            evidence={
                "count": 1,
                "audit_event_ids": [event.pk for event in events],
                "client_ids": [str(client.pk)],
                "break_glass_id": str(access.pk),  # as the break-glass service writes it: the alert links to its review
                "reason": access.reason,
            },
        )
        Alert.objects.filter(pk=alert.pk).update(raised_at=opened_at)

    # Alerts ----------------------------------------------------------------------------------------------------

    def alerts(self) -> None:
        """A burst of searches, searches out of hours, a search for one's own surname, and one alert closed."""
        if Alert.objects.exclude(kind=AlertKind.BREAK_GLASS).exists():
            return
        clients = list(Client.objects.order_by("surname", "first_name", "date_of_birth"))
        if not clients:
            return
        watched = [
            practitioner
            for practitioner in self._colleagues()
            if not practitioner.break_glass_role and not practitioner.is_privacy_officer
        ]
        own_surname = self._own_surname_searcher(watched)
        others = [practitioner for practitioner in watched if practitioner != own_surname]
        if len(others) < 3:
            return
        burst, late, browsing = self.rng.sample(others, 3)

        start = self.at(1, 14, 2)
        searches = [_Search(start + datetime.timedelta(seconds=22 * n), self._hits(clients)) for n in range(24)]
        self._alert(
            AlertKind.BURST,
            burst,
            searches,
            period=(start, start + datetime.timedelta(minutes=10)),
            summary=f"{len(searches)} searches within ten minutes",
        )

        times = ((22, 14), (22, 31), (22, 58), (23, 26), (23, 41))
        searches = [_Search(self.at(2, hour, minute), self._hits(clients)) for hour, minute in times]
        working_day = f"{self.rules.alerts.working_day_starts:%H:%M}–{self.rules.alerts.working_day_ends:%H:%M}"
        self._alert(
            AlertKind.OUT_OF_HOURS,
            late,
            searches,
            period=self.day(2),
            summary=f"{len(searches)} searches outside the working day ({working_day})",
        )

        if own_surname is not None:
            surname = own_surname.user.last_name
            hits = [client for client in clients if client.surname == surname][:3]
            self._alert(
                AlertKind.OWN_SURNAME,
                own_surname,
                [_Search(self.at(4, 10, 37), hits, kind="name+postcode")],
                period=self.day(4),
                summary="A search for the practitioner's own surname",
            )

        minutes = sorted(self.rng.sample(range(9 * 60 + 10, 16 * 60 + 40), 17))
        searches = [_Search(self.at(8, minute // 60, minute % 60), self._hits(clients)) for minute in minutes]
        closed = self._alert(
            AlertKind.SEARCHES_WITHOUT_INVOLVEMENT,
            browsing,
            searches,
            period=self.day(8),
            summary=f"{len(searches)} searches in a day, none of which led to joining a team",
        )
        self._close(closed)

    def _alert(
        self,
        kind: AlertKind,
        practitioner: Practitioner,
        searches: list[_Search],
        *,
        period: tuple[datetime.datetime, datetime.datetime],
        summary: str,
    ) -> Alert:
        events = self._events(
            [
                AuditEvent(
                    occurred_at=search.at,
                    actor_id=practitioner.user_id,
                    action=AuditAction.CLIENT_SEARCH,
                    object_type="client",
                    related_ids=[str(client.pk) for client in search.hits],
                    reason=f"by {search.kind}; {len(search.hits)} results",
                    path=SEARCH_PATH,
                )
                for search in searches
            ]
        )
        client_ids = list(dict.fromkeys(str(client.pk) for search in searches for client in search.hits))
        alert, _ = alert_raise(
            kind=kind,
            practitioner=practitioner,
            period_start=period[0],
            period_end=period[1],
            summary=summary,
            evidence={
                "count": len(searches),
                "audit_event_ids": [event.pk for event in events],
                "client_ids": client_ids,
            },
        )
        raised_at = (
            period[1] + datetime.timedelta(hours=2)
            if period[1] - period[0] >= datetime.timedelta(days=1)
            else period[1]
        )
        Alert.objects.filter(pk=alert.pk).update(raised_at=raised_at)
        alert.raised_at = raised_at
        return alert

    def _close(self, alert: Alert) -> None:
        officer = Practitioner.objects.filter(is_privacy_officer=True).order_by("user__email").first()
        if officer is None:
            return
        assigned_at = alert.raised_at + datetime.timedelta(hours=7)
        closed_at = assigned_at + datetime.timedelta(days=1, hours=2)
        Alert.objects.filter(pk=alert.pk).update(
            state=Alert.State.CLOSED,
            assigned_to=officer,
            outcome=Alert.Outcome.ADVICE_GIVEN,
            outcome_note=(
                "Spoke to the practitioner and their manager: the searches were to see whether families named at a "
                "community meeting were known to services. Advised that searches are only for clients they work with."
            ),
            closed_by=officer,
            closed_at=closed_at,
        )
        self._events(
            [
                AuditEvent(
                    occurred_at=at,
                    actor_id=officer.user_id,
                    action=action,
                    object_type="alert",
                    object_id=str(alert.pk),
                    reason=reason,
                    path=f"/privacy/alerts/{alert.pk}/",
                )
                for at, action, reason in (
                    (assigned_at, AuditAction.ALERT_ASSIGNED, "assigned to themselves"),
                    (closed_at, AuditAction.ALERT_CLOSED, str(Alert.Outcome.ADVICE_GIVEN.label)),
                )
            ]
        )

    # Helpers ---------------------------------------------------------------------------------------------------

    def _colleagues(self, agency_key: str = "") -> QuerySet[Practitioner]:
        """Practitioners who are not the demo's named people nor managers, of ``agency_key`` or any open agency."""
        named = [practitioner.pk for practitioner in self.people.values()]
        chosen = Practitioner.objects.exclude(pk__in=named).filter(is_agency_manager=False, is_council_admin=False)
        if agency_key:
            spec = next(spec for spec in self.place.agencies if spec.key == agency_key)
            chosen = chosen.filter(agency__name=spec.name)
        else:
            chosen = chosen.filter(agency__is_sensitive=False)
        return chosen.select_related("user").order_by("user__email")

    def _own_surname_searcher(self, practitioners: list[Practitioner]) -> Practitioner | None:
        """The practitioner whose surname most clients share (a search for it is for their own family, perhaps)."""
        surnames = dict(
            Client.objects.values("surname").annotate(clients=Count("pk")).values_list("surname", "clients")
        )
        best = max(practitioners, key=lambda practitioner: surnames.get(practitioner.user.last_name, 0), default=None)
        return best if best is not None and surnames.get(best.user.last_name) else None

    def _hits(self, clients: list[Client]) -> list[Client]:
        return self.rng.sample(clients, k=self.rng.choice((0, 1, 1, 1, 2, 3)))

    def _events(self, events: list[AuditEvent]) -> list[AuditEvent]:
        """Audit events as they were written at the time (``occurred_at`` set, from a practitioner's browser)."""
        for event in events:
            event.council = connection.schema_name
            event.outcome = AuditOutcome.SUCCESS
            event.ip_address = f"192.0.2.{10 + event.actor_id.int % 200}"  # TEST-NET-1: documentation only
            event.user_agent = USER_AGENT
        return AuditEvent.objects.bulk_create(events)
