"""The API does what its OpenAPI schema says, for every operation, checked by schemathesis.

The schema is the one the council site serves (``/api/v1/schema/``). Every operation in it is called
in-process through the real WSGI application, on a council's host, as a verified practitioner who
signed in with both factors and who is in a client's team; requests carry the session cookie and the
CSRF token, as a browser's would. Schemathesis generates valid and invalid requests (examples,
boundary values and fuzzed data) and runs every check it has: no server error, status codes, content
types and response bodies as documented, valid data accepted, invalid data refused, unsupported
methods refused, authentication not ignored, and more.

Bounded and repeatable: a fixed seed, deterministic generation, a small number of examples per
operation, no example database. Searching is rate-limited (30 in five minutes per practitioner): the
limit is reset before each call, so that every generated search reaches the criteria checks (a 429 is
documented and would pass anyway, but would test nothing).
"""

import json
import secrets
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client as Browser
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from core.clients.recorded import search_hour_keys, search_rate_key
from tenants.models import Council
from tests.conftest import COUNCILS, host_of, sign_in
from tests.core.clients_api.conftest import Team, search

pytestmark = pytest.mark.council_side

ACCEPTED_OR_REFUSED_BY_DATA = ["2xx", "400", "403", "404", "409", "429"]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260107,
        "generation": {
            "mode": "all",
            "max-examples": 12,
            "deterministic": True,
            "database": "none",
            # The session cookie is the practitioner's real one, sent with every call; the ignored_auth
            # check still sends each operation without it and with a wrong one, and expects a refusal.
            "with-security-parameters": False,
        },
        "checks": {"enabled": True},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        # Where what is valid depends on more than a static OpenAPI document can say, a schema-valid
        # request may still be refused with 400, and positive_data_acceptance is told so (for these three
        # operations only; every other check, and this one for every other status, stays on):
        # * adding a client: the legal basis must be one this council accepts (council data), consent
        #   details are needed for a consent basis only, and a search must come first (session state);
        # * adding and correcting a client: a postcode must be one of the council's jurisdiction (a real
        #   UK postcode, or a Victorian one), and a date of birth is
        #   refused in the future or more than 120 years ago (relative to the council's today);
        # * finding colleagues: "q or agency" spans two query parameters, which OpenAPI 3.0 cannot
        #   require together, and the agency must be one whose staff the viewer may search.
        "operations": [
            {
                "include-path": path,
                "include-method": method,
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "403", "404", "409", "429"]}
                },
            }
            for method, path in (
                ("POST", "/api/v1/clients/"),
                ("PATCH", "/api/v1/clients/{client_id}/"),
                ("GET", "/api/v1/practitioners/"),
            )
        ],
    }
)


@dataclass(frozen=True)
class Caller:
    """What every generated request carries: the council's address, the session, the CSRF token."""

    cookies: dict[str, str]
    headers: dict[str, str]
    council: Council
    team: Team


def _csrf_token() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


COUNCIL_HOST = f"{COUNCILS['council_a']['slug']}.{django_settings.PLATFORM_DOMAIN}"
_handler = WSGIHandler()


def council_site(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """The application as council A's site: every request reaches it for that host, as behind the load
    balancer (the WSGI test client keeps its cookies for its own default host, ``localhost``)."""
    environ["HTTP_HOST"] = COUNCIL_HOST
    return _handler(environ, start_response)


def _keep_connection_open() -> None:
    """In-process requests share the test's database transaction: the application must not close the
    connection at the start and end of each request (Django's test client arranges the same for its own
    requests, and reconnects the signals after each one)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture
def caller(client_a: Browser, council_a: Council, team: Team) -> Iterator[Caller]:
    assert host_of(council_a) == COUNCIL_HOST
    sign_in(client_a, team.member.user, council_a)
    token = _csrf_token()
    cookies = {
        django_settings.SESSION_COOKIE_NAME: client_a.cookies[django_settings.SESSION_COOKIE_NAME].value,
        django_settings.CSRF_COOKIE_NAME: token,
    }
    _keep_connection_open()
    _signed_in.update(cookies=cookies, headers={"X-CSRFToken": token})
    try:
        yield Caller(
            cookies=cookies,
            headers={"X-CSRFToken": token},
            council=council_a,
            team=team,
        )
    finally:
        _signed_in.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema_document() -> dict:
    return SchemaGenerator(urlconf="config.urls_tenant", api_version="1").get_schema(request=None, public=True)


# Built when the module is collected (schemathesis parametrizes one test per operation from it); the
# test below proves it is exactly the document the council site serves.
schema = schemathesis.openapi.from_dict(_schema_document(), config=CONFIG)
schema.app = council_site  # every call, and every probe a check sends, goes to the WSGI application

# The signed-in practitioner's session and CSRF token, for the operation under test (set by ``caller``).
_signed_in: dict[str, dict[str, str]] = {}


@schema.auth(refresh_interval=None)
class SessionAuth:
    """The session cookie is the API's declared authentication (``cookieAuth``): given to schemathesis
    as such, so that its ignored_auth check can send each call without it and with a wrong one."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> dict[str, dict[str, str]] | None:
        return _signed_in or None  # None while pytest collects the tests: nobody is signed in yet

    def set(self, case: schemathesis.Case, data: dict[str, dict[str, str]], ctx: schemathesis.AuthContext) -> None:
        case.cookies = {**(case.cookies or {}), **data["cookies"]}
        case.headers = {**(case.headers or {}), **data["headers"]}


def test_the_schema_under_test_is_the_one_the_site_serves(client_a: Browser, caller: Caller) -> None:
    response = client_a.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(_schema_document()))


def _search_limits_reset(caller: Caller) -> None:
    """The burst limit and the council's hourly limit start again: each example is a fresh practitioner's search."""
    member = caller.team.member
    cache.delete_many([search_rate_key(member), *search_hour_keys(member, now=time.time())])


@schema.parametrize()
# One signed-in session per operation, shared by its examples (each example resets the search limit).
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_its_schema_says(case: schemathesis.Case, caller: Caller, client_a: Browser) -> None:
    with schema_context(caller.council.schema_name):
        _search_limits_reset(caller)
    if (case.method, case.path) == ("POST", "/api/v1/clients/"):
        # As a practitioner would: adding a client comes after a search, in the same session.
        assert search(client_a, surname="Hughes", date_of_birth="2014-06-02").status_code == 200
        _keep_connection_open()
        with schema_context(caller.council.schema_name):
            _search_limits_reset(caller)
    case.call_and_validate()
