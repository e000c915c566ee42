"""The visibility matrix (issue 9, AZ-2): every rule mode × every kind of viewer × every read path.

The read paths come from the route inventory (``tests/core/access/test_route_inventory.py``): every council
route is either a read path below (how to request it for the fixture client, and in which format) or is
listed with the reason it shows no client or involvement data. A new route in neither list fails the build,
and so does an entry for a route that no longer exists.

The fixture: Jade Hughes's team — Maya (children's services, lead), Nia (a school) and two workers of a
sensitive recovery service, Rory (the practitioner whose involvement is sensitive) and Petra. Ravi works for
the recovery service too and is in no team. Jade's brother Kai has Rory and a youth worker around him. For
each mode and viewer, what must be absent is absent from the body (strings and JSON keys), and what the
rule lets the viewer see is present — so each case can fail.

Built once for the module (inside a transaction rolled back at the end); each case only puts its rules in
force (and the client's consent), inside its own rolled-back transaction.
"""

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

import pytest
from django.db import transaction
from django.test import Client as Browser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditOutcome
from core.audit.services.events import audit_record
from core.clients.models import (
    BreakGlassAccess,
    Client,
    Consent,
    Family,
    FamilyMember,
    TeamActivity,
    TeamInvitation,
)
from core.directory.models import Agency, Practitioner
from core.governance.rules import BreakGlassRole, FamilyTeams, Rules, SensitiveMode, SensitiveService
from core.teamwork.models import Meeting, MeetingInvitation, TeamMessage
from tenants.models import Council
from tests.conftest import COUNCILS, host_of, sign_in
from tests.core.access.test_route_inventory import routes
from tests.core.governance.rulebook import consent_given, rules_in_force
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side

GATEWAY = "Alpha Recovery duty line, 01632 960 222"
RORY_MOBILE = "07700 900777"


# The world --------------------------------------------------------------------------------------------------


@dataclass
class World:
    council: Council
    client: Client
    sibling: Client
    recovery: Agency
    school: Agency
    people: dict[str, Practitioner]
    break_glass: BreakGlassAccess
    meeting: Meeting
    browsers: dict[str, Browser] = field(default_factory=dict)


