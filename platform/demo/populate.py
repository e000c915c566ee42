"""Fill the current council schema with a realistic, fabricated demo: agencies, practitioners, clients, teams.

Deterministic for a place and seed (names, dates, teams; row ids are random UUIDs), idempotent (a council that already
has an agency is left alone), and quick: everything is planned in memory, then written with ``bulk_create``.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from faker import Faker

from core.clients.models import Client, ClientAlias, Family, FamilyMember, Involvement, TeamActivity
from core.directory.models import Agency, Practitioner
from core.directory.services.accounts import practitioners_create
from core.governance.models import LegalBasis
from core.governance.rules import SensitiveMode
from core.governance.selectors import rules_current
from demo.billing import council_sign_ins_populate
from demo.governance import council_governance_populate
from demo.households import HouseholdBuilder, Households
from demo.people import NameMaker
from demo.places import DemoPerson, Place, place_for
from demo.retention import council_retention_populate
from demo.staff import Staff, StaffBuilder, build_agencies, demo_email
from demo.teams import TeamPlanner
from demo.teamwork import council_teamwork_populate
from tenants.jurisdictions import Jurisdiction, defaults_for

# The day the demo is made: ages, contacts and "upcoming" dates are planned around it, so a demo made today
# has its next contacts ahead of it. A seed gives the same demo for the same day.
TODAY = datetime.date.today()  # noqa: DTZ011 -- a demo's calendar day; nothing is stored as a time from it
BATCH_SIZE = 500
FAKER_LOCALES = {Jurisdiction.ENGLAND: "en_GB", Jurisdiction.VICTORIA: "en_AU"}

SHOWN_AS = {
    SensitiveMode.HIDDEN: "nothing at all (hidden)",
    SensitiveMode.PLACEHOLDER: "a placeholder with its gateway contact",
    SensitiveMode.WITH_CONSENT: "in full only where the client consented",
}
BIG_TEAMS = 4  # clients with 10–15 practitioners, to exercise big team pages
SENSITIVE_MINIMUM = 12  # current involvements of each sensitive agency


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    description: str


@dataclass(frozen=True)
class DemoSummary:
    created: bool  # False when the council already had data and nothing was written
    agencies: int
    practitioners: int
    clients: int
    families: int
    involvements: int
    accounts: tuple[DemoAccount, ...]


def council_demo_populate(*, place: str, jurisdiction: str, password_hash: str, seed: int = 2026) -> DemoSummary:
    """Populate the current council schema with ``place``'s demo, unless the council already has agencies; then
    top up its governance demo (rules, roles, consent, alerts: demo/governance.py) where the demo's people are.

    ``password_hash`` is an already-hashed Django password (``make_password``), given to every demo user.
    """
    spec = place_for(place, jurisdiction=jurisdiction)
    with transaction.atomic():
        with connection.cursor() as cursor:  # two runs at once in one council: the second waits, then finds data
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':demo-populate'))")
        created = not Agency.objects.exists()
        if created:
            _populate(spec, password_hash=password_hash, seed=seed)
        # The council's rules, roles, consent and alerts: topped up on every run, also for a demo made before them.
        council_governance_populate(place=spec, today=TODAY)
        # A client long past the retention schedule, and the nightly list of what is due, waiting for the officer.
        council_retention_populate(place=spec, today=TODAY)
        # A message, a meeting and a task in one of the social worker's teams, as practitioners would make them.
        council_teamwork_populate(place=spec, today=TODAY)
        # Its practitioners' sign-ins over the last three months, from which billing counts its usage.
        council_sign_ins_populate(time_zone=defaults_for(jurisdiction).time_zone, today=TODAY)
        return _summary(spec, created=created)


def _populate(place: Place, *, password_hash: str, seed: int) -> None:
    place_seed = f"{place.key}:{seed}"  # two places with one seed still get different people
    rng = random.Random(place_seed)  # noqa: S311 - demo data, not security
    faker = Faker(FAKER_LOCALES[place.jurisdiction])
    faker.seed_instance(place_seed)
    names = NameMaker(jurisdiction=place.jurisdiction, rng=rng, faker=faker)

    agencies = build_agencies(place)
    staff = StaffBuilder(
        place=place, agencies=agencies, rng=rng, names=names, password_hash=password_hash, today=TODAY
    ).build()
    households = HouseholdBuilder(
        place=place,
        rng=rng,
        names=names,
        legal_bases=list(LegalBasis.objects.order_by("position", "code")),
        today=TODAY,
    ).build(clients=rng.randint(292, 308), families=rng.randint(50, 56))

    planner = TeamPlanner(rng=rng, staff=staff, today=TODAY)
    planner.plan(households.people, big_teams=BIG_TEAMS)
    for member in staff:
        if member.demo and member.demo.teams:
            planner.ensure_teams(member, households.people, teams=member.demo.teams, leads=member.demo.leads)
    for spec in place.agencies:
        if spec.is_sensitive:
            members = [member for member in staff if member.spec.key == spec.key]
            planner.ensure_agency(members, households.people, minimum=SENSITIVE_MINIMUM)

    _record_creators(households, planned_by_client=_first_involved(planner), staff=staff, rng=rng)
    _save(agencies, staff, households, [planned.involvement for planned in planner.planned])


def _first_involved(planner: TeamPlanner) -> dict[int, Practitioner]:
    """The practitioner of each client's earliest involvement: who added the client to Patchwork."""
    first: dict[int, tuple[datetime.date, Practitioner]] = {}
    for planned in planner.planned:
        key = id(planned.person.client)
        started = planned.involvement.started_on
        if key not in first or started < first[key][0]:
            first[key] = (started, planned.staff.practitioner)
    return {key: practitioner for key, (_, practitioner) in first.items()}


