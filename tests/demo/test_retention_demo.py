"""The demo's retention: in Staffordshire a young man whose whole team ended seven years ago (England keeps a client
six years), and the nightly list already made, holding him and nothing else — a small list a privacy officer can
check. The other councils have no list. Made once: topping up the demo, even after the list was decided, changes
nothing."""

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.clients.models import Client, Involvement
from core.governance.rules import RetentionKind
from core.retention.models import RetentionItem, RetentionRun
from demo.populate import TODAY, council_demo_populate
from demo.retention import PAST_CLIENTS
from tests.demo.test_governance_demo import password_hash, populated  # noqa: F401 -- a fixture and its helper

pytestmark = pytest.mark.council_side

PAST = PAST_CLIENTS["staffordshire"]


def test_staffordshire_lists_only_its_past_client_for_the_privacy_officer(
    db: None,
    request: pytest.FixtureRequest,
    password_hash: str,  # noqa: F811
) -> None:
    for _ in populated("staffordshire", request, password_hash):
        client = Client.objects.get(nhs_number=PAST.nhs_number)
        assert (client.first_name, client.surname) == ("Tyler", "Brindley")
        assert client.created_by is not None
        involvements = list(Involvement.objects.filter(client=client))
        assert len(involvements) == 3
        assert not [involvement for involvement in involvements if involvement.ended_on is None]
        last_ended = max(involvement.ended_on for involvement in involvements)
        assert last_ended < TODAY.replace(year=TODAY.year - 7)  # past six years, and not by a day only
        assert client.created_at.date() == min(involvement.started_on for involvement in involvements)

        run = RetentionRun.objects.get()
        assert run.state == RetentionRun.State.PENDING
        assert run.prepared_on == timezone.localdate()  # the council's day, as the nightly task's
        assert run.counts == {
            str(RetentionKind.CLIENTS): 1,
            str(RetentionKind.INVOLVEMENTS): 0,
            str(RetentionKind.TEAM_ACTIVITY): 0,
            str(RetentionKind.SIGN_IN): 0,
            str(RetentionKind.AUDIT): 0,
        }
        assert list(RetentionItem.objects.values_list("kind", "object_uuid")) == [
            (str(RetentionKind.CLIENTS), client.pk)
        ]
        assert AuditEvent.objects.filter(action=AuditAction.RETENTION_RUN_PREPARED).count() == 1


@pytest.mark.parametrize("place", ["brighton-hove", "yarra"])
def test_the_other_councils_have_nothing_due(
    place: str,
    db: None,
    request: pytest.FixtureRequest,
    password_hash: str,  # noqa: F811
) -> None:
    for _ in populated(place, request, password_hash):
        assert not RetentionRun.objects.exists()
        assert not Client.objects.filter(nhs_number=PAST.nhs_number).exists()


def test_topping_up_the_demo_lists_nothing_again_even_once_the_list_is_decided(
    db: None,
    request: pytest.FixtureRequest,
    password_hash: str,  # noqa: F811
) -> None:
    for _ in populated("staffordshire", request, password_hash):
        council = request.getfixturevalue("council_a")
        with schema_context(council.schema_name):
            run = RetentionRun.objects.get()
            council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)
            assert list(RetentionRun.objects.all()) == [run]  # the same list, still waiting

            # Decided and erased (as the journey does): a later top-up does not bring the client back.
            Client.objects.filter(nhs_number=PAST.nhs_number).delete()
            RetentionRun.objects.filter(pk=run.pk).update(state=RetentionRun.State.FINISHED)
            council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)
            assert not Client.objects.filter(nhs_number=PAST.nhs_number).exists()
            assert RetentionRun.objects.count() == 1