VIEWERS = {
    "team member, other agency": "maya",
    "sensitive agency": "petra",
    "same agency as a member, not in team": "otto",
    "other agency, not in team": "pat",
    "listed agency, in team": "nia",
    "break-glass": "bea",
    "break-glass role, not used": "bo",
    "privacy officer, not in team": "ivy",
}
IN_TEAM = {"maya", "petra", "nia"}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _world_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _world_build() -> World:
    council = Council.objects.get(slug=COUNCILS["council_a"]["slug"])
    with schema_context(council.schema_name):
        children = AgencyFactory(name="Alpha Children's Services", email_domains=["children.alpha.example"])
        school = AgencyFactory(name="Alpha Primary School", agency_type="education", email_domains=["school.example"])
        police = AgencyFactory(name="Alpha Police", agency_type="police", email_domains=["police.example"])
        youth = AgencyFactory(name="Alpha Youth Service", email_domains=["youth.example"])
        council_staff = AgencyFactory(name="Alpha District Council", email_domains=["council.alpha.example"])
        recovery = AgencyFactory(
            name="Alpha Recovery Service",
            agency_type="health",
            email_domains=["recovery.example"],
            is_sensitive=True,
            gateway_contact=GATEWAY,
        )
        people = {
            "maya": verified_practitioner(children, "Maya", "Member", job_title="Social worker"),
            "nia": verified_practitioner(school, "Nia", "Nurse", job_title="School nurse"),
            "rory": verified_practitioner(
                recovery, "Rory", "Recovery", job_title="Recovery worker", mobile=RORY_MOBILE
            ),
            "petra": verified_practitioner(recovery, "Petra", "Peer", job_title="Peer mentor"),
            "ravi": verified_practitioner(recovery, "Ravi", "Rehab", job_title="Recovery worker"),
            "otto": verified_practitioner(children, "Otto", "Outsider"),
            "pat": verified_practitioner(police, "Pat", "Police"),
            "bea": verified_practitioner(police, "Bea", "Breakglass", break_glass_role="mash"),
            "bo": verified_practitioner(police, "Bo", "Beforehand", break_glass_role="mash"),
            "ivy": verified_practitioner(council_staff, "Ivy", "Officer", is_privacy_officer=True),
            "yan": verified_practitioner(youth, "Yan", "Youth"),
        }
        client = ClientFactory(
            first_name="Jade", surname="Hughes", date_of_birth=datetime.date(2014, 6, 2), postcode="WS13 6YY"
        )
        InvolvementFactory(client=client, practitioner=people["maya"], role="Social worker", is_lead=True)
        InvolvementFactory(client=client, practitioner=people["nia"], role="School nurse")
        InvolvementFactory(
            client=client, practitioner=people["rory"], role="Recovery worker", started_on=datetime.date(2025, 11, 3)
        )
        InvolvementFactory(client=client, practitioner=people["petra"], role="Peer mentor")
        sibling = ClientFactory(first_name="Kai", surname="Hughes", date_of_birth=datetime.date(2011, 1, 20))
        family = Family.objects.create(name="Hughes household")
        FamilyMember.objects.create(family=family, client=client, relationship=FamilyMember.Relationship.CHILD)
        FamilyMember.objects.create(family=family, client=sibling, relationship=FamilyMember.Relationship.SIBLING)
        InvolvementFactory(client=sibling, practitioner=people["yan"], role="Youth worker")
        InvolvementFactory(client=sibling, practitioner=people["rory"], role="Recovery worker")
        TeamActivity.objects.create(client=client, kind=TeamActivity.Kind.CLIENT_ADDED, actor=people["maya"])
        TeamActivity.objects.create(client=client, kind=TeamActivity.Kind.JOINED, actor=people["rory"])
        TeamInvitation.objects.create(client=client, invited_by=people["rory"], invitee=people["otto"])
        Consent.objects.create(  # recorded and withdrawn by Rory: the consent page names him only as the rules say
            client=client,
            given_by="Jade Hughes",
            relationship=Consent.Relationship.CLIENT,
            given_on=datetime.date(2025, 12, 1),
            evidence="Signed form, on file",
            recorded_by=people["rory"],
            withdrawn_on=datetime.date(2026, 1, 2),
            withdrawn_by=people["rory"],
        )
        audit_record(  # Rory looked at Jade's team: the privacy officer's pages show it
            action=AuditAction.CLIENT_VIEWED,
            outcome=AuditOutcome.SUCCESS,
            actor_id=people["rory"].user_id,
            object_type="client",
            object_id=client.pk,
        )
        # Rory wrote to the whole team; Maya arranged a meeting with Nia, Rory and Petra (the team page, the
        # message and meeting pages name them through the policy).
        message = TeamMessage.objects.create(client=client, sender=people["rory"], text="Weekly check-in")
        message.recipients.add(people["maya"], people["nia"], people["petra"])
        soon = timezone.now() + datetime.timedelta(days=2)
        meeting = Meeting.objects.create(
            client=client,
            organiser=people["maya"],
            starts_at=soon,
            ends_at=soon + datetime.timedelta(hours=1),
            place="Civic Centre, room 4",
        )
        for key in ("nia", "rory", "petra"):
            MeetingInvitation.objects.create(meeting=meeting, practitioner=people[key])
        break_glass = BreakGlassAccess.objects.create(
            client=client,
            practitioner=people["bea"],
            role="MASH",
            reason="Immediate risk of significant harm to a child",
            explanation="Police call overnight",
            expires_at=timezone.now() + datetime.timedelta(hours=6),
        )
    world = World(
        council=council,
        client=client,
        sibling=sibling,
        recovery=recovery,
        school=school,
        people=people,
        break_glass=break_glass,
        meeting=meeting,
    )
    for key in VIEWERS.values():
        browser = Browser(HTTP_HOST=host_of(council))
        sign_in(browser, people[key].user, council)
        world.browsers[key] = browser
    return world


# The modes --------------------------------------------------------------------------------------------------


class Mode(Enum):
    HIDDEN = "hidden"
    PLACEHOLDER = "placeholder"
    WITH_CONSENT_WITHOUT = "with-consent, no consent"
    WITH_CONSENT_GIVEN = "with-consent, consent given"
    LISTED = "hidden, school listed"


RULE_MODE = {
    Mode.HIDDEN: SensitiveMode.HIDDEN,
    Mode.PLACEHOLDER: SensitiveMode.PLACEHOLDER,
    Mode.WITH_CONSENT_WITHOUT: SensitiveMode.WITH_CONSENT,
    Mode.WITH_CONSENT_GIVEN: SensitiveMode.WITH_CONSENT,
    Mode.LISTED: SensitiveMode.HIDDEN,
}


class Sees(Enum):
    FULL = "full"
    PLACEHOLDER = "placeholder"
    NOTHING = "nothing"


def _sees_involvement(world: World, mode: Mode, viewer: str, *, consent: bool) -> Sees:
    """What the rules say ``viewer`` sees of Rory's involvement with a client (whose consent is ``consent``)."""
    agency = world.people[viewer].agency_id
    if agency == world.recovery.pk or (mode is Mode.LISTED and agency == world.school.pk):
        return Sees.FULL
    if mode is Mode.PLACEHOLDER:
        return Sees.PLACEHOLDER
    if mode is Mode.WITH_CONSENT_GIVEN and consent:
        return Sees.FULL
    return Sees.NOTHING


def _sees_staff(world: World, mode: Mode, viewer: str) -> Sees:
    """Whether the recovery service's staff are listed to ``viewer`` (phonebook, invite picker)."""
    agency = world.people[viewer].agency_id
    if agency == world.recovery.pk or (mode is Mode.LISTED and agency == world.school.pk):
        return Sees.FULL
    return Sees.NOTHING


# The read paths ---------------------------------------------------------------------------------------------