def _record_creators(
    households: Households, *, planned_by_client: dict[int, Practitioner], staff: list[Staff], rng: random.Random
) -> None:
    caseworkers = [member.practitioner for member in staff if not member.is_manager]
    for person in households.people:
        client = person.client
        client.created_by = planned_by_client.get(id(client)) or rng.choice(caseworkers)


def _save(
    agencies: dict[str, Agency], staff: list[Staff], households: Households, involvements: list[Involvement]
) -> None:
    _bulk(Agency, list(agencies.values()))
    # Accounts go through the same service as invitations, with the same rules (domains, approval).
    practitioners_create(practitioners=[member.practitioner for member in staff])
    _bulk(Client, [person.client for person in households.people])
    _bulk(ClientAlias, households.aliases)
    _bulk(Family, households.families)
    _bulk(FamilyMember, households.members)
    _bulk(Involvement, involvements)
    _bulk(TeamActivity, _recent_activity(involvements))


RECENT_DAYS = 45


def _recent_activity(involvements: list[Involvement]) -> list[TeamActivity]:
    """Team activity for the last weeks of the demo's history, so dashboards show recent changes."""
    since = TODAY - datetime.timedelta(days=RECENT_DAYS)
    activity = []
    for involvement in involvements:
        for day, kind in (
            (involvement.started_on, TeamActivity.Kind.JOINED),
            (involvement.ended_on, TeamActivity.Kind.LEFT),
        ):
            if day and day >= since:
                at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))
                activity.append(
                    TeamActivity(client=involvement.client, kind=kind, actor=involvement.practitioner, occurred_at=at)
                )
    return activity


def _bulk(model: type[Model], rows: list[Model]) -> None:
    model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)


# Summary ------------------------------------------------------------------------------------------------------


def _summary(place: Place, *, created: bool) -> DemoSummary:
    return DemoSummary(
        created=created,
        agencies=Agency.objects.count(),
        practitioners=Practitioner.objects.count(),
        clients=Client.objects.count(),
        families=Family.objects.count(),
        involvements=Involvement.objects.count(),
        accounts=tuple(account for person in place.people if (account := _account(person, place))),
    )


def _account(person: DemoPerson, place: Place) -> DemoAccount | None:
    """The demo account for ``person``, if this council has it (a council with its own data may not)."""
    email = demo_email(person, place)
    practitioner = Practitioner.objects.select_related("user", "agency").filter(user__email=email).first()
    if practitioner is None:
        return None
    current = Involvement.objects.filter(practitioner=practitioner, ended_on__isnull=True)
    teams = _count(current.count(), "team")
    leads = current.filter(is_lead=True).count()
    who = f"{practitioner.job_title}, {practitioner.agency.name}"
    if person.is_council_admin:
        description = (
            f"Council administrator — {who}. Approves agencies, invites practitioners and sets the council's "
            f"rules (legal bases, sensitive services, break-glass); in {teams}."
        )
    elif person.is_agency_manager:
        colleagues = _count(practitioner.agency.practitioners.count(), "practitioner")
        description = f"Agency manager — {who}. Verifies the agency's {colleagues} and sees their activity; in {teams}."
    elif practitioner.agency.is_sensitive:
        mode = rules_current().sensitive_service(practitioner.agency.pk).mode
        description = (
            f"{who} — a sensitive service (its involvement with a client is itself sensitive information), "
            f"shown to other agencies as {SHOWN_AS[mode]}; in {teams}."
        )
    elif leads:
        description = f"{who} — in {teams}, lead professional for {leads} of them."
    else:
        description = f"{who} — in {teams}."
    if practitioner.is_privacy_officer:
        description += " Privacy officer: who accessed a client and why, and the alerts inbox."
    if practitioner.break_glass_role and (role := rules_current().break_glass_role(practitioner.break_glass_role)):
        description += f" Break-glass role: {role.name} (may open a team they are not in, in an emergency)."
    return DemoAccount(email=email, name=practitioner.user.full_name, description=description)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
