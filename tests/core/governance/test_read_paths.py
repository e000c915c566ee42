"""The read paths the matrix does not walk one by one: search withheld after consent is withdrawn, what the
search costs, the emails, and the phonebook API's agencies — each through the one visibility policy."""

import datetime
import json

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.clients.models import Client, Involvement
from core.clients.selectors import SearchCriteria, client_search
from core.governance.rules import SensitiveMode
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients.conftest import Team, search, text_of
from tests.core.governance.rulebook import consent_given, rules_in_force, sensitive_rules
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side


def _withhold(council: Council, client: Client) -> None:
    with schema_context(council.schema_name):
        Client.objects.filter(pk=client.pk).update(withheld_from_search_since=timezone.now())


def test_a_client_withheld_from_search_is_found_only_by_their_current_team(
    council_a: Council, team: Team, browser_as: object
) -> None:
    _withhold(council_a, team.client)
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    outsider = text_of(search(browser, surname="Hughes", dob="2/6/2014"))
    assert "Jade" not in outsider
    assert "No matching clients" in outsider
    browser.post("/sign-out/")
    member = text_of(search(browser_as(team.member), surname="Hughes", dob="2/6/2014"))  # type: ignore[operator]
    assert "Jade" in member
    assert "You are in this team" in member


def test_a_former_member_does_not_find_a_withheld_client(council_a: Council, team: Team) -> None:
    _withhold(council_a, team.client)
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(client=team.client, practitioner=team.nurse).update(
            ended_on=datetime.date(2026, 3, 1)
        )
        found = client_search(
            viewer=team.nurse, criteria=SearchCriteria(surname="Hughes", date_of_birth=datetime.date(2014, 6, 2))
        )
        assert found.hits == []
        found = client_search(
            viewer=team.member, criteria=SearchCriteria(surname="Hughes", date_of_birth=datetime.date(2014, 6, 2))
        )
        assert [hit.client_id for hit in found.hits] == [team.client.pk]


def _hits_with_consent_services(council: Council, team: Team, count: int) -> int:
    """Queries a search costs when ``count`` hits each involve a service shown only with consent."""
    with schema_context(council.schema_name):
        surname = f"Consentson{count}"
        for number in range(count):
            client = ClientFactory(surname=surname, date_of_birth=datetime.date(2012, 5, count))
            InvolvementFactory(client=client, practitioner=team.recovery_worker)
            InvolvementFactory(client=client, practitioner=team.nurse)
            if number % 2:
                consent_given(client, team.nurse)
        criteria = SearchCriteria(surname=surname, date_of_birth=datetime.date(2012, 5, count))
        with CaptureQueriesContext(connection) as queries:
            result = client_search(viewer=team.outsider, criteria=criteria)
        assert sorted(hit.agencies_involved for hit in result.hits) == sorted(
            2 if number % 2 else 1 for number in range(count)
        )
    return len(queries)


def test_search_counts_consented_services_in_the_same_few_queries_for_1_or_12_hits(
    council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, SensitiveMode.WITH_CONSENT))
    assert _hits_with_consent_services(council_a, team, 1) == _hits_with_consent_services(council_a, team, 12)


def test_a_hidden_practitioner_joining_is_not_told_to_those_it_is_hidden_from(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, SensitiveMode.HIDDEN))
    browser: Browser = browser_as(team.recovery_colleague)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(
            f"/clients/{team.client.pk}/join/", {"role": "Peer mentor", "reason": "Referred by the GP"}
        )
    assert response.status_code == 302
    told = {address: message.body for message in mail.outbox for address in message.to}
    assert set(told) == {team.recovery_worker.user.email}  # their own agency only: the others are not told
    assert told[team.recovery_worker.user.email].startswith("Petra Peer (Alpha Recovery Service) joined the team")


def test_with_consent_a_practitioner_is_named_once_the_client_consented(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, SensitiveMode.WITH_CONSENT))
        consent_given(team.client, team.member, services=(team.recovery,))
    browser: Browser = browser_as(team.recovery_worker)  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        browser.post(f"/clients/{team.client.pk}/my-involvement/end/")
    bodies = {address: message.body for message in mail.outbox for address in message.to}
    assert bodies[team.member.user.email].startswith("Rory Recovery (Alpha Recovery Service) left the team")


