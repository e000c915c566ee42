"""The load test's preparation gives accounts that sign in through the real pages (password, then a single-use
backup code), and the plan's clients let each simulated action do its work — checked here with Django's test
client and the same page checks the locustfile uses (demo/load/pages.py), without locust or gunicorn."""

import datetime

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from core.clients.models import Involvement
from demo.load.pages import (
    Cookies,
    involvement_form,
    redirect_problem,
    search_form,
    search_problem,
    team_problem,
)
from demo.management.commands.bench_load import Server, accounts_prepare
from demo.scale import council_generate_large
from tenants.models import Council

pytestmark = pytest.mark.council_side

SIZES = {"clients": 600, "practitioners": 60, "involvements": 1800, "families": 60}
PASSWORD = "Load-test-password-1"


def _post(http: HttpClient, path: str, form: dict[str, str]) -> object:
    return http.post(path, {**form, "csrfmiddlewaretoken": http.cookies[settings.CSRF_COOKIE_NAME].value})


def _signed_in(account: dict) -> HttpClient:
    http = HttpClient(enforce_csrf_checks=True, HTTP_HOST=account["host"])
    assert http.get("/sign-in/").status_code == 200
    answer = _post(http, "/sign-in/", {"email": account["email"], "password": account["password"]})
    assert redirect_problem(answer.status_code, answer["Location"], expected="/sign-in/code/") is None
    answer = _post(http, "/sign-in/code/", {"code": account["code"]})
    assert redirect_problem(answer.status_code, answer["Location"], expected="/") is None
    return http


def test_prepared_accounts_sign_in_once_per_code_and_every_action_does_its_work(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        council_generate_large(**SIZES, seed=3)
    plan = accounts_prepare([council_a], each=2, password=PASSWORD, secret_key=settings.SECRET_KEY)
    accounts = plan["accounts"]
    assert len(accounts) == 2
    assert len({account["email"] for account in accounts}) == 2
    assert all(account["team"] and len(account["to_join"]) == 30 for account in accounts)
    today = datetime.date.fromisoformat(plan["today"])
    account = accounts[0]
    http = _signed_in(account)

    sought = account["to_find"][0]
    dob = datetime.date.fromisoformat(sought["dob"])
    answer = _post(http, "/clients/search/", search_form(surname=sought["surname"], date_of_birth=dob))
    assert search_problem(answer.status_code, answer.content.decode(), sought=sought["name"]) is None

    client_id, role = account["team"][0]
    answer = http.get(f"/clients/{client_id}/")
    assert team_problem(answer.status_code, answer.content.decode(), viewer=account["name"]) is None
    assert http.get(f"/clients/{client_id}/my-involvement/").status_code == 200
    answer = _post(http, f"/clients/{client_id}/my-involvement/", involvement_form(role=role, today=today))
    assert redirect_problem(answer.status_code, answer["Location"], expected=f"/clients/{client_id}/") is None

    joining = account["to_join"][0]
    dob = datetime.date.fromisoformat(joining["dob"])
    answer = _post(http, "/clients/search/", search_form(surname=joining["surname"], date_of_birth=dob))
    assert search_problem(answer.status_code, answer.content.decode(), sought=joining["name"]) is None
    assert http.get(f"/clients/{joining['id']}/join/").status_code == 200
    answer = _post(http, f"/clients/{joining['id']}/join/", {"role": "Social worker", "reason": "Allocated"})
    assert redirect_problem(answer.status_code, answer["Location"], expected=f"/clients/{joining['id']}/") is None
    answer = http.get(f"/clients/{joining['id']}/")
    assert team_problem(answer.status_code, answer.content.decode(), viewer=account["name"]) is None
    with schema_context(council_a.schema_name):
        assert Involvement.objects.filter(client_id=joining["id"], ended_on__isnull=True).exists()

    # The code was used up: a second sign-in with it stops at the second factor, so each run needs fresh codes.
    again = HttpClient(enforce_csrf_checks=True, HTTP_HOST=account["host"])
    again.get("/sign-in/")
    _post(again, "/sign-in/", {"email": account["email"], "password": account["password"]})
    answer = _post(again, "/sign-in/code/", {"code": account["code"]})
    assert answer.status_code == 200  # the form again, with its error
    fresh = accounts_prepare([council_a], each=2, password=PASSWORD, secret_key=settings.SECRET_KEY, seed=2)
    _signed_in(fresh["accounts"][0])


def test_a_page_that_did_no_work_is_a_failure() -> None:
    assert search_problem(200, "<h2>There is a problem</h2>", sought="Jade Hughes") == "the search form was refused"
    assert search_problem(200, "<h2>0 results</h2>", sought="Jade Hughes") == "the sought client is not among the hits"
    assert search_problem(429, "", sought="Jade Hughes") == "search answered 429"
    assert search_problem(200, "<h3>Jade O&#x27;Hughes</h3>", sought="Jade O'Hughes") is None
    assert team_problem(200, "<h1>Jade Hughes</h1>", viewer="Maya Member") == "the viewer is not among the members"
    assert redirect_problem(200, "", expected="/") == "answered 200, not the redirect of a success"
    assert redirect_problem(302, "/sign-in/", expected="/") == "redirected to /sign-in/, not /"


def test_cookies_follow_set_cookie_including_deletion() -> None:
    cookies = Cookies()
    cookies.update(
        [
            "__Host-patchwork-csrf=abc; expires=Wed, 01 Dec 2027 10:00:00 GMT; Max-Age=31449600; Path=/; Secure",
            "__Host-patchwork-session=s1; HttpOnly; Path=/; SameSite=Lax; Secure",
        ]
    )
    assert cookies.csrf_token() == "abc"
    assert cookies.header() == "__Host-patchwork-csrf=abc; __Host-patchwork-session=s1"
    cookies.update(['__Host-patchwork-session=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'])
    assert cookies.header() == "__Host-patchwork-csrf=abc"


def test_web_server_settings_are_given_to_gunicorn_through_its_environment() -> None:
    assert Server.parse("3:4:10000").environment() == {
        "GUNICORN_WORKERS": "3",
        "GUNICORN_THREADS": "4",
        "GUNICORN_MAX_REQUESTS": "10000",
        "GUNICORN_MAX_REQUESTS_JITTER": "1000",
    }
    assert Server().environment() == {}  # infra/gunicorn.conf.py's own defaults
