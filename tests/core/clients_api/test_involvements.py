"""Joining a team and keeping one's own involvement current through the API (journeys 5 and 6).

A practitioner joins only a client they have just found in a search (or were invited to), with a
reason; the team is told. Only their own current involvement can be changed or ended. Privileged or
unknown fields are refused and never applied (DP-4).
"""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client as Browser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Involvement, TeamActivity, TeamInvitation
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients_api.conftest import (
    Team,
    end_url,
    join_url,
    mine_url,
    patch_json,
    post_json,
    practitioner,
    search,
    team_url,
)
from tests.factories import ClientFactory

pytestmark = pytest.mark.council_side

JOIN = {"role": "Youth worker", "reason": "Referred by the school for mentoring"}


def _found(browser: Browser) -> None:
    """The viewer finds the client first, as the journey requires."""
    response = search(browser, surname="Hughes", date_of_birth="2014-06-02")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def _involvements(council: Council, team: Team, who: Any) -> list[Involvement]:
    with schema_context(council.schema_name):
        return list(Involvement.objects.filter(client=team.client, practitioner=who))


# --- Joining ---------------------------------------------------------------------------------------


def test_joining_without_having_found_the_client_is_404_and_creates_nothing(
    as_outsider: Browser, council_a: Council, team: Team
) -> None:
    response = post_json(as_outsider, join_url(team.client.pk), JOIN)
    assert response.status_code == 404
    assert _involvements(council_a, team, team.outsider) == []
    with schema_context(council_a.schema_name):
        assert not TeamActivity.objects.filter(client=team.client, actor=team.outsider).exists()
        denied = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED, actor_id=team.outsider.user.pk)
    assert denied.object_id == str(team.client.pk)


def test_joining_a_client_the_last_search_did_not_return_is_404(
    as_outsider: Browser, council_a: Council, team: Team
) -> None:
    _found(as_outsider)
    search(as_outsider, surname="Nobody", date_of_birth="2001-01-01")  # the last search replaces the hits
    assert post_json(as_outsider, join_url(team.client.pk), JOIN).status_code == 404
    assert _involvements(council_a, team, team.outsider) == []


def test_joining_an_unknown_client_is_404(as_outsider: Browser, team: Team) -> None:
    _found(as_outsider)
    assert post_json(as_outsider, join_url("00000000-0000-4000-8000-000000000000"), JOIN).status_code == 404


