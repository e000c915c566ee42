"""The host → council answer is remembered in each process, and forgotten as soon as a council or a domain
changes: at once in the process that changed it, within a second in every other (tenants/routing.py)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.council.services.lifecycle import council_transition
from tenants import routing
from tenants.models import Council, CouncilStatus, Domain
from tests.conftest import host_of

pytestmark = pytest.mark.platform_side

PAGE = "/accessibility/"  # a council's page that reads nothing of its own


def _lookups(host: str) -> int:
    """How many times a request to ``host`` read the domains table to find its council."""
    with CaptureQueriesContext(connection) as queries:
        Client(HTTP_HOST=host).get(PAGE)
    return sum('"tenants_domain"' in query["sql"] for query in queries.captured_queries)


def test_a_council_is_read_once_then_remembered(council_a: Council) -> None:
    host = host_of(council_a)
    assert _lookups(host) == 1
    assert _lookups(host) == 0
    assert Client(HTTP_HOST=host).get(PAGE).wsgi_request.council == council_a


def test_each_request_gets_its_own_copy_of_the_council(council_a: Council) -> None:
    host = host_of(council_a)
    first, second = routing.council_at(host), routing.council_at(host)
    assert first == second == council_a
    assert first is not second
    first.domain_url = "changed.example"  # a request setting something on its council…
    assert routing.council_at(host).domain_url != "changed.example"  # …does not reach the next


def test_an_unknown_host_is_not_remembered(db: None) -> None:
    assert _lookups("nobody.localhost") == 1
    assert _lookups("nobody.localhost") == 1
    assert "nobody.localhost" not in routing._councils


def test_suspending_a_council_is_seen_by_the_very_next_request(council_a: Council) -> None:
    client = Client(HTTP_HOST=host_of(council_a))
    assert client.get(PAGE).status_code == 200
    council_transition(council=council_a, to=CouncilStatus.SUSPENDED, actor=None, reason="Unpaid invoice")
    assert client.get(PAGE).status_code == 503


def test_a_removed_domain_stops_answering_at_once(council_a: Council) -> None:
    Domain.objects.create(domain="alpha-extra.localhost", tenant=council_a, is_primary=False)
    client = Client(HTTP_HOST="alpha-extra.localhost")
    assert client.get(PAGE).status_code == 200
    Domain.objects.filter(domain="alpha-extra.localhost").delete()  # a queryset delete still sends post_delete
    assert client.get(PAGE).status_code == 404


def test_a_change_made_by_another_process_is_seen_once_it_is_announced(
    council_a: Council, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process changes the council (no signal reaches this one) and announces it by moving the generation
    number in the shared cache; this process compares generations (at most once a second; here on every request)
    and forgets what it remembered."""
    client = Client(HTTP_HOST=host_of(council_a))
    assert client.get(PAGE).status_code == 200  # remembered
    monkeypatch.setattr(routing, "CHECK_SECONDS", 0.0)
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.SUSPENDED)  # the other process's change
    assert client.get(PAGE).status_code == 200  # not announced yet: still served as remembered
    cache.set(routing.GENERATION_KEY, (cache.get(routing.GENERATION_KEY) or 0) + 1, timeout=None)  # announced
    assert client.get(PAGE).status_code == 503


def test_a_committed_change_moves_the_shared_generation(council_a: Council) -> None:
    before = cache.get(routing.GENERATION_KEY) or 0
    routing._announce_change()  # what runs once a council's or a domain's change commits
    assert cache.get(routing.GENERATION_KEY) == before + 1
