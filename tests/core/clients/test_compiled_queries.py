"""A query compiled once (core/compiled_queries.py) runs the ORM's SQL with each call's values, and gives
what the queryset gives."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.clients.models import Client, Involvement
from core.compiled_queries import CompiledQuery, Many
from core.directory.models import Practitioner
from tenants.models import Council
from tests.core.clients.conftest import Team
from tests.factories import ClientFactory, InvolvementFactory

pytestmark = pytest.mark.council_side


def _involvements(*, client_ids: list[object], practitioner_id: object | None) -> QuerySet[Involvement]:
    wanted = Involvement.objects.filter(client_id__in=client_ids)
    if practitioner_id is not None:
        wanted = wanted.filter(practitioner_id=practitioner_id)
    return (
        wanted.select_related("practitioner__user", "practitioner__agency")
        .annotate(
            client_withheld=Exists(
                Client.objects.filter(pk=OuterRef("client_id"), withheld_from_search_since__isnull=False)
            )
        )
        .order_by("started_on", "pk")
    )


INVOLVEMENTS = CompiledQuery(_involvements, client_ids=Many(Client._meta.pk), practitioner_id=Practitioner._meta.pk)


def _seen(rows: list[Involvement]) -> list[tuple[object, ...]]:
    return [
        (
            row.pk,
            row.client_id,
            row.role,
            row.practitioner.user.email,
            row.practitioner.agency.name,
            row.client_withheld,
        )  # type: ignore[attr-defined]
        for row in rows
    ]


def test_a_compiled_query_gives_what_its_queryset_gives_for_each_calls_values(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        other = ClientFactory()
        InvolvementFactory(client=other, practitioner=team.nurse, role="School nurse")
        for client_ids, practitioner_id in (
            ([team.client.pk], None),
            ([team.client.pk, other.pk], None),
            ([other.pk, team.client.pk], team.nurse.pk),
            ([str(other.pk)], team.member.pk),  # as the queryset takes them: a string id too
        ):
            expected = list(_involvements(client_ids=client_ids, practitioner_id=practitioner_id))
            found = INVOLVEMENTS.rows(client_ids=client_ids, practitioner_id=practitioner_id)
            assert _seen(found) == _seen(expected)
        assert len(INVOLVEMENTS.rows(client_ids=[team.client.pk, other.pk], practitioner_id=None)) == 4


def test_a_compiled_query_runs_the_querysets_sql_in_one_statement(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        INVOLVEMENTS.rows(client_ids=[team.client.pk], practitioner_id=team.member.pk)  # compiled, search path set
        with CaptureQueriesContext(connection) as orm:
            list(_involvements(client_ids=[team.client.pk], practitioner_id=team.member.pk))
        with CaptureQueriesContext(connection) as compiled:
            INVOLVEMENTS.rows(client_ids=[team.client.pk], practitioner_id=team.member.pk)
    assert [query["sql"] for query in compiled.captured_queries] == [query["sql"] for query in orm.captured_queries]
    assert council_a.schema_name not in compiled.captured_queries[0]["sql"]  # the schema is on the search path


def test_a_parameter_the_query_rewrites_is_refused(council_a: Council) -> None:
    """A LIKE pattern is built from the value: binding the value as it is would search for something else."""
    starting = CompiledQuery(
        lambda *, name: Client.objects.filter(surname__istartswith=name), name=Client._meta.get_field("surname")
    )
    with schema_context(council_a.schema_name), pytest.raises(ValueError, match="transformed"):
        starting.rows(name="Hug")


def test_a_parameter_the_query_leaves_out_is_refused(council_a: Council) -> None:
    unused = CompiledQuery(lambda *, client_id: Client.objects.all(), client_id=Client._meta.pk)
    with schema_context(council_a.schema_name), pytest.raises(ValueError, match="not a parameter"):
        unused.rows(client_id="00000000-0000-0000-0000-000000000001")


def test_a_query_that_reads_the_clock_is_refused(council_a: Council) -> None:
    """Compiled once, the time it read would be kept for every later request."""
    since = CompiledQuery(
        lambda *, client_id: Client.objects.filter(pk=client_id, created_at__lte=timezone.now()),
        client_id=Client._meta.pk,
    )
    with schema_context(council_a.schema_name), pytest.raises(ValueError, match="more than its parameters"):
        since.rows(client_id="00000000-0000-0000-0000-000000000001")