class Format(Enum):
    HTML = "html"
    JSON = "json"
    FHIR = "fhir"
    CSV = "csv"


@dataclass(frozen=True)
class Expected:
    status: int
    sees: Sees


@dataclass(frozen=True)
class ReadPath:
    """How to request a route for the fixture, what rule decides what it shows, and what it must show."""

    route: str
    request: Callable[[Browser, World], object]
    format: Format
    expected: Callable[[World, Mode, str], Expected]
    # Which part of the body the rule applies to (default: all of it).
    part: Callable[[str], str] = lambda body: body
    family_teams: FamilyTeams = FamilyTeams.FULL
    # Strings that show the viewer sees in full / a placeholder (each must be present then).
    full_shows: tuple[str, ...] = ("Rory Recovery",)
    placeholder_shows: tuple[str, ...] = (GATEWAY,)
    # The agency's own name and id may be on the page by design (the directory's agency page, the services
    # a consent may name).
    agency_is_the_subject: bool = False
    secrets: str = "involvement"  # or "staff": the recovery service's people, not an involvement


def _team_expected(world: World, mode: Mode, viewer: str) -> Expected:
    if viewer not in IN_TEAM and viewer != "bea":
        return Expected(404, Sees.NOTHING)
    return Expected(200, _sees_involvement(world, mode, viewer, consent=True))


def _family_expected(world: World, mode: Mode, viewer: str) -> Expected:
    if viewer not in IN_TEAM and viewer != "bea":
        return Expected(404, Sees.NOTHING)
    return Expected(200, _sees_involvement(world, mode, viewer, consent=False))  # Kai gave no consent


def _member_picker_expected(world: World, mode: Mode, viewer: str) -> Expected:
    """A member picks others to message or invite: Rory is offered only to those who see him in full (a
    placeholder is never offered, so nothing of him shows); anyone else, break-glass too, is not found."""
    if viewer not in IN_TEAM:
        return Expected(404, Sees.NOTHING)
    sees = _sees_involvement(world, mode, viewer, consent=True)
    return Expected(200, Sees.FULL if sees is Sees.FULL else Sees.NOTHING)


def _meeting_expected(world: World, mode: Mode, viewer: str) -> Expected:
    """Maya's meeting, with Nia, Rory and Petra invited: for them, each named through the policy."""
    if viewer not in IN_TEAM:
        return Expected(404, Sees.NOTHING)
    return Expected(200, _sees_involvement(world, mode, viewer, consent=True))


def _meeting_change_expected(world: World, mode: Mode, viewer: str) -> Expected:
    """Only its organiser (Maya) changes it: its invitees are refused, anyone else is not told it exists."""
    if viewer == "maya":
        return _member_picker_expected(world, mode, viewer)
    return Expected(403 if viewer in IN_TEAM else 404, Sees.NOTHING)


def _search_expected(world: World, mode: Mode, viewer: str) -> Expected:
    return Expected(200, _sees_involvement(world, mode, viewer, consent=True))


def _home_expected(world: World, mode: Mode, viewer: str) -> Expected:
    if viewer in IN_TEAM or viewer == "otto":  # Jade on their dashboard, or Rory's invitation to Otto
        return Expected(200, _sees_involvement(world, mode, viewer, consent=True))
    return Expected(200, Sees.NOTHING)


def _staff_expected(world: World, mode: Mode, viewer: str) -> Expected:
    return Expected(200, _sees_staff(world, mode, viewer))


def _person_expected(world: World, mode: Mode, viewer: str) -> Expected:
    sees = _sees_staff(world, mode, viewer)
    return Expected(200 if sees is Sees.FULL else 404, sees)


def _picker_expected(world: World, mode: Mode, viewer: str) -> Expected:
    if viewer not in IN_TEAM:
        return Expected(404, Sees.NOTHING)
    return Expected(200, _sees_staff(world, mode, viewer))


def _task_picker_expected(world: World, mode: Mode, viewer: str) -> Expected:
    """Giving a task: only members seen in full are offered (a placeholder is no one to give a task to)."""
    if viewer not in IN_TEAM:
        return Expected(404, Sees.NOTHING)
    sees = _sees_involvement(world, mode, viewer, consent=True)
    return Expected(200, Sees.FULL if sees is Sees.FULL else Sees.NOTHING)


def _oversight_expected(viewer: str) -> Expected:
    if viewer == "ivy":
        return Expected(200, Sees.FULL)
    return Expected(403, Sees.NOTHING)


def _break_glass_expected(world: World, mode: Mode, viewer: str) -> Expected:
    if viewer in IN_TEAM or viewer == "bea":  # in the team, or already opened: on to the team page
        return Expected(302, Sees.NOTHING)
    if viewer == "bo":  # the role, and the search hit the page repeats
        return _search_expected(world, mode, viewer)
    return Expected(403, Sees.NOTHING)


