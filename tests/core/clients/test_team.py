"""The team around the client (journey 4, AZ-2, TEN-2): who sees what, on the rendered page."""

import datetime
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client, Family, FamilyMember, Involvement, JoinRequest
from core.clients.selectors import TeamView, team_for_client
from core.clients.views.team import MOST_NODES, network_diagram, team_page_context
from core.governance.rules import FamilyTeams, Rules, SensitiveMode
from core.governance.visibility import Detail, MemberView
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients.conftest import GATEWAY, Team, practitioner, text_of
from tests.core.governance.rulebook import consent_given, rules_in_force, sensitive_rules
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

PLACEHOLDER = f"A confidential service is involved — contact via {GATEWAY}"


def _team_page(browser: Browser, team: Team) -> str:
    response = browser.get(f"/clients/{team.client.pk}/")
    assert response.status_code == 200
    return text_of(response)


def test_a_member_sees_the_team_with_contact_details(team: Team, browser_as: object) -> None:
    page = _team_page(browser_as(team.member), team)  # type: ignore[operator]
    assert "Jade Hughes" in page
    assert "2 June 2014" in page
    assert "9434765919" in page
    assert "Children Act 2004" in page or "UK GDPR" in page  # the legal basis
    for shown in ("Nia Nurse", "nia.nurse@school.example", "01632 960333", "School nurse", "Alpha Primary School"):
        assert shown in page
    assert "07700 900001" in page
    assert "1 February 2026" in page  # since


def test_the_viewers_own_card_and_the_lead_are_marked(team: Team, browser_as: object) -> None:
    page = _team_page(browser_as(team.member), team)  # type: ignore[operator]
    # the viewer's name is marked with a tag, not highlighted in yellow (which reads as keyboard focus)
    assert "<mark" not in page
    assert re.search(
        r'<h3 class="govuk-summary-card__title">Maya Member</h3>\s*<ul class="govuk-summary-card__actions">\s*'
        r'<li class="govuk-summary-card__action"><strong class="govuk-tag govuk-tag--blue">You</strong></li>',
        page,
    )
    assert "Lead professional" in page
    assert re.search(r"Lead professional</dt>\s*<dd[^>]*>\s*Maya Member \(you\)", page)


def test_an_outsider_gets_not_found_and_the_attempt_is_recorded(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    response = browser.get(f"/clients/{team.client.pk}/")
    assert response.status_code == 404
    assert "Jade" not in text_of(response)
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(
            action=AuditAction.CLIENT_VIEWED,
            outcome=AuditOutcome.DENIED,
            actor_id=team.outsider.user.pk,
            object_id=str(team.client.pk),
        ).exists()


def test_a_view_of_the_team_is_audited(council_a: Council, team: Team, browser_as: object) -> None:
    _team_page(browser_as(team.member), team)  # type: ignore[operator]
    with schema_context(council_a.schema_name):
        event = AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED, actor_id=team.member.user.pk)
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.object_id == str(team.client.pk)
    assert event.ip_address == "127.0.0.1"


def test_other_agencies_see_a_placeholder_not_the_sensitive_worker(team: Team, browser_as: object) -> None:
    page = _team_page(browser_as(team.nurse), team)  # type: ignore[operator]
    assert PLACEHOLDER in page
    for hidden in (
        "Rory",
        "Recovery worker",
        "rory.recovery@recovery.example",
        "07700 900777",
        "Alpha Recovery Service",
        "3 November 2025",
    ):
        assert hidden not in page


