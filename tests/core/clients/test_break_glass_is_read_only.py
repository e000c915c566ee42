"""Break-glass opens a team to be read, not to be worked in: the practitioner who opened it is offered no
correction, and their attempts to correct the client, invite, or act on an involvement are refused with
nothing changed."""

import pytest
from django_tenants.utils import schema_context

from core.clients.models import Client, Involvement, TeamInvitation
from core.directory.models import Practitioner
from tenants.models import Council
from tests.core.clients.conftest import Team
from tests.core.clients.test_break_glass import Emergency, emergency_set_up, open_access, rules_in_force, signed_in


@pytest.fixture
def emergency_opened(council_a: Council, team: Team) -> Emergency:
    """Otto holds the MASH role the rules hold (tests/core/clients/test_break_glass.py)."""
    return emergency_set_up(council_a, team)


def test_the_team_page_offers_no_correction_to_a_break_glass_viewer(
    council_a: Council, emergency_opened: Emergency
) -> None:
    team = emergency_opened.team
    open_access(council_a, emergency_opened.opener, team.client.pk)
    page = signed_in(council_a, emergency_opened.opener).get(f"/clients/{team.client.pk}/")
    assert page.status_code == 200
    assert f"/clients/{team.client.pk}/correct/" not in page.content.decode()


def test_writes_to_the_team_are_refused_and_change_nothing(council_a: Council, emergency_opened: Emergency) -> None:
    team: Team = emergency_opened.team
    open_access(council_a, emergency_opened.opener, team.client.pk)
    browser = signed_in(council_a, emergency_opened.opener)
    with schema_context(council_a.schema_name):
        before = Client.objects.values().get(pk=team.client.pk)
        involvements = list(Involvement.objects.filter(client=team.client).values())
        invitations = TeamInvitation.objects.filter(client=team.client).count()
    attempts = {
        f"/clients/{team.client.pk}/correct/": {"first_name": "Changed", "surname": "Changed"},
        f"/clients/{team.client.pk}/invite/": {"invitee": str(team.nurse.pk)},
        f"/clients/{team.client.pk}/my-involvement/": {"role": "Observer"},
        f"/clients/{team.client.pk}/my-involvement/end/": {},
    }
    for path, data in attempts.items():
        assert browser.post(path, data).status_code == 404, path
    with schema_context(council_a.schema_name):
        after = Client.objects.values().get(pk=team.client.pk)
        assert after == before
        assert list(Involvement.objects.filter(client=team.client).values()) == involvements
        assert TeamInvitation.objects.filter(client=team.client).count() == invitations


def test_taking_the_role_away_closes_the_team_at_once(council_a: Council, emergency_opened: Emergency) -> None:
    team = emergency_opened.team
    open_access(council_a, emergency_opened.opener, team.client.pk)
    browser = signed_in(council_a, emergency_opened.opener)
    assert browser.get(f"/clients/{team.client.pk}/").status_code == 200
    with schema_context(council_a.schema_name):
        Practitioner.objects.filter(pk=emergency_opened.opener.pk).update(break_glass_role="")
    assert browser.get(f"/clients/{team.client.pk}/").status_code == 404


def test_taking_the_role_out_of_the_rules_closes_the_team_at_once(
    council_a: Council, emergency_opened: Emergency
) -> None:
    team = emergency_opened.team
    open_access(council_a, emergency_opened.opener, team.client.pk)
    browser = signed_in(council_a, emergency_opened.opener)
    assert browser.get(f"/clients/{team.client.pk}/").status_code == 200
    rules_in_force(council_a)  # a new version without the MASH role
    assert browser.get(f"/clients/{team.client.pk}/").status_code == 404
