"""Joining needs the lead professional's approval where the council's rules say so: the join page asks
instead of joining; the lead (or, without one, the team) is emailed a link and no client data, sees the
request on the team page and decides; approval starts the involvement the one way involvements start; the
asker is emailed the decision. From the attacker's side: nobody outside the team sees or decides a request,
another council's ids are not found, and the API cannot join around the rule."""

import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditAction
from core.audit.origin import NO_ORIGIN
from core.clients.joining import join_request_create, join_request_decide
from core.clients.models import Involvement, JoinRequest
from core.clients.services import JoinApprovalNeeded, involvement_start
from core.directory.models import Practitioner
from core.governance.rules import Rules
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import audit_events
from tests.core.clients.conftest import Team, search, text_of
from tests.core.governance.rulebook import council_rules_in_force
from tests.factories import AgencyFactory, verified_practitioner

pytestmark = pytest.mark.council_side

ASK = {"role": "Family support worker", "reason": "Referral from school"}


@pytest.fixture
def approval(council_a: Council) -> None:
    council_rules_in_force(council_a, Rules(join_needs_lead_approval=True))


@pytest.fixture
def browser_as(council_a: Council) -> Any:
    """A browser of its own at council A's site, signed in as ``who`` (the asker and the lead sign in side by side)."""

    def signed_in(who: Practitioner) -> Browser:
        browser = Browser(HTTP_HOST=host_of(council_a))
        sign_in(browser, who.user, council_a)
        return browser

    return signed_in


def _joined(council: Council, team: Team, who: object) -> bool:
    with schema_context(council.schema_name):
        return Involvement.objects.filter(client=team.client, practitioner=who, ended_on__isnull=True).exists()


def _requests(council: Council) -> list[JoinRequest]:
    with schema_context(council.schema_name):
        return list(JoinRequest.objects.select_related("decided_by").order_by("requested_at"))


def _ask(browser: Browser, team: Team, capture: object) -> object:
    search(browser, surname="Hughes", dob="2/6/2014")
    with capture(execute=True):  # type: ignore[operator]
        return browser.post(f"/clients/{team.client.pk}/join/", ASK)