def _search_form(browser: Browser, world: World) -> object:
    dob = world.client.date_of_birth
    data = {"surname": "Hughes", "first_name": "", "postcode": "", "identifier": ""}
    data |= {"date_of_birth_day": dob.day, "date_of_birth_month": dob.month, "date_of_birth_year": dob.year}
    return browser.post("/clients/search/", data)


def _search_api(browser: Browser, world: World) -> object:
    criteria = {"surname": "Hughes", "date_of_birth": world.client.date_of_birth.isoformat()}
    return browser.post("/api/v1/clients/search/", json.dumps(criteria), content_type="application/json")


def _join_page(browser: Browser, world: World) -> object:
    _search_form(browser, world)  # a join page is reached from a search hit
    return browser.get(f"/clients/{world.client.pk}/join/")


def _break_glass_page(browser: Browser, world: World) -> object:
    _search_form(browser, world)  # opened from a search hit
    return browser.get(f"/clients/{world.client.pk}/break-glass/")


def _family_part(body: str) -> str:
    return body.split("Family: Hughes household", 1)[-1] if "Family: Hughes household" in body else ""


def _family_json(body: str) -> str:
    return json.dumps(json.loads(body).get("family", [])) if body.startswith("{") else ""


def _hit_count(present: int) -> tuple[str, ...]:
    return (f"{present} agencies involved",)