@pytest.mark.parametrize(
    ("mode", "sentence"),
    [
        (SensitiveMode.HIDDEN, "You have been invited to join a team around a client in Patchwork."),
        (SensitiveMode.PLACEHOLDER, "A practitioner at a confidential service has invited you"),
        (SensitiveMode.WITH_CONSENT, "You have been invited to join a team around a client in Patchwork."),
    ],
)
def test_an_invitation_from_a_sensitive_service_names_the_inviter_only_as_the_policy_says(
    council_a: Council,
    team: Team,
    browser_as: object,
    django_capture_on_commit_callbacks: object,
    mode: SensitiveMode,
    sentence: str,
) -> None:
    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, mode))
    browser: Browser = browser_as(team.recovery_worker)  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(
            f"/clients/{team.client.pk}/invite/", {"colleague": str(team.outsider.pk), "email": "", "q": "Otto"}
        )
    assert response.status_code == 302
    [message] = [message for message in mail.outbox if team.outsider.user.email in message.to]
    assert message.body.startswith(sentence)
    for secret in ("Rory", "Recovery", "recovery.example"):
        assert secret not in message.body
    if mode is not SensitiveMode.PLACEHOLDER:
        assert "confidential" not in message.body


def test_the_home_page_does_not_say_who_invited_when_the_policy_hides_them(
    council_a: Council, team: Team, browser_as: object
) -> None:
    from core.clients.models import TeamInvitation

    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, SensitiveMode.HIDDEN))
        TeamInvitation.objects.create(client=team.client, invited_by=team.recovery_worker, invitee=team.outsider)
    page = text_of(browser_as(team.outsider).get("/"))  # type: ignore[operator]
    assert "You were invited on" in page
    assert "Rory" not in page
    assert "onfidential" not in page


def test_the_phonebook_api_shows_a_sensitive_agency_in_full_to_an_agency_the_rules_list(
    council_a: Council, team: Team, client_a: Browser
) -> None:
    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, SensitiveMode.HIDDEN, seen_in_full_by=(team.school,)))
        stranger = verified_practitioner(AgencyFactory(email_domains=["other.example"]), "Sam", "Stranger")

    def recovery_entry(viewer: object) -> dict:
        sign_in(client_a, viewer.user, council_a)  # type: ignore[attr-defined]
        results = json.loads(client_a.get("/api/v1/agencies/").content)["results"]
        client_a.post("/sign-out/")
        return next(entry for entry in results if entry["id"] == str(team.recovery.pk))

    assert recovery_entry(stranger)["kind"] == "confidential_service"
    assert recovery_entry(team.nurse)["kind"] == "agency"  # the school is listed for it
    assert recovery_entry(team.recovery_colleague)["kind"] == "agency"


def test_the_api_says_when_the_team_was_opened_by_break_glass_and_audits_it_so(
    council_a: Council, team: Team, client_a: Browser
) -> None:
    from core.audit.models import AuditAction, AuditEvent
    from core.clients.models import BreakGlassAccess
    from core.directory.models import Practitioner
    from core.governance.rules import BreakGlassRole, Rules

    with schema_context(council_a.schema_name):
        rules_in_force(Rules(break_glass_roles=(BreakGlassRole("mash", "MASH"),)))
        Practitioner.objects.filter(pk=team.outsider.pk).update(break_glass_role="mash")
        BreakGlassAccess.objects.create(
            client=team.client,
            practitioner=team.outsider,
            role="MASH",
            reason="Out-of-hours emergency placement",
            explanation="Placement breakdown at night",
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )
    sign_in(client_a, team.outsider.user, council_a)
    body = json.loads(client_a.get(f"/api/v1/clients/{team.client.pk}/team/").content)
    assert body["opened_by_break_glass"] is True
    kinds = sorted(member["kind"] for member in body["current"])
    assert kinds == ["confidential_service", "practitioner", "practitioner"]  # as an outsider sees it
    with schema_context(council_a.schema_name):
        viewed = AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED, actor_id=team.outsider.user_id)
    assert viewed.reason == "break-glass: Out-of-hours emergency placement"
    client_a.post("/sign-out/")
    sign_in(client_a, team.member.user, council_a)
    assert json.loads(client_a.get(f"/api/v1/clients/{team.client.pk}/team/").content)["opened_by_break_glass"] is False