def test_the_join_page_asks_the_lead_and_nothing_is_joined_until_they_approve(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    page = text_of(browser.get(f"/clients/{team.client.pk}/join/"))
    assert "Ask to join the team" in page
    assert "The council asks the lead professional to approve" in page
    response = _ask(browser, team, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == f"/clients/{team.client.pk}/join/"
    assert not _joined(council_a, team, team.outsider)
    [asked] = _requests(council_a)
    assert (asked.decision, asked.role, asked.reason) == ("pending", ASK["role"], ASK["reason"])
    waiting = text_of(browser.get(response.url))
    assert "Waiting for the lead professional" in waiting
    assert "Referral from school" in waiting
    # Only the lead professional is told, with a link and nothing about the client.
    [email] = mail.outbox
    assert email.to == [team.member.user.email]
    assert email.body.startswith(
        "Otto Outsider (Alpha Children's Services) asks to join the team around one of your clients."
    )
    assert f"/clients/{team.client.pk}/join-requests/{asked.pk}/" in email.body
    for text in ("Jade", "Hughes", "Referral from school", "2014"):
        assert text not in email.body
        assert text not in email.subject
    [event] = audit_events(council_a, action=AuditAction.JOIN_REQUESTED)
    assert event.actor_id == team.outsider.user_id
    assert event.object_id == str(team.client.pk)


def test_asking_twice_makes_one_request(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    _ask(browser, team, django_capture_on_commit_callbacks)
    again = browser.post(f"/clients/{team.client.pk}/join/", ASK)
    assert "Waiting for the lead professional" in text_of(again)
    assert len(_requests(council_a)) == 1
    with schema_context(council_a.schema_name), pytest.raises(Exception, match="already asked"):
        join_request_create(viewer=team.outsider, client=team.client, role="x", reason="y", origin=NO_ORIGIN)


def test_the_lead_sees_the_request_on_the_team_page_and_approves_it(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    _ask(browser_as(team.outsider), team, django_capture_on_commit_callbacks)  # type: ignore[operator]
    [asked] = _requests(council_a)
    mail.outbox.clear()
    lead: Browser = browser_as(team.member)  # type: ignore[operator]
    team_page = text_of(lead.get(f"/clients/{team.client.pk}/"))
    assert "Otto Outsider (Alpha Children&#x27;s Services) asks to join the team" in team_page
    path = f"/clients/{team.client.pk}/join-requests/{asked.pk}/"
    assert f'href="{path}"' in team_page
    page = text_of(lead.get(path))
    assert "Referral from school" in page
    assert "Save your decision" in page
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = lead.post(path, {"decision": "approve", "note": ""})
    assert response.status_code == 302
    assert _joined(council_a, team, team.outsider)
    [decided] = _requests(council_a)
    assert decided.decision == "approved"
    assert decided.decided_by == team.member
    assert [event.actor_id for event in audit_events(council_a, action=AuditAction.JOIN_APPROVED)] == [
        team.member.user_id
    ]
    assert len(audit_events(council_a, action=AuditAction.INVOLVEMENT_STARTED)) == 1
    to_asker = [message for message in mail.outbox if message.to == [team.outsider.user.email]]
    assert len(to_asker) == 1
    assert "approved" in to_asker[0].subject
    assert f"/clients/{team.client.pk}/" in to_asker[0].body
    for message in mail.outbox:
        assert "Jade" not in message.body
        assert "Hughes" not in message.body
    assert "asks to join the team" not in text_of(lead.get(f"/clients/{team.client.pk}/"))


def test_the_lead_declines_with_a_note_that_is_kept_and_sent(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    _ask(browser_as(team.outsider), team, django_capture_on_commit_callbacks)  # type: ignore[operator]
    [asked] = _requests(council_a)
    mail.outbox.clear()
    lead: Browser = browser_as(team.member)  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        lead.post(
            f"/clients/{team.client.pk}/join-requests/{asked.pk}/", {"decision": "decline", "note": "Already covered"}
        )
    assert not _joined(council_a, team, team.outsider)
    [decided] = _requests(council_a)
    assert (decided.decision, decided.decision_note) == ("declined", "Already covered")
    [email] = mail.outbox
    assert email.to == [team.outsider.user.email]
    assert "Already covered" in email.body
    assert len(audit_events(council_a, action=AuditAction.JOIN_DECLINED)) == 1
    again = lead.post(f"/clients/{team.client.pk}/join-requests/{asked.pk}/", {"decision": "approve"})
    assert "Save your decision" not in text_of(again)
    assert not _joined(council_a, team, team.outsider)


def test_a_member_who_is_not_the_lead_cannot_decide(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    _ask(browser_as(team.outsider), team, django_capture_on_commit_callbacks)  # type: ignore[operator]
    [asked] = _requests(council_a)
    nurse: Browser = browser_as(team.nurse)  # type: ignore[operator]
    path = f"/clients/{team.client.pk}/join-requests/{asked.pk}/"
    page = text_of(nurse.get(path))
    assert "Save your decision" not in page
    assert "lead professional decides on this request" in page
    assert nurse.post(path, {"decision": "approve"}).status_code == 403
    assert not _joined(council_a, team, team.outsider)
    assert _requests(council_a)[0].decision == "pending"
    assert audit_events(council_a, action=AuditAction.JOIN_APPROVED) == []


def test_without_a_lead_every_member_is_told_and_any_may_decide(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(client=team.client).update(is_lead=False)
    _ask(browser_as(team.outsider), team, django_capture_on_commit_callbacks)  # type: ignore[operator]
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == sorted([team.member.user.email, team.nurse.user.email, team.recovery_worker.user.email])
    [asked] = _requests(council_a)
    with schema_context(council_a.schema_name):
        join_request_decide(actor=team.nurse, request=asked, approve=True, note="", origin=NO_ORIGIN)
    assert _joined(council_a, team, team.outsider)


def test_nobody_outside_the_team_sees_or_decides_a_request_and_nothing_changes(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    _ask(browser_as(team.outsider), team, django_capture_on_commit_callbacks)  # type: ignore[operator]
    [asked] = _requests(council_a)
    path = f"/clients/{team.client.pk}/join-requests/{asked.pk}/"
    # The asker themselves is not in the team: they cannot approve their own request.
    for who in (team.outsider, team.recovery_colleague):
        browser: Browser = browser_as(who)  # type: ignore[operator]
        assert browser.get(path).status_code == 404
        assert browser.post(path, {"decision": "approve"}).status_code == 404
    with schema_context(council_a.schema_name), pytest.raises(PermissionDenied):
        join_request_decide(actor=team.outsider, request=asked, approve=True, note="", origin=NO_ORIGIN)
    assert not _joined(council_a, team, team.outsider)
    assert _requests(council_a)[0].decision == "pending"
    assert len(audit_events(council_a, action=AuditAction.ACCESS_DENIED)) >= 4
    # A request of another team, under this team's id, is not found either.
    lead: Browser = browser_as(team.member)  # type: ignore[operator]
    assert lead.get(f"/clients/{team.client.pk}/join-requests/{team.client.pk}/").status_code == 404


def test_another_councils_ids_are_not_found(
    council_a: Council,
    council_b: Council,
    client_b: Browser,
    team: Team,
    browser_as: object,
    approval: None,
    django_capture_on_commit_callbacks: object,
) -> None:
    _ask(browser_as(team.outsider), team, django_capture_on_commit_callbacks)  # type: ignore[operator]
    [asked] = _requests(council_a)
    with schema_context(council_b.schema_name):
        stranger = verified_practitioner(AgencyFactory(name="Beta Children's Services"), "Sam", "Stranger")
    sign_in(client_b, stranger.user, council_b)
    path = f"/clients/{team.client.pk}/join-requests/{asked.pk}/"
    assert client_b.get(path).status_code == 404
    assert client_b.post(path, {"decision": "approve"}).status_code == 404
    assert client_b.post(f"/clients/{team.client.pk}/join/", ASK).status_code == 404
    assert not _joined(council_a, team, team.outsider)
    assert len(_requests(council_a)) == 1


def test_the_one_way_to_start_an_involvement_refuses_to_bypass_the_rule(
    council_a: Council, team: Team, approval: None
) -> None:
    with schema_context(council_a.schema_name), pytest.raises(JoinApprovalNeeded):
        involvement_start(viewer=team.outsider, client=team.client, role="x", reason="y", origin=NO_ORIGIN)
    assert not _joined(council_a, team, team.outsider)


def test_the_api_asks_instead_of_joining(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    found = browser.post(
        "/api/v1/clients/search/",
        json.dumps({"surname": "Hughes", "date_of_birth": "2014-06-02"}),
        content_type="application/json",
    )
    assert found.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(
            f"/api/v1/clients/{team.client.pk}/involvements/", json.dumps(ASK), content_type="application/json"
        )
    assert response.status_code == 202
    body = response.json()
    assert body["decision"] == "pending"
    assert body["client_id"] == str(team.client.pk)
    assert not _joined(council_a, team, team.outsider)
    [asked] = _requests(council_a)
    assert body["id"] == str(asked.pk)
    again = browser.post(
        f"/api/v1/clients/{team.client.pk}/involvements/", json.dumps(ASK), content_type="application/json"
    )
    assert again.status_code == 400
    assert "already asked" in again.content.decode()


def test_without_the_rule_joining_is_as_before(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    response = _ask(browser, team, django_capture_on_commit_callbacks)
    assert response.url == f"/clients/{team.client.pk}/"
    assert _joined(council_a, team, team.outsider)
    assert _requests(council_a) == []


def test_a_malformed_decision_is_refused_with_a_clear_error_and_the_request_still_waits(
    council_a: Council, team: Team, browser_as: object, approval: None, django_capture_on_commit_callbacks: object
) -> None:
    _ask(browser_as(team.outsider), team, django_capture_on_commit_callbacks)  # type: ignore[operator]
    [asked] = _requests(council_a)
    lead: Browser = browser_as(team.member)  # type: ignore[operator]
    path = f"/clients/{team.client.pk}/join-requests/{asked.pk}/"
    for data in ({"decision": "maybe"}, {}, {"decision": "decline", "note": "x" * 301}):
        response = lead.post(path, data)
        assert response.status_code == 400
        assert "There is a problem" in text_of(response)
    assert _requests(council_a)[0].decision == "pending"
    assert not _joined(council_a, team, team.outsider)
    assert audit_events(council_a, action__in=[AuditAction.JOIN_APPROVED, AuditAction.JOIN_DECLINED]) == []