READ_PATHS: dict[str, list[ReadPath]] = {
    "client-search": [
        ReadPath(
            "client-search",
            _search_form,
            Format.HTML,
            _search_expected,
            full_shows=_hit_count(3),
            placeholder_shows=_hit_count(3),
        )
    ],
    "api-v1:client-search": [
        ReadPath(
            "api-v1:client-search",
            _search_api,
            Format.JSON,
            _search_expected,
            full_shows=('"agencies_involved": 3',),
            placeholder_shows=('"agencies_involved": 3',),
        )
    ],
    "client-join": [
        ReadPath(
            "client-join",
            _join_page,
            Format.HTML,
            lambda world, mode, viewer: (
                Expected(302, Sees.NOTHING) if viewer in IN_TEAM else _search_expected(world, mode, viewer)
            ),
            full_shows=_hit_count(3),
            placeholder_shows=_hit_count(3),
        )
    ],
    "client-break-glass": [
        ReadPath(
            "client-break-glass",
            _break_glass_page,
            Format.HTML,
            _break_glass_expected,
            full_shows=_hit_count(3),
            placeholder_shows=_hit_count(3),
        )
    ],
    # The privacy officer's review of break-glass accesses: who opened which client's team, why, and what
    # they viewed — for privacy officers only.
    "break-glass-reviews": [
        ReadPath(
            "break-glass-reviews",
            lambda b, w: b.get("/break-glass/reviews/"),
            Format.HTML,
            lambda world, mode, viewer: _oversight_expected(viewer),
            full_shows=("Bea Breakglass",),
        )
    ],
    "break-glass-review": [
        ReadPath(
            "break-glass-review",
            lambda b, w: b.get(f"/break-glass/reviews/{w.break_glass.pk}/"),
            Format.HTML,
            lambda world, mode, viewer: _oversight_expected(viewer),
            full_shows=("Bea Breakglass", "Police call overnight"),
        )
    ],
    "client-team": [
        ReadPath("client-team", lambda b, w: b.get(f"/clients/{w.client.pk}/"), Format.HTML, _team_expected),
        ReadPath(
            "client-team",
            lambda b, w: b.get(f"/clients/{w.client.pk}/"),
            Format.HTML,
            _family_expected,
            part=_family_part,
        ),
        ReadPath(
            "client-team",
            lambda b, w: b.get(f"/clients/{w.client.pk}/"),
            Format.HTML,
            _family_expected,
            part=_family_part,
            family_teams=FamilyTeams.AGENCIES,
            full_shows=("<li>Alpha Recovery Service</li>",),
            placeholder_shows=("<li>A confidential service</li>",),
        ),
    ],
    "api-v1:client-team": [
        ReadPath(
            "api-v1:client-team",
            lambda b, w: b.get(f"/api/v1/clients/{w.client.pk}/team/"),
            Format.JSON,
            _team_expected,
        ),
        ReadPath(
            "api-v1:client-team",
            lambda b, w: b.get(f"/api/v1/clients/{w.client.pk}/team/"),
            Format.JSON,
            _family_expected,
            part=_family_json,
        ),
        ReadPath(
            "api-v1:client-team",
            lambda b, w: b.get(f"/api/v1/clients/{w.client.pk}/team/"),
            Format.JSON,
            _family_expected,
            part=_family_json,
            family_teams=FamilyTeams.AGENCIES,
            full_shows=("Alpha Recovery Service",),
            placeholder_shows=("A confidential service",),
        ),
    ],
    "api-v1:client-fhir-care-team": [
        ReadPath(
            "api-v1:client-fhir-care-team",
            lambda b, w: b.get(f"/api/v1/clients/{w.client.pk}/fhir/care-team/", HTTP_ACCEPT="application/fhir+json"),
            Format.FHIR,
            _team_expected,
        )
    ],
    "client-consent": [
        ReadPath(
            "client-consent",
            lambda b, w: b.get(f"/clients/{w.client.pk}/consent/"),
            Format.HTML,
            lambda world, mode, viewer: (
                Expected(200, _sees_involvement(world, mode, viewer, consent=True))
                if viewer in IN_TEAM
                else Expected(404, Sees.NOTHING)
            ),
            full_shows=("by Rory Recovery (Alpha Recovery Service)",),
            placeholder_shows=("by A confidential service",),
            # The services a consent can name are the council's list, not this client's involvements.
            agency_is_the_subject=True,
        )
    ],
    # The privacy officer's oversight: every access to a client, and everything one practitioner did, for the
    # council's privacy officers only (sensitive services' staff included: that is what they audit).
    "privacy-client": [
        ReadPath(
            "privacy-client",
            lambda b, w: b.get(f"/privacy-officer/clients/{w.client.pk}/"),
            Format.HTML,
            lambda world, mode, viewer: _oversight_expected(viewer),
        )
    ],
    "privacy-client-csv": [
        ReadPath(
            "privacy-client-csv",
            lambda b, w: b.get(f"/privacy-officer/clients/{w.client.pk}/access.csv"),
            Format.CSV,
            lambda world, mode, viewer: _oversight_expected(viewer),
        )
    ],
    "privacy-practitioner": [
        ReadPath(
            "privacy-practitioner",
            lambda b, w: b.get(f"/privacy-officer/practitioners/{w.people['rory'].pk}/"),
            Format.HTML,
            lambda world, mode, viewer: _oversight_expected(viewer),
        )
    ],
    "privacy-practitioner-csv": [
        ReadPath(
            "privacy-practitioner-csv",
            lambda b, w: b.get(f"/privacy-officer/practitioners/{w.people['rory'].pk}/activity.csv"),
            Format.CSV,
            lambda world, mode, viewer: _oversight_expected(viewer),
        )
    ],
    "home": [
        ReadPath(
            "home",
            lambda b, w: b.get("/"),
            Format.HTML,
            _home_expected,
            full_shows=("Rory Recovery (Alpha Recovery Service)",),
            placeholder_shows=("A confidential service",),
        )
    ],
    "team-invite": [
        ReadPath(
            "team-invite",
            lambda b, w: b.get(f"/clients/{w.client.pk}/invite/", {"q": "Ravi"}),
            Format.HTML,
            _picker_expected,
            full_shows=("Ravi Rehab",),
            secrets="staff",
        )
    ],
    "team-task-give": [
        ReadPath(
            "team-task-give",
            lambda b, w: b.get(f"/clients/{w.client.pk}/tasks/new/"),
            Format.HTML,
            _task_picker_expected,
        )
    ],
    "directory": [
        ReadPath(
            "directory",
            lambda b, w: b.get("/directory/", {"q": "Recovery"}),
            Format.HTML,
            _staff_expected,
            secrets="staff",
        )
    ],
    "directory-agency": [
        ReadPath(
            "directory-agency",
            lambda b, w: b.get(f"/directory/agencies/{w.recovery.pk}/"),
            Format.HTML,
            _staff_expected,
            agency_is_the_subject=True,
            secrets="staff",
        )
    ],
    "directory-person": [
        ReadPath(
            "directory-person",
            lambda b, w: b.get(f"/directory/people/{w.people['rory'].pk}/"),
            Format.HTML,
            _person_expected,
            secrets="staff",
        )
    ],
    "team-message-new": [
        ReadPath(
            "team-message-new",
            lambda b, w: b.get(f"/clients/{w.client.pk}/messages/new/"),
            Format.HTML,
            _member_picker_expected,
        )
    ],
    "meeting-new": [
        ReadPath(
            "meeting-new",
            lambda b, w: b.get(f"/clients/{w.client.pk}/meetings/new/"),
            Format.HTML,
            _member_picker_expected,
        )
    ],
    "meeting": [
        ReadPath(
            "meeting",
            lambda b, w: b.get(f"/clients/{w.client.pk}/meetings/{w.meeting.pk}/"),
            Format.HTML,
            _meeting_expected,
            placeholder_shows=("A confidential service",),
        )
    ],
    "meeting-change": [
        ReadPath(
            "meeting-change",
            lambda b, w: b.get(f"/clients/{w.client.pk}/meetings/{w.meeting.pk}/change/"),
            Format.HTML,
            _meeting_change_expected,
        )
    ],
    "meeting-cancel": [
        ReadPath(
            "meeting-cancel",
            lambda b, w: b.get(f"/clients/{w.client.pk}/meetings/{w.meeting.pk}/cancel/"),
            Format.HTML,
            lambda world, mode, viewer: (
                Expected(200, Sees.NOTHING)
                if viewer == "maya"
                else Expected(403 if viewer in IN_TEAM else 404, Sees.NOTHING)
            ),
        )
    ],
    "api-v1:practitioner-list": [
        ReadPath(
            "api-v1:practitioner-list",
            lambda b, w: b.get("/api/v1/practitioners/", {"q": "Recovery"}),
            Format.JSON,
            _staff_expected,
            secrets="staff",
        )
    ],
    "api-v1:practitioner-detail": [
        ReadPath(
            "api-v1:practitioner-detail",
            lambda b, w: b.get(f"/api/v1/practitioners/{w.people['rory'].pk}/"),
            Format.JSON,
            _person_expected,
            secrets="staff",
        )
    ],
}