def test_the_team_page_shows_why_each_member_joined_but_not_a_confidential_services_reason(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(client=team.client, practitioner=team.nurse).update(
            join_reason="Attendance has dropped this term"
        )
        Involvement.objects.filter(client=team.client, practitioner=team.recovery_worker).update(
            join_reason="Referred by the GP for alcohol support"
        )
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    page = _team_page(browser, team)
    assert re.search(r"Why they joined</dt>\s*<dd[^>]*>Attendance has dropped this term</dd>", page)
    assert "alcohol" not in page
    browser.post("/sign-out/")
    own = _team_page(browser_as(team.recovery_worker), team)  # type: ignore[operator]
    assert "Referred by the GP for alcohol support" in own


def test_a_placeholder_member_view_never_carries_the_join_reason(council_a: Council, team: Team) -> None:
    from core.governance.visibility import policy_for

    with schema_context(council_a.schema_name):
        involvement = Involvement.objects.select_related("practitioner__user", "practitioner__agency").get(
            client=team.client, practitioner=team.recovery_worker
        )
        involvement.join_reason = "Referred by the GP for alcohol support"
        placeholder = policy_for(team.nurse).member_view(involvement)
        assert placeholder is not None
        assert placeholder.is_placeholder
        assert placeholder.join_reason is None
        assert policy_for(team.recovery_colleague).member_view(involvement).join_reason == (  # type: ignore[union-attr]
            "Referred by the GP for alcohol support"
        )


def test_the_sensitive_agency_sees_its_own_worker(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        InvolvementFactory(client=team.client, practitioner=team.recovery_colleague, role="Peer mentor")
    page = _team_page(browser_as(team.recovery_colleague), team)  # type: ignore[operator]
    assert "Rory Recovery" in page
    assert "rory.recovery@recovery.example" in page
    assert "07700 900777" in page
    assert PLACEHOLDER not in page


def test_another_councils_practitioner_gets_not_found(
    council_a: Council, council_b: Council, team: Team, client_b: Browser
) -> None:
    with schema_context(council_b.schema_name):
        stranger = PractitionerFactory(user__email="kim@beta.example", agency__email_domains=["beta.example"])
    sign_in(client_b, stranger.user, council_b)
    assert client_b.get(f"/clients/{team.client.pk}/").status_code == 404
    assert client_b.get(f"/clients/{team.client.pk}/join/").status_code == 404


def test_previously_involved_are_listed_with_their_end_date(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        former = practitioner(team.school, "Fern", "Former")
        InvolvementFactory(
            client=team.client,
            practitioner=former,
            role="Teaching assistant",
            started_on=datetime.date(2025, 9, 1),
            ended_on=datetime.date(2025, 12, 19),
        )
    page = _team_page(browser_as(team.member), team)  # type: ignore[operator]
    previous = page.split("Previously involved", 1)[1]
    assert "Fern Former" in previous
    assert "19 December 2025" in previous


def test_the_family_and_their_teams_follow_the_same_rules(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        brother = ClientFactory(first_name="Kai", surname="Hughes", date_of_birth=datetime.date(2011, 1, 20))
        family = Family.objects.create(name="Hughes household")
        FamilyMember.objects.create(family=family, client=team.client, relationship=FamilyMember.Relationship.CHILD)
        FamilyMember.objects.create(family=family, client=brother, relationship=FamilyMember.Relationship.SIBLING)
        youth = practitioner(AgencyFactory(name="Alpha Youth Service", email_domains=["youth.example"]), "Yan", "Youth")
        InvolvementFactory(client=brother, practitioner=youth, role="Youth worker")
        InvolvementFactory(client=brother, practitioner=team.recovery_colleague, role="Peer mentor")
        rules_in_force(Rules(family_teams=FamilyTeams.FULL))
    page = _team_page(browser_as(team.member), team)  # type: ignore[operator]
    family_part = page.split("Family: Hughes household", 1)[1]
    assert "Kai Hughes" in family_part
    assert "Sibling" in family_part
    assert "Yan Youth" in family_part
    assert "Youth worker" in family_part
    assert PLACEHOLDER in family_part
    assert "Petra" not in page
    # Reading the brother's details and team with Jade's is recorded against him too (AUD-1).
    with schema_context(council_a.schema_name):
        viewed = AuditEvent.objects.filter(action=AuditAction.CLIENT_VIEWED, object_id=str(team.client.pk)).get()
    assert viewed.actor_id == team.member.user_id
    assert viewed.related_ids == [str(brother.pk)]


def _household(council: Council, team: Team) -> Client:
    """Jade's brother Kai, with a youth worker and Petra of the recovery service; Jade's page shows him."""
    with schema_context(council.schema_name):
        brother = ClientFactory(first_name="Kai", surname="Hughes", date_of_birth=datetime.date(2011, 1, 20))
        family = Family.objects.create(name="Hughes household")
        FamilyMember.objects.create(family=family, client=team.client, relationship=FamilyMember.Relationship.CHILD)
        FamilyMember.objects.create(family=family, client=brother, relationship=FamilyMember.Relationship.SIBLING)
        youth = practitioner(AgencyFactory(name="Alpha Youth Service", email_domains=["youth.example"]), "Yan", "Youth")
        InvolvementFactory(client=brother, practitioner=youth, role="Youth worker")
        InvolvementFactory(client=brother, practitioner=team.recovery_colleague, role="Peer mentor")
    return brother


def test_by_default_the_family_teams_show_agencies_without_names_or_contacts(
    council_a: Council, team: Team, browser_as: object
) -> None:
    _household(council_a, team)
    page = _team_page(browser_as(team.member), team)  # type: ignore[operator]
    family_part = page.split("Family: Hughes household", 1)[1]
    assert "Kai Hughes" in family_part
    assert "The council shows which agencies work with each family member, not who." in family_part
    assert "<li>Alpha Youth Service</li>" in family_part
    assert "<li>A confidential service</li>" in family_part
    for absent in ("Yan Youth", "yan.youth@youth.example", "Youth worker", "Petra", "Peer mentor", GATEWAY):
        assert absent not in family_part, absent


def test_family_teams_hidden_agencies_are_not_listed(council_a: Council, team: Team, browser_as: object) -> None:
    _household(council_a, team)
    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, SensitiveMode.HIDDEN))
    family_part = _team_page(browser_as(team.member), team).split("Family: Hughes household", 1)[1]  # type: ignore[operator]
    assert "<li>Alpha Youth Service</li>" in family_part
    assert "confidential service" not in family_part.lower()


def test_a_council_may_show_no_family_teams_at_all(council_a: Council, team: Team, browser_as: object) -> None:
    brother = _household(council_a, team)
    with schema_context(council_a.schema_name):
        rules_in_force(Rules(family_teams=FamilyTeams.NONE))
        InvolvementFactory(client=brother, practitioner=team.member, role="Social worker")
    family_part = _team_page(browser_as(team.member), team).split("Family: Hughes household", 1)[1]  # type: ignore[operator]
    assert "The council does not show the teams around family members here." in family_part
    assert f'href="/clients/{brother.pk}/"' in family_part  # the viewer is in Kai's team: his page is linked
    for absent in ("Alpha Youth Service", "Yan Youth", "confidential service", "Petra"):
        assert absent not in family_part, absent


def test_a_change_of_the_rules_is_seen_by_the_very_next_request(
    council_a: Council, team: Team, browser_as: object
) -> None:
    _household(council_a, team)
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    assert "Yan Youth" not in _team_page(browser, team)  # by default: the family's agencies, not who
    with schema_context(council_a.schema_name):
        rules_in_force(Rules(family_teams=FamilyTeams.FULL))
    assert "Yan Youth" in _team_page(browser, team).split("Family: Hughes household", 1)[1]
    with schema_context(council_a.schema_name):
        rules_in_force(Rules(family_teams=FamilyTeams.NONE))
    assert "Alpha Youth Service" not in _team_page(browser, team).split("Family: Hughes household", 1)[1]


def _outsider_holds_a_break_glass_role(council: Council, team: Team) -> None:
    """The rules in force hold a MASH role, and the team's outsider has it."""
    from core.directory.models import Practitioner
    from core.governance.rules import BreakGlassRole
    from core.governance.selectors import rules_current
    from tests.core.governance.rulebook import rules_in_force

    with schema_context(council.schema_name):
        rules_in_force(rules_current().with_changes(break_glass_roles=(BreakGlassRole("mash", "MASH"),)))
        Practitioner.objects.filter(pk=team.outsider.pk).update(break_glass_role="mash")


def test_a_running_break_glass_access_opens_the_team_as_an_outsider_sees_it(
    council_a: Council, team: Team, browser_as: object
) -> None:
    from django.utils import timezone

    from core.clients.models import BreakGlassAccess

    _outsider_holds_a_break_glass_role(council_a, team)
    with schema_context(council_a.schema_name):
        BreakGlassAccess.objects.create(
            client=team.client,
            practitioner=team.outsider,
            role="MASH",
            reason="Immediate risk of significant harm to a child",
            explanation="Police call at 2am",
            expires_at=timezone.now() + datetime.timedelta(hours=2),
        )
    page = _team_page(browser_as(team.outsider), team)  # type: ignore[operator]
    assert "You opened it in an emergency (Immediate risk of significant harm to a child)" in page
    assert "Maya Member" in page
    assert PLACEHOLDER in page
    assert "Rory" not in page
    assert "Update my involvement" not in page
    with schema_context(council_a.schema_name):
        viewed = AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED, actor_id=team.outsider.user_id)
    assert viewed.outcome == AuditOutcome.SUCCESS
    assert viewed.reason == "break-glass: Immediate risk of significant harm to a child"


@pytest.mark.parametrize("how", ["expired", "ended", "another client"])
def test_a_break_glass_access_that_ended_or_is_for_another_client_opens_nothing(
    council_a: Council, team: Team, browser_as: object, how: str
) -> None:
    from django.utils import timezone

    from core.clients.models import BreakGlassAccess

    now = timezone.now()
    _outsider_holds_a_break_glass_role(council_a, team)
    with schema_context(council_a.schema_name):
        BreakGlassAccess.objects.create(
            client=ClientFactory() if how == "another client" else team.client,
            practitioner=team.outsider,
            role="MASH",
            reason="Immediate risk of significant harm to a child",
            explanation="Police call at 2am",
            opened_at=now - datetime.timedelta(hours=5),
            expires_at=now - datetime.timedelta(hours=1) if how == "expired" else now + datetime.timedelta(hours=1),
            ended_at=now - datetime.timedelta(hours=2) if how == "ended" else None,
        )
    assert browser_as(team.outsider).get(f"/clients/{team.client.pk}/").status_code == 404  # type: ignore[operator]


def test_the_network_diagram_is_an_accessible_svg_with_a_text_alternative(team: Team, browser_as: object) -> None:
    page = _team_page(browser_as(team.nurse), team)  # type: ignore[operator]
    svg = page[page.index("<svg xmlns") : page.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="network-title"' in svg
    assert 'aria-describedby="network-list"' in svg
    assert '<title id="network-title">' in svg
    described_by = page[page.index('<div id="network-list"') : page.index("</figure>")]
    assert "Jade Hughes is in the centre, connected to 3 members of the team:" in described_by
    assert "Maya Member, Social worker, Alpha Children&#x27;s Services (lead professional)" in described_by
    assert "Nia Nurse, School nurse, Alpha Primary School (you)" in described_by
    assert PLACEHOLDER in described_by
    assert "Rory" not in described_by
    assert "Maya Member" in svg
    assert "Lead professional" in svg
    assert "Confidential service" in svg
    assert "Rory" not in svg
    assert 'href="#team-members"' in page
    assert 'id="team-members"' in page
    assert "Skip the diagram" in page


def test_the_page_has_no_inline_styles_or_scripts(team: Team, browser_as: object) -> None:
    page = _team_page(browser_as(team.member), team)  # type: ignore[operator]
    assert " style=" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None


def _member(number: int, agency: str, **extra: object) -> MemberView:
    return MemberView(detail=Detail.FULL, name=f"Person {number}", agency=agency, role="Worker", **extra)  # type: ignore[arg-type]


def test_a_large_team_is_drawn_by_agency_keeping_the_lead_you_and_confidential_services() -> None:
    members = [_member(0, "Agency A", is_viewer=True), _member(1, "Agency B", is_lead=True)]
    members += [_member(number, f"Agency {number}") for number in range(2, 30)]
    members.append(MemberView(detail=Detail.PLACEHOLDER, gateway_contact="Duty line"))
    team = TeamView(client=Client(first_name="Ada", surname="Lovelace"), current=members, previous=[], family_name=None)
    diagram = network_diagram(team)
    labels = [node.label for node in diagram.nodes]
    assert len(diagram.nodes) == MOST_NODES
    assert labels[:3] == ["Agency B", "Agency A", "Confidential service"]
    assert labels[-1] == "20 more agencies"
    assert diagram.nodes[0].is_lead
    assert diagram.nodes[1].is_viewer
    assert "Person" not in " ".join(labels)


def test_a_small_team_is_drawn_person_by_person() -> None:
    members = [_member(0, "Agency A", is_viewer=True), _member(1, "Agency A", is_lead=True)]
    team = TeamView(client=Client(first_name="Ada", surname="Lovelace"), current=members, previous=[], family_name=None)
    diagram = network_diagram(team)
    assert [node.label for node in diagram.nodes] == ["Person 0 (you)", "Person 1"]
    assert diagram.nodes[1].detail == "Lead professional · Worker"
    assert "Ada Lovelace is in the centre, connected to 2 members" in diagram.description


def _team_of(council: Council, size: int) -> tuple[object, object]:
    """A client with ``size`` current members across a few agencies (one of them sensitive) and a family."""
    with schema_context(council.schema_name):
        agencies = [AgencyFactory() for _ in range(3)] + [
            AgencyFactory(is_sensitive=True, gateway_contact="Duty line 01632 960 000")
        ]
        client = ClientFactory()
        viewer = PractitionerFactory(agency=agencies[0])
        InvolvementFactory(client=client, practitioner=viewer, is_lead=True)
        for number in range(size - 1):
            InvolvementFactory(client=client, practitioner=PractitionerFactory(agency=agencies[number % 4]))
        InvolvementFactory(client=client, ended_on=datetime.date(2026, 2, 1))
        sibling = ClientFactory()
        family = Family.objects.create(name="Household")
        FamilyMember.objects.create(family=family, client=client, relationship="child")
        FamilyMember.objects.create(family=family, client=sibling, relationship="sibling")
        InvolvementFactory.create_batch(min(size, 5), client=sibling)
        _messages_and_meetings(client, viewer)
    return client, viewer


def _messages_and_meetings(client: Client, viewer: object) -> None:
    """As many messages to the viewer and upcoming meetings they are invited to as the team has members (the
    team page reads them with the teamwork statement, whatever their number)."""
    from django.utils import timezone

    from core.teamwork.models import Meeting, MeetingInvitation, TeamMessage

    current = client.involvements.filter(ended_on__isnull=True).select_related("practitioner")
    members = [involvement.practitioner for involvement in current]
    soon = timezone.now() + datetime.timedelta(days=2)
    for number, sender in enumerate(members):
        message = TeamMessage.objects.create(client=client, sender=sender, text=f"Message {number}")
        message.recipients.add(viewer, *members[:3])
        meeting = Meeting.objects.create(
            client=client, organiser=sender, starts_at=soon, ends_at=soon + datetime.timedelta(hours=1), place="Room"
        )
        MeetingInvitation.objects.create(meeting=meeting, practitioner=viewer)


def _statements_of_team_page(council: Council, browser: Browser, size: int, *, join_requests: int = 0) -> list[str]:
    """The SQL statements of one signed-in request for the team page of a client with ``size`` members (and
    ``join_requests`` requests to join waiting), after a first request has warmed the session and caches."""
    client, viewer = _team_of(council, size)
    with schema_context(council.schema_name):
        for _ in range(join_requests):
            JoinRequest.objects.create(
                client=client, practitioner=PractitionerFactory(), role="Family support", reason="Referral"
            )
    sign_in(browser, viewer.user, council)  # type: ignore[attr-defined]
    browser.get(f"/clients/{client.pk}/")  # warm: session, caches
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(f"/clients/{client.pk}/")
    statements = [query["sql"] for query in queries.captured_queries]  # now: the next request resets the log
    assert response.status_code == 200
    assert text_of(response).count('class="govuk-summary-card"') >= min(size, 4) - 1
    assert text_of(response).count("asks to join the team") == join_requests
    assert text_of(response).count('<p class="govuk-body govuk-!-margin-bottom-0">Message ') == min(size, 20)
    meetings = text_of(response).count("Your reply: Not replied") + text_of(response).count("You arranged it")
    assert meetings == min(size, 10)
    browser.post("/sign-out/")
    return statements


# What every signed-in request reads before a page does its own work: the council (its host, the schema), the
# session, the user, their second factor and the practitioner they are. Tables, as a statement's top level names.
REQUEST_LEVEL_TABLES = frozenset(
    {
        "tenants_domain",
        "tenants_council",
        "django_session",
        "accounts_user",
        "accounts_backupcodedevice",  # the second factor's device (django-otp)
        "directory_practitioner",
    }
)


def _top_level_table(sql: str) -> str:
    """The table a statement reads or writes at its top level (subqueries, in brackets, left out), or its first
    word (``SET``) when it names none."""
    flat = sql
    while (shorter := re.sub(r"\([^()]*\)", "", flat)) != flat:
        flat = shorter
    found = re.search(r'(?:^SELECT .*? FROM|^INSERT INTO|^UPDATE|^DELETE FROM) "(\w+)"', flat)
    return found.group(1) if found else sql.split()[0]


def _page_own(statements: list[str]) -> list[str]:
    """The tables of the page's own statements: all but the request-level ones (``SET search_path``, the host,
    the session, the user, the second factor, the practitioner), however many of those the middleware needs."""
    tables = [_top_level_table(sql) for sql in statements if not sql.startswith("SET ")]
    return [table for table in tables if table not in REQUEST_LEVEL_TABLES and not table.startswith("otp_")]


def test_statements_are_told_apart_by_their_top_level_table() -> None:
    client = (
        'SELECT "clients_client"."id", (SELECT U0."rules" FROM "governance_rulebookversion" U0 LIMIT 1) AS "rules", '
        'EXISTS(SELECT 1 AS "a" FROM "clients_involvement" U0 WHERE (U0."client_id" = ("clients_client"."id"))) '
        'FROM "clients_client" INNER JOIN "governance_legalbasis" ON ("clients_client"."legal_basis_id" = 1)'
    )
    viewer = 'SELECT "directory_practitioner"."id" FROM "directory_practitioner" INNER JOIN "accounts_user" ON (1 = 1)'
    audit = 'INSERT INTO "audit_auditevent" ("reason") VALUES (\'a (bracket\') RETURNING "audit_auditevent"."id"'
    assert _top_level_table(client) == "clients_client"
    assert _top_level_table(audit) == "audit_auditevent"
    assert _page_own(['SET search_path = "council_alpha","public"', viewer, client, audit]) == [
        "clients_client",
        "audit_auditevent",
    ]


@pytest.mark.parametrize(
    ("mode", "family_teams"),
    [
        (SensitiveMode.PLACEHOLDER, FamilyTeams.AGENCIES),
        (SensitiveMode.WITH_CONSENT, FamilyTeams.FULL),  # the most read: consents for the client and the family
        (SensitiveMode.WITH_CONSENT, FamilyTeams.NONE),
    ],
)
def test_the_team_page_needs_the_same_few_queries_for_1_10_and_50_members(
    council_a: Council, mode: SensitiveMode, family_teams: FamilyTeams
) -> None:
    with schema_context(council_a.schema_name):
        sensitive = AgencyFactory(is_sensitive=True, gateway_contact="Duty line 01632 960 111")
        rules_in_force(sensitive_rules(sensitive, mode, family_teams=family_teams))
    browser = Browser(HTTP_HOST=council_a.domains.get(is_primary=True).domain)
    counts = [len(_statements_of_team_page(council_a, browser, size)) for size in (1, 10, 50)]
    print(f"team page queries for 1, 10, 50 members: {counts}")  # noqa: T201
    assert counts[0] == counts[1] == counts[2]
    # Eight (PERFORMANCE.md: at most 8). Request-level (2): SET search_path to the council (in a test's
    # transaction; a request in autocommit skips it when its connection already has that path), and the signed-in
    # user with their second factor's device, practitioner and agency (core/accounts/signed_in.py); the council
    # comes from memory (tenants/routing.py), the session from the cache. The page's own (4): the client with the
    # rules in force, the consent summary's dates, what its consent covers, whether the viewer is in the team and
    # whether requests to join wait; the family; every involvement of the client and the family's current ones; the
    # audit row. The teamwork app's own (2): the team's messages to the viewer and their upcoming meetings, as two
    # arrays on the client's row (core/teamwork/selectors.py), and the team's open tasks (core/teamwork/tasks.py).
    # (Requests to join that wait: one more.)
    assert counts[0] == 8


@pytest.mark.parametrize("size", [1, 50])
def test_the_team_pages_own_work_is_five_statements_whatever_the_team_size(council_a: Council, size: int) -> None:
    with schema_context(council_a.schema_name):
        sensitive = AgencyFactory(is_sensitive=True, gateway_contact="Duty line 01632 960 111")
        rules_in_force(sensitive_rules(sensitive, SensitiveMode.WITH_CONSENT, family_teams=FamilyTeams.FULL))
    browser = Browser(HTTP_HOST=council_a.domains.get(is_primary=True).domain)
    own = _page_own(_statements_of_team_page(council_a, browser, size))
    # the last: the client's row with the team's messages and meetings for the viewer (core/teamwork/selectors.py)
    assert own == [
        "clients_client",
        "clients_familymember",
        "clients_involvement",
        "audit_auditevent",
        "clients_client",
        "teamwork_teamtask",  # the team's open tasks (core/teamwork/tasks.py team_tasks_for)
    ]


def test_requests_to_join_that_wait_are_read_in_one_more_statement(council_a: Council) -> None:
    browser = Browser(HTTP_HOST=council_a.domains.get(is_primary=True).domain)
    own = _page_own(_statements_of_team_page(council_a, browser, 10, join_requests=3))
    assert own == [
        "clients_client",
        "clients_familymember",
        "clients_involvement",
        "clients_joinrequest",
        "audit_auditevent",
        "clients_client",
        "teamwork_teamtask",
    ]


def test_the_team_page_renders_what_its_selector_read_without_a_query(
    council_a: Council, team: Team, django_assert_num_queries: object
) -> None:
    _household(council_a, team)
    with schema_context(council_a.schema_name):
        rules_in_force(Rules(family_teams=FamilyTeams.FULL))
        consent_given(team.client, team.member)
        JoinRequest.objects.create(
            client=team.client, practitioner=team.outsider, role="Family support", reason="Referral from school"
        )
        viewed = team_for_client(viewer=team.nurse, client_id=team.client.pk, with_join_requests=True)
        assert viewed is not None
        with django_assert_num_queries(0):  # type: ignore[operator]
            page = render_to_string("clients/team.html", team_page_context(viewed))
    assert "Otto Outsider (Alpha Children&#x27;s Services) asks to join the team</a> as Family support" in page
    assert "(the lead professional decides)" in page  # the nurse is not the lead
    assert "Consent on record since 10 January 2026." in page
    assert "Yan Youth" in page.split("Family: Hughes household", 1)[1]
    assert "Nia Nurse" in page


def test_the_lead_decides_the_requests_to_join_shown_on_the_team_page(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        JoinRequest.objects.create(
            client=team.client, practitioner=team.outsider, role="Family support", reason="Referral from school"
        )
    page = _team_page(browser_as(team.member), team)  # type: ignore[operator]
    assert "asks to join the team</a> as Family support." in page
    assert "(the lead professional decides)" not in page


def test_ended_involvements_do_not_let_a_former_member_back_in(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(pk=team.member_involvement.pk).update(
            ended_on=datetime.date(2026, 3, 1), is_lead=False
        )
    assert browser_as(team.member).get(f"/clients/{team.client.pk}/").status_code == 404  # type: ignore[operator]
