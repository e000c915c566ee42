"""PATCH /api/v1/clients/<id>/: a team member corrects a client's details (allow-listed, checked, audited)."""

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client, TeamActivity
from tenants.models import Council
from tests.core.clients_api.conftest import Team, patch_json

pytestmark = pytest.mark.council_side


def _url(team: Team) -> str:
    return f"/api/v1/clients/{team.client.pk}/"


def _corrections(council: Council) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(action=AuditAction.CLIENT_CORRECTED))


def test_a_member_corrects_details_and_gets_the_client_back(as_member: Browser, council_a: Council, team: Team) -> None:
    response = patch_json(as_member, _url(team), {"first_name": "Jayde", "postcode": "ws13 6yz", "town": "Lichfield"})
    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["postcode"], body["town"], body["surname"]) == (
        "Jayde",
        "WS13 6YZ",
        "Lichfield",
        "Hughes",
    )
    [event] = _corrections(council_a)
    assert event.actor_id == team.member.user.pk
    assert event.changes == {
        "first_name": {"old": "Jade", "new": "Jayde"},
        "postcode": {"old": "WS13 6YY", "new": "WS13 6YZ"},
        "town": {"old": "", "new": "Lichfield"},
    }
    with schema_context(council_a.schema_name):
        assert TeamActivity.objects.filter(client=team.client, kind=TeamActivity.Kind.CORRECTED).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"legal_basis": "consent"}, "legal_basis"),
        ({"created_by": None}, "created_by"),
        ({"postcode": "3121"}, "postcode"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"nhs_number": "12345"}, "nhs_number"),
        ({"surname": ""}, "surname"),
    ],
)
def test_fields_not_allowed_or_not_valid_are_400_and_change_nothing(
    as_member: Browser, council_a: Council, team: Team, body: dict[str, object], field: str
) -> None:
    response = patch_json(as_member, _url(team), body)
    assert response.status_code == 400
    assert field in response.json()
    with schema_context(council_a.schema_name):
        client = Client.objects.get(pk=team.client.pk)
    assert (client.postcode, client.nhs_number, client.surname) == ("WS13 6YY", "9434765919", "Hughes")
    assert _corrections(council_a) == []


def test_someone_outside_the_team_gets_404_and_the_attempt_is_recorded(
    as_outsider: Browser, council_a: Council, team: Team
) -> None:
    response = patch_json(as_outsider, _url(team), {"surname": "Changed"})
    assert response.status_code == 404
    with schema_context(council_a.schema_name):
        assert Client.objects.get(pk=team.client.pk).surname == "Hughes"
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, outcome=AuditOutcome.DENIED, object_id=str(team.client.pk)
        ).exists()
    assert _corrections(council_a) == []