NO_CLIENT_DATA = {
    # Signing in and out, the session, the viewer's own account.
    "sign-in": "signing in: no client data",
    "sign-in-code": "signing in: no client data",
    "sign-in-set-up": "signing in: no client data",
    "sign-out": "signing out",
    "sessions": "the viewer's own sessions",
    "session-sign-out": "ends one of the viewer's own sessions",
    "keep-alive": "keeps the session alive; answers no data",
    "password-reset": "password reset: no client data",
    "password-reset-sent": "password reset: no client data",
    "password-reset-confirm": "password reset: no client data",
    "password-reset-done": "password reset: no client data",
    "profile": "the viewer's own directory entry",
    # The notification centre: the viewer's own notices (no client is named in one; who acted was named through the
    # policy when the notice was written, tests/core/inbox), and their own email preference.
    "notifications": "the viewer's own notices: what kind of thing happened and a link, never a client's details",
    "notification-open": "opens one of the viewer's own notices (marks it read) and follows its link: no data",
    "notifications-read-all": "marks the viewer's own notices read (a write)",
    "notification-settings": "the viewer's own email preference: no client data",
    "api-v1:me": "the viewer's own account",
    "accessibility": "static statement",
    "privacy": "static notice",
    "invitation": "accepting an invitation to Patchwork (an account), not to a team",
    "api-v1:schema": "the API's description: no data",
    "api-v1:docs": "the API's documentation page: no data",
    # An agency manager's own staff: no client or involvement.
    "team": "an agency manager's own agency's staff",
    "invite": "an agency manager inviting staff to their own agency",
    "practitioner-deactivate": "an agency manager acting on their own staff (a write)",
    "practitioner-action": "an agency manager acting on their own staff (a write)",
    # The phonebook's list of agencies: names and how to reach each, never people or clients.
    "directory-agencies": "the council's agencies and how to reach them: no people, no clients",
    "api-v1:agency-list": "the council's agencies and how to reach them: no people, no clients",
    "directory-person-photo": "a photo, served only through directory-person's selector (covered above)",
    # The council administrator's pages: agencies, imports, setup, governance. No client or involvement.
    "administration": "council administration: no client data",
    "administration-agencies": "council administration of agencies: no client data",
    "administration-agency-add": "council administration of agencies: no client data",
    "administration-agency": "council administration of an agency and its staff: no client data",
    "administration-imports": "council administration: imports, no client data",
    "administration-import-agencies": "council administration: imports, no client data",
    "administration-import-agencies-template": "a blank CSV template",
    "administration-import-practitioners": "council administration: imports, no client data",
    "administration-import-practitioners-template": "a blank CSV template",
    "administration-import-job": "council administration: an import's progress, no client data",
    "administration-import-report": "council administration: an import's problems, no client data",
    "administration-agency-edit": "council administration of agencies: no client data",
    "administration-agency-state": "council administration of agencies (a write)",
    "administration-agency-manager": "council administration of agency managers (a write)",
    "api-clients": "council administration of an agency's API clients: no client data",
    "api-client-rotate": "council administration of an agency's API clients (a write)",
    "api-client-revoke": "council administration of an agency's API clients (a write)",
    "api-client-token": "an API client's access token: no client data (its calls go through the read paths above)",
    # Passkeys: the person's own keys, and the council's requirement of them.
    "account-passkeys": "the viewer's own passkeys: no client data",
    "account-passkey-register-begin": "adding a passkey: a WebAuthn challenge, no client data",
    "account-passkey-register-complete": "adding a passkey: no client data",
    "account-passkey-remove": "removing one of the viewer's own passkeys (a write)",
    "council-passkeys": "council administration: whether administrators must use passkeys, no client data",
    "sign-in-passkey-begin": "signing in with a passkey: a challenge, no client data",
    "sign-in-passkey-complete": "signing in with a passkey: no client data",
    "passkeys-script-text": "the words the passkey script shows: no client data",
    # Single sign-on: an agency's identity provider, and signing in with it.
    "administration-agency-sso": "council administration of an agency's single sign-on: no client data",
    "sign-in-organisation": "signing in with the agency's provider: the work email, no client data",
    "sign-in-organisation-callback": "signing in: back from the provider, no client data",
    "sign-in-organisation-invitation": "signing in: finishing an invited account, no client data",
    "sign-in-organisation-saml-acs": "signing in: the SAML provider's answer, no client data",
    "sign-in-organisation-saml-metadata": "our SAML service provider metadata: no client data",
    "council-setup": "the council's setup checklist: no client data",
    "council-billing": "the council's plan, billing contact, usage counts and invoices: no client data",
    "council-billing-invoice-document": "an invoice's document: the council, its usage and amounts; no client data",
    "support": "support access requests, grants and the audit of support: operators and pages, no client data",
    "support-grant": "grants a support request (a form post): no client data",
    "support-refuse": "refuses a support request (a form post): no client data",
    "support-end": "ends a support access (a form post): no client data",
    "council-go-live": "the council's go-live (a write)",
    "council-governance": "the council's governance settings: no client data",
    "council-agreements": "the council's data-sharing agreements: no client data",
    "council-agreement-document": "a data-sharing agreement's document: no client data",
    "council-privacy-officers": "who the council's privacy officers are: no client data",
    "council-privacy-officer": "naming a privacy officer (a write)",
    "council-legal-bases": "the council's legal bases: no client data",
    "council-legal-bases-reviewed": "the council's legal bases (a write)",
    "council-legal-basis": "the council's legal bases (a write)",
    "council-profile": "the council's profile: no client data",
    # Writes and the viewer's own involvement: they show no one else's involvement.
    "client-add": "adding a new client: the form shows no existing client or team",
    "client-correct": "a team member corrects the client's own details: no involvement data",
    "involvement-update": "the viewer's own involvement only",
    "involvement-end": "the viewer's own involvement only",
    "team-task-done": "marking a task done (a write): answers a redirect to the team page",
    "still-involved-answer": "the viewer's own involvement only: a question asked of them, and their answer",
    "api-v1:client-create": "adding a new client (a write): answers the new client only",
    "api-v1:client-correct": "correcting the client's details (a write): answers the client's details only",
    "api-v1:client-involvement-start": "joining a team (a write): answers the viewer's own involvement",
    "api-v1:client-involvement-mine": "the viewer's own involvement only",
    "api-v1:client-involvement-mine-end": "the viewer's own involvement only",
    "privacy-officer": "the privacy officer's start page: the alerts waiting and a way to look a client up",
    "privacy-alerts": "the privacy officer's alerts inbox (privacy officers only)",
    "privacy-alert": "one alert and its evidence, for privacy officers only",
    "privacy-alert-assign": "assigning an alert (a write, privacy officers only)",
    "privacy-alert-close": "closing an alert with its outcome (a write, privacy officers only)",
    "client-join-request": (
        "the lead professional's decision on one request to join: who asks (named through the policy) and why,"
        " not the team"
    ),
    "council-rules": "the council administrator's rulebook: agencies and their rules, no client data",
    "council-rules-retention": "the council administrator's retention schedule: no client data",
    "council-rules-still-involved": "the council administrator's rule on asking members: no client data",
    # Retention and erasure: the privacy officer's own pages (privacy officers only), never a team.
    "privacy-client-restrict": "restricting a client's record (a write, privacy officers only)",
    "privacy-client-restriction-lift": "lifting a restriction (a write, privacy officers only)",
    "retention-runs": "the nightly lists: dates and counts, privacy officers only",
    "retention-run": "one nightly list: counts, and the clients listed by name for the privacy officer only; no team",
    "retention-run-approve": "approving a list (a write, privacy officers only)",
    "retention-run-reject": "rejecting a list (a write, privacy officers only)",
    "retention-client": "a client's legal holds and erasure requests, privacy officers only; no team",
    "retention-hold-place": "placing a legal hold (a write, privacy officers only)",
    "retention-hold-lift": "lifting a legal hold (a write, privacy officers only)",
    "erasure-requests": "requests for erasure and their decisions, privacy officers only; no team",
    "erasure-request": "one request for erasure, privacy officers only; no team",
    "erasure-request-new": "recording a request for erasure (a write, privacy officers only)",
    "erasure-request-decide": "deciding a request for erasure (a write, privacy officers only)",
    "council-rules-sensitive-service": "the council administrator's rule for one sensitive service: no client data",
    "council-rules-search-join": "the council administrator's search and join rules: no client data",
    "council-rules-family-teams": "the council administrator's family-teams rule: no client data",
    "council-rules-break-glass": "the council administrator's break-glass rules: no client data",
    "council-rules-alerts": "the council administrator's alert thresholds: no client data",
    "council-rules-history": "the rulebook's versions: who changed it, when and why; no client data",
    "council-rules-version": "one version of the rulebook: no client data",
    "council-break-glass-roles": "who holds a break-glass role: practitioners, no client data",
    "council-break-glass-role": "giving or taking a break-glass role (a write)",
    "break-glass-end": "ending one's own break-glass access (a write): no client data",
    "consent-withdraw": "confirming the withdrawal of one consent (a write): the consent, no involvement",
    "api-v1:client-team-invitation-create": "inviting a colleague (a write): answers the invitation only",
    "meeting-reply": "an invitee's reply to a meeting (a write): sends them back to the meeting page (covered above)",
    # Subject access (privacy officers only, tests/core/subject_access): the pages name the client, no team.
    "subject-access": "the privacy officer's subject access requests: clients' names and deadlines, no team",
    "subject-access-new": "finding the client a request is about: the privacy officer's lookup, no team",
    "subject-access-record": "recording a request about a client (a write): the client's name, no team",
    "subject-access-request": "one request: the client's name, its deadline and export, no team",
    "subject-access-export": "starting the export (a write)",
    "subject-access-extend": "extending a request's deadline (a write): no team",
    "subject-access-close": "closing a request (a write): no team",
    "subject-access-download": (
        "the subject access export: everything held, sensitive services included, outside the policy by design"
        " (ADR 0015); only for the privacy officer who started it, once (tests/core/subject_access/test_download.py)"
    ),
}


