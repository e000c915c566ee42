"""The search and team-page benchmark (bench_clients) measures real work: run on a small generated council, every
timed search finds the client it looked for and is audited, every team page shows its members and is audited —
and a response that did no work (a refused form, a missing hit) stops the benchmark instead of being timed."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.clients.models import Client
from demo.management.commands.bench_clients import searched_for, team_shown
from demo.scale import council_generate_large
from tenants.models import Council

pytestmark = pytest.mark.council_side

SIZES = {"clients": 2000, "practitioners": 200, "involvements": 6000, "families": 300}


def test_every_timed_request_did_its_work_and_was_audited(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        council_generate_large(**SIZES, seed=7)
    out = StringIO()
    call_command("bench_clients", council_a.slug, "--samples", "12", stdout=out)
    table = out.getvalue()
    assert "| Search, full request through Django |" in table
    assert "| Team page, full request through Django |" in table
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(action=AuditAction.CLIENT_SEARCH, outcome="success").count() >= 10
        assert AuditEvent.objects.filter(action=AuditAction.CLIENT_VIEWED, outcome="success").count() >= 10


def _response(status: int, text: str) -> SimpleNamespace:
    return SimpleNamespace(status_code=status, content=text.encode())


def test_a_refused_form_or_a_missing_hit_is_not_timed_as_a_search() -> None:
    client = Client(first_name="Jade", surname="O'Hughes")
    with pytest.raises(CommandError, match="measured no search"):
        searched_for(_response(200, "<h2>There is a problem</h2>"), client)
    with pytest.raises(CommandError, match="no such hit"):
        searched_for(_response(200, "<h2>0 results</h2>"), client)
    with pytest.raises(CommandError, match="429"):
        searched_for(_response(429, ""), client)
    searched_for(_response(200, "<h3>Jade O&#x27;Hughes</h3>"), client)  # found, as the page escapes it


def test_a_team_page_without_its_members_is_not_timed() -> None:
    viewer = SimpleNamespace(user=SimpleNamespace(full_name="Maya Member"))
    client = Client(first_name="Jade", surname="Hughes")
    with pytest.raises(CommandError, match="did not show its members"):
        team_shown(_response(200, "<h1>Jade Hughes</h1>"), client, viewer)
    with pytest.raises(CommandError, match="404"):
        team_shown(_response(404, ""), client, viewer)
    team_shown(_response(200, "<h3>Maya Member</h3>"), client, viewer)