def test_joining_a_found_client_with_a_reason_records_it_and_tells_the_team(
    as_outsider: Browser, council_a: Council, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    _found(as_outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(as_outsider, join_url(team.client.pk), JOIN)
    assert response.status_code == 201
    [involvement] = _involvements(council_a, team, team.outsider)
    assert response.json() == {
        "id": str(involvement.pk),
        "client_id": str(team.client.pk),
        "role": "Youth worker",
        "is_lead": False,
        "reason": "Referred by the school for mentoring",
        "started_on": timezone.localdate().isoformat(),
        "ended_on": None,
        "last_contact_on": None,
        "next_contact_on": None,
    }
    with schema_context(council_a.schema_name):
        assert TeamActivity.objects.filter(
            client=team.client, actor=team.outsider, kind=TeamActivity.Kind.JOINED
        ).exists()
        started = AuditEvent.objects.get(action=AuditAction.INVOLVEMENT_STARTED, actor_id=team.outsider.user.pk)
    assert (started.outcome, started.object_id) == (AuditOutcome.SUCCESS, str(team.client.pk))
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == sorted(
        person.user.email for person in (team.member, team.nurse, team.recovery_worker, team.recovery_peer)
    )
    for message in mail.outbox:
        assert "Hughes" not in message.body
        assert "Jade" not in message.body
    # Now in the team: the team is visible.
    assert as_outsider.get(team_url(team.client.pk)).status_code == 200


def test_joining_needs_a_reason(as_outsider: Browser, council_a: Council, team: Team) -> None:
    _found(as_outsider)
    for body in ({"role": "Youth worker"}, {"role": "Youth worker", "reason": "   "}):
        response = post_json(as_outsider, join_url(team.client.pk), body)
        assert response.status_code == 400
        assert "reason" in response.json()
    assert _involvements(council_a, team, team.outsider) == []


@pytest.mark.parametrize(
    "privileged",
    [
        {"is_lead": True},
        {"practitioner_id": "PRACTITIONER"},
        {"client_id": "00000000-0000-4000-8000-000000000000"},
        {"council": "beta"},
        {"started_on": "2020-01-01"},
    ],
)
def test_joining_refuses_privileged_fields_and_applies_none_of_them(
    as_outsider: Browser, council_a: Council, team: Team, privileged: dict[str, object]
) -> None:
    _found(as_outsider)
    body = JOIN | {key: str(team.nurse.pk) if value == "PRACTITIONER" else value for key, value in privileged.items()}
    response = post_json(as_outsider, join_url(team.client.pk), body)
    assert response.status_code == 400
    assert set(response.json()) == set(privileged)
    assert _involvements(council_a, team, team.outsider) == []
    with schema_context(council_a.schema_name):
        assert Involvement.objects.filter(client=team.client, practitioner=team.nurse).count() == 1


def test_joining_twice_is_refused(as_member: Browser, council_a: Council, team: Team) -> None:
    _found(as_member)
    response = post_json(as_member, join_url(team.client.pk), JOIN)
    assert response.status_code == 400
    assert response.json() == {"role": ["You are already in this team."]}
    assert len(_involvements(council_a, team, team.member)) == 1


def test_an_invitation_lets_a_colleague_join_without_searching(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        invitation = TeamInvitation.objects.create(client=team.client, invited_by=team.member, invitee=team.outsider)
    sign_in(client_a, team.outsider.user, council_a)
    response = post_json(client_a, join_url(team.client.pk), JOIN)
    assert response.status_code == 201
    with schema_context(council_a.schema_name):
        invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_an_invitation_by_work_email_lets_the_newly_registered_colleague_join(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        TeamInvitation.objects.create(
            client=team.client, invited_by=team.member, invitee_email=team.outsider.user.email.upper()
        )
    sign_in(client_a, team.outsider.user, council_a)
    assert post_json(client_a, join_url(team.client.pk), JOIN).status_code == 201


def test_an_answered_invitation_or_one_for_someone_else_does_not_let_anyone_join(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        TeamInvitation.objects.create(
            client=team.client, invited_by=team.member, invitee=team.outsider, answered_at=timezone.now()
        )
        TeamInvitation.objects.create(client=team.client, invited_by=team.member, invitee_email="other@school.example")
    sign_in(client_a, team.outsider.user, council_a)
    assert post_json(client_a, join_url(team.client.pk), JOIN).status_code == 404
    assert _involvements(council_a, team, team.outsider) == []


def test_a_practitioner_not_yet_verified_by_their_agency_cannot_join(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        newcomer = practitioner(team.children, "Nell", "Newcomer")
        newcomer.verified_at = None
        newcomer.save(update_fields=["verified_at"])
        TeamInvitation.objects.create(client=team.client, invited_by=team.member, invitee=newcomer)
    sign_in(client_a, newcomer.user, council_a)
    assert post_json(client_a, join_url(team.client.pk), JOIN).status_code == 403
    assert _involvements(council_a, team, newcomer) == []


# --- Keeping my involvement current ----------------------------------------------------------------


def test_member_updates_their_own_involvement(as_member: Browser, council_a: Council, team: Team) -> None:
    today = timezone.localdate()
    changes = {
        "role": "Senior social worker",
        "last_contact_on": (today - datetime.timedelta(days=2)).isoformat(),
        "next_contact_on": (today + datetime.timedelta(days=7)).isoformat(),
    }
    response = patch_json(as_member, mine_url(team.client.pk), changes)
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in changes} == changes
    assert body["is_lead"] is True  # left out, so kept
    with schema_context(council_a.schema_name):
        involvement = Involvement.objects.get(pk=team.member_involvement.pk)
        assert involvement.role == "Senior social worker"
        assert involvement.next_contact_on == today + datetime.timedelta(days=7)
        assert TeamActivity.objects.filter(actor=team.member, kind=TeamActivity.Kind.UPDATED).exists()
        assert AuditEvent.objects.filter(
            action=AuditAction.INVOLVEMENT_UPDATED, object_id=str(involvement.pk), outcome=AuditOutcome.SUCCESS
        ).exists()


def test_a_date_can_be_cleared_with_null(as_member: Browser, council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(pk=team.member_involvement.pk).update(
            next_contact_on=timezone.localdate() + datetime.timedelta(days=3)
        )
    response = patch_json(as_member, mine_url(team.client.pk), {"next_contact_on": None})
    assert response.status_code == 200
    assert response.json()["next_contact_on"] is None


def test_becoming_lead_professional_takes_over_from_the_previous_lead_and_tells_the_team(
    client_a: Browser, council_a: Council, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client_a, team.nurse.user, council_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = patch_json(client_a, mine_url(team.client.pk), {"is_lead": True})
    assert response.status_code == 200
    assert response.json()["is_lead"] is True
    with schema_context(council_a.schema_name):
        assert Involvement.objects.get(pk=team.member_involvement.pk).is_lead is False
    assert team.member.user.email in {address for message in mail.outbox for address in message.to}


def test_the_services_rules_answer_400_with_the_field(as_member: Browser, team: Team) -> None:
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = patch_json(as_member, mine_url(team.client.pk), {"last_contact_on": tomorrow})
    assert response.status_code == 400
    assert response.json() == {"last_contact_on": ["The last contact cannot be in the future."]}


def test_an_empty_update_is_refused(as_member: Browser, team: Team) -> None:
    assert patch_json(as_member, mine_url(team.client.pk), {}).status_code == 400


@pytest.mark.parametrize(
    "privileged",
    [{"ended_on": "2026-01-06"}, {"started_on": "2020-01-01"}, {"practitioner_id": "x"}, {"client_id": "x"}],
)
def test_update_refuses_privileged_fields_and_applies_nothing(
    as_member: Browser, council_a: Council, team: Team, privileged: dict[str, object]
) -> None:
    response = patch_json(as_member, mine_url(team.client.pk), {"role": "Changed"} | privileged)
    assert response.status_code == 400
    assert set(response.json()) == set(privileged)
    with schema_context(council_a.schema_name):
        involvement = Involvement.objects.get(pk=team.member_involvement.pk)
    assert (involvement.role, involvement.started_on, involvement.ended_on) == (
        "Social worker",
        datetime.date(2026, 1, 5),
        None,
    )


def test_someone_outside_the_team_has_no_involvement_to_update_or_end(
    as_outsider: Browser, council_a: Council, team: Team
) -> None:
    assert patch_json(as_outsider, mine_url(team.client.pk), {"role": "Intruder"}).status_code == 404
    assert post_json(as_outsider, end_url(team.client.pk)).status_code == 404
    with schema_context(council_a.schema_name):
        assert Involvement.objects.filter(client=team.client, ended_on__isnull=True).count() == 4
        assert not Involvement.objects.filter(role="Intruder").exists()


def test_member_ends_their_involvement_and_no_longer_sees_the_team(
    as_member: Browser, council_a: Council, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(as_member, end_url(team.client.pk))
    assert response.status_code == 200
    body = response.json()
    assert (body["ended_on"], body["is_lead"]) == (timezone.localdate().isoformat(), False)
    with schema_context(council_a.schema_name):
        assert TeamActivity.objects.filter(actor=team.member, kind=TeamActivity.Kind.LEFT).exists()
    assert team.nurse.user.email in {address for message in mail.outbox for address in message.to}
    assert as_member.get(team_url(team.client.pk)).status_code == 404
    assert post_json(as_member, end_url(team.client.pk)).status_code == 404  # nothing left to end


def test_ending_with_no_body_at_all_works(as_member: Browser, team: Team) -> None:
    assert as_member.post(end_url(team.client.pk), content_type="application/json").status_code == 200


def test_ending_refuses_fields(as_member: Browser, council_a: Council, team: Team) -> None:
    response = post_json(as_member, end_url(team.client.pk), {"practitioner_id": str(team.nurse.pk)})
    assert response.status_code == 400
    assert _involvements(council_a, team, team.member)[0].ended_on is None
    with schema_context(council_a.schema_name):
        assert Involvement.objects.get(client=team.client, practitioner=team.nurse).ended_on is None


def test_another_councils_client_has_no_involvement_here(as_member: Browser, council_b: Council, team: Team) -> None:
    with schema_context(council_b.schema_name):
        b_client = ClientFactory()
    assert patch_json(as_member, mine_url(b_client.pk), {"role": "x"}).status_code == 404
    assert post_json(as_member, end_url(b_client.pk)).status_code == 404
    assert post_json(as_member, join_url(b_client.pk), JOIN).status_code == 404