def _council_routes() -> set[str]:
    return {route.name for route in routes("council")}


def test_every_council_route_is_a_read_path_or_says_why_it_shows_no_client_data() -> None:
    unaccounted = _council_routes() - set(READ_PATHS) - set(NO_CLIENT_DATA)
    assert not unaccounted, f"Add these routes to the visibility matrix (a read path or a reason): {unaccounted}"


def test_every_matrix_entry_names_a_route_that_exists() -> None:
    gone = (set(READ_PATHS) | set(NO_CLIENT_DATA)) - _council_routes()
    assert not gone, f"These routes no longer exist: take them out of the visibility matrix: {gone}"
    assert not set(READ_PATHS) & set(NO_CLIENT_DATA), "A route is either a read path or shows no client data"


# The matrix -------------------------------------------------------------------------------------------------


def _cases() -> Iterator[object]:
    for route, paths in READ_PATHS.items():
        for index, path in enumerate(paths):
            variant = f"{route}#{index}" if len(paths) > 1 else route
            for mode in Mode:
                for kind, viewer in VIEWERS.items():
                    yield pytest.param(path, mode, viewer, id=f"{variant}|{mode.value}|{kind}")


def _rules(world: World, mode: Mode, path: ReadPath) -> Rules:
    listed = frozenset({str(world.school.pk)}) if mode is Mode.LISTED else frozenset()
    service = SensitiveService(mode=RULE_MODE[mode], seen_in_full_by=listed)
    return Rules(
        sensitive_services={str(world.recovery.pk): service},
        family_teams=path.family_teams,
        break_glass_roles=(BreakGlassRole("mash", "Multi-Agency Safeguarding Hub"),),
    )


def _secrets(world: World, path: ReadPath, sees: Sees, viewer: str) -> list[str]:
    """What the viewer must not find in the body (their own name, on every page, is no secret to them)."""
    if sees is Sees.FULL:
        return []
    people = ("rory", "petra") if path.secrets == "involvement" else ("rory", "petra", "ravi")
    secrets: list[str] = []
    for key in (key for key in people if key != viewer):
        person = world.people[key]
        secrets += [person.user.full_name, person.user.email, str(person.pk)]
    secrets.append("900777")  # Rory's mobile, however it is formatted
    if not path.agency_is_the_subject:
        secrets += [world.recovery.name, str(world.recovery.pk)]
    if sees is Sees.NOTHING and path.secrets == "involvement":
        secrets += [GATEWAY, "confidential service", "confidential_service", "contact_via", "gateway-contact"]
    return secrets


@pytest.mark.parametrize(("path", "mode", "viewer"), list(_cases()))
def test_the_viewer_sees_what_the_rules_say_and_nothing_more(
    db: None, world: World, path: ReadPath, mode: Mode, viewer: str
) -> None:
    with schema_context(world.council.schema_name):
        rules_in_force(_rules(world, mode, path))
        if mode is Mode.WITH_CONSENT_GIVEN:
            consent_given(world.client, world.people["maya"], services=(world.recovery,))
    response = path.request(world.browsers[viewer], world)
    expected = path.expected(world, mode, viewer)
    assert response.status_code == expected.status, response.content[:500]  # type: ignore[attr-defined]
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    else:
        body = response.content.decode()  # type: ignore[attr-defined]
    if path.format is Format.FHIR and expected.status == 200:
        from fhir.resources.R4B.careteam import CareTeam

        CareTeam.model_validate(json.loads(body))
    if path.format is not Format.HTML and body.startswith("{"):
        body = json.dumps(json.loads(body))  # one spelling of the JSON, keys included
    part = path.part(body)
    lowered = part.lower()
    for secret in _secrets(world, path, expected.sees, viewer):
        assert secret.lower() not in lowered, f"{secret!r} must not reach this viewer"
    if expected.status != 200:
        return
    shows = {Sees.FULL: path.full_shows, Sees.PLACEHOLDER: path.placeholder_shows, Sees.NOTHING: ()}[expected.sees]
    for shown in shows:
        assert shown in part, f"{shown!r} should be shown to this viewer"
    if path.full_shows == _hit_count(3) and expected.sees is Sees.NOTHING:
        assert _hit_count(2)[0] in part  # the hidden service is not counted
    if path.full_shows == ('"agencies_involved": 3',) and expected.sees is Sees.NOTHING:
        assert '"agencies_involved": 2' in part
