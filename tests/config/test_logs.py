"""Structured logs: each line names its request, council, trace and task, and never what a person typed.

Lines are captured as production writes them: a handler with ``config.logs.JsonFormatter`` on the root logger.
"""

import io
import json
import logging
import runpy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context
from gunicorn.config import Config

from config.celery import app
from config.logs import JsonFormatter
from tenants.models import Council
from tenants.tasks_base import CouncilTask
from tests.config.test_settings import PRODUCTION_ENV, _settings
from tests.conftest import host_of

ROOT = Path(__file__).resolve().parents[2]
TRACE_ROOT = "1-67891233-abcdef012345678912345678"
TRACE_HEADER = f"Self=1-67891233-12456789abcdef012345678;Root={TRACE_ROOT};Sampled=1"
NAME = "Jane Smith"

task_logger = logging.getLogger("tests.config.test_logs")


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.text.splitlines()]

    def from_logger(self, name: str) -> list[dict[str, object]]:
        return [line for line in self.lines if line["logger"] == name]


@pytest.fixture
def captured() -> Iterator[Captured]:
    """Every line any logger writes (DEBUG and up), formatted by the production formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


# --- Requests ------------------------------------------------------------------------------------


@pytest.mark.council_side
def test_a_line_logged_during_a_council_request_names_the_request_the_council_and_the_trace(
    council_a: Council, captured: Captured
) -> None:
    browser = Client(HTTP_HOST=host_of(council_a), enforce_csrf_checks=True)
    response = browser.post(
        "/sign-in/", {"email": "someone@example.org"}, headers={"X-Request-Id": "req-0123456789", **_trace()}
    )
    assert response.status_code == 403  # no CSRF cookie: Django logs the refusal
    [refusal] = captured.from_logger("django.security.csrf")
    assert refusal["level"] == "WARNING"
    assert refusal["message"] == "Forbidden (CSRF cookie not set.): /sign-in/"
    assert refusal["request_id"] == "req-0123456789"
    assert refusal["schema"] == council_a.schema_name
    assert refusal["trace_id"] == TRACE_ROOT
    assert refusal["time"].endswith("+00:00")


@pytest.mark.platform_side
def test_the_line_django_writes_after_the_middleware_for_a_not_found_still_names_the_request(
    platform_client: Client, captured: Captured
) -> None:
    response = platform_client.get("/no-such-page/", headers={"X-Request-Id": "abcdef12-3456"})
    assert response.status_code == 404
    [not_found] = captured.from_logger("django.request")
    assert not_found["message"] == "Not Found: /no-such-page/"
    assert not_found["request_id"] == "abcdef12-3456"
    assert not_found["schema"] == "public"
    assert "trace_id" not in not_found  # no load balancer in front of the test client


@pytest.mark.platform_side
def test_after_the_response_nothing_of_the_request_is_written_with_later_lines(
    platform_client: Client, captured: Captured
) -> None:
    platform_client.get("/no-such-page/", headers={"X-Request-Id": "abcdef12-3456", **_trace()})
    logging.getLogger("tests.later").warning("between requests")
    [later] = captured.from_logger("tests.later")
    assert set(later) == {"time", "level", "logger", "message"}


@pytest.mark.platform_side
def test_the_response_echoes_a_well_formed_request_id(platform_client: Client) -> None:
    response = platform_client.get("/no-such-page/", headers={"X-Request-Id": "0f3c2a9e-77b1-4c1e-9d7a-5b6e2f1a0c3d"})
    assert response["X-Request-Id"] == "0f3c2a9e-77b1-4c1e-9d7a-5b6e2f1a0c3d"


@pytest.mark.platform_side
def test_a_request_without_an_id_is_given_a_new_one(platform_client: Client) -> None:
    first = platform_client.get("/no-such-page/")["X-Request-Id"]
    second = platform_client.get("/no-such-page/")["X-Request-Id"]
    assert len(first) == 32
    assert int(first, 16) >= 0
    assert first != second


@pytest.mark.platform_side
@pytest.mark.parametrize(
    "sent",
    [
        "short",  # under 8 characters
        "x" * 65,  # over 64
        "Jane Smith jane@example.org",  # spaces and an address
        "abcdefgh\nforged line",  # a new line to forge a second log line
        "abcdefgh;rm",
        "abcdéfghi",
    ],
)
def test_a_malformed_request_id_is_replaced_and_never_written(
    platform_client: Client, captured: Captured, sent: str
) -> None:
    response = platform_client.get("/no-such-page/", HTTP_X_REQUEST_ID=sent)
    replaced = response["X-Request-Id"]
    assert replaced != sent
    assert len(replaced) == 32
    int(replaced, 16)
    [not_found] = captured.from_logger("django.request")
    assert not_found["request_id"] == replaced
    assert sent not in captured.text


@pytest.mark.platform_side
def test_a_trace_header_a_client_made_up_is_not_written(platform_client: Client, captured: Captured) -> None:
    platform_client.get("/no-such-page/", headers={"X-Amzn-Trace-Id": f"Root={NAME}"})
    [not_found] = captured.from_logger("django.request")
    assert "trace_id" not in not_found
    assert NAME not in captured.text


@pytest.mark.council_side
def test_a_query_string_never_reaches_a_log_line(council_a: Council, captured: Captured) -> None:
    browser = Client(HTTP_HOST=host_of(council_a), enforce_csrf_checks=True)
    browser.post("/sign-in/?q=Jane+Smith", {"email": "jane.smith@example.org"})
    Client(HTTP_HOST="localhost").get("/no-such-page/?q=Jane+Smith&email=jane.smith%40example.org")
    assert len(captured.lines) >= 2
    for forbidden in ("Jane", "Smith", "jane.smith", "q="):
        assert forbidden not in captured.text


# --- Errors --------------------------------------------------------------------------------------


def test_an_error_is_logged_with_its_exception_but_never_the_request_django_attaches(captured: Captured) -> None:
    request = RequestFactory().post(
        "/clients/search/?q=Jane+Smith", {"surname": "Smith"}, headers={"Cookie": "sessionid=secret-cookie"}
    )
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        # As django.request logs a server error: the request object rides along in the record's extras.
        logging.getLogger("django.request").exception(
            "Internal Server Error: %s", request.path, extra={"status_code": 500, "request": request}
        )
    [error] = captured.from_logger("django.request")
    assert error["level"] == "ERROR"
    assert error["message"] == "Internal Server Error: /clients/search/"
    assert "ZeroDivisionError: division by zero" in error["exception"]
    assert set(error) == {"time", "level", "logger", "message", "exception"}
    for forbidden in ("Jane", "Smith", "secret-cookie", "surname", "status_code"):
        assert forbidden not in captured.text


# --- Celery tasks --------------------------------------------------------------------------------


@app.task(base=CouncilTask, name="tests.logs_probe")
def logs_probe() -> str:
    task_logger.info("probe ran")
    return "done"


@pytest.mark.council_side
def test_a_council_task_logs_its_id_name_and_council(council_a: Council, captured: Captured) -> None:
    with schema_context(council_a.schema_name):
        result = logs_probe.apply()
    assert result.get() == "done"
    [line] = captured.from_logger(task_logger.name)
    assert line["message"] == "probe ran"
    assert line["task_id"] == result.id
    assert line["task_name"] == "tests.logs_probe"
    assert line["schema"] == council_a.schema_name
    task_logger.info("after the task")
    after = captured.from_logger(task_logger.name)[-1]
    assert "task_id" not in after
    assert "schema" not in after


@pytest.mark.council_side
def test_a_task_run_within_a_request_keeps_the_request_id_and_gives_the_request_its_schema_back(
    council_a: Council, captured: Captured
) -> None:
    from config.logs import request_id_var, schema_var

    request_token = request_id_var.set("req-0123456789")
    schema_token = schema_var.set("public")
    try:
        with schema_context(council_a.schema_name):
            logs_probe.apply()
        [line] = captured.from_logger(task_logger.name)
        assert line["request_id"] == "req-0123456789"
        assert line["schema"] == council_a.schema_name
        assert schema_var.get() == "public"
    finally:
        schema_var.reset(schema_token)
        request_id_var.reset(request_token)


@pytest.fixture(scope="module")
def celery_worker(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield


@pytest.mark.council_side
def test_a_task_run_by_a_worker_logs_its_id_name_and_council_through_the_same_handlers(
    celery_worker: None, council_b: Council, captured: Captured
) -> None:
    with schema_context(council_b.schema_name):
        result = logs_probe.delay()
    assert result.get(timeout=30) == "done"
    [line] = captured.from_logger(task_logger.name)
    assert line["task_id"] == result.id
    assert line["task_name"] == "tests.logs_probe"
    assert line["schema"] == council_b.schema_name
    assert "request_id" not in line


# --- Settings ------------------------------------------------------------------------------------


def test_production_writes_json_lines_by_default() -> None:
    result = _settings(
        "config.settings.production",
        PRODUCTION_ENV,
        "__import__('logging').getLogger('patchwork.check').warning('ready')",
    )
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(text) for text in result.stderr.splitlines() if "patchwork.check" in text]
    assert line["logger"] == "patchwork.check"
    assert line["level"] == "WARNING"
    assert line["message"] == "ready"


def test_production_can_be_told_to_write_plain_lines() -> None:
    result = _settings(
        "config.settings.production", PRODUCTION_ENV | {"LOG_FORMAT": "plain"}, "settings.LOGGING['handlers']"
    )
    assert result.returncode == 0, result.stderr
    assert "'formatter': 'plain'" in result.stdout


def test_an_unknown_log_format_refuses_to_start() -> None:
    result = _settings("config.settings.production", PRODUCTION_ENV | {"LOG_FORMAT": "xml"}, "settings.LOGGING")
    assert result.returncode != 0
    assert "LOG_FORMAT must be one of plain, json, not 'xml'." in result.stderr


def test_development_and_tests_write_plain_lines() -> None:
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"


# --- gunicorn's access log -----------------------------------------------------------------------


def _gunicorn_access_line(*, path: str, query: str) -> str:
    """The line gunicorn's access log writes for one request, with infra/gunicorn.conf.py's settings."""
    settings = runpy.run_path(str(ROOT / "infra" / "gunicorn.conf.py"))
    config = Config()
    for name in ("accesslog", "access_log_format", "logger_class"):
        config.set(name, settings[name])
    logger = settings["logger_class"](config)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.3.17",
        "HTTP_REFERER": f"https://alpha.patchwork.example{path}?{query}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[("X-Request-Id", "abcdef12-3456")])
    request = SimpleNamespace(headers=[("X-AMZN-TRACE-ID", TRACE_HEADER), ("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, timedelta(milliseconds=87))
    return stream.getvalue()


def test_gunicorn_access_log_is_json_with_the_path_status_duration_and_request_id() -> None:
    [line] = _gunicorn_access_line(path="/clients/search/", query="q=Jane+Smith").splitlines()
    entry = json.loads(line)
    assert entry["path"] == "/clients/search/"
    assert entry["method"] == "GET"
    assert entry["status"] == 200
    assert entry["duration_ms"] == 87
    assert entry["request_id"] == "abcdef12-3456"
    assert entry["trace_id"] == TRACE_ROOT
    assert entry["time"].endswith("+00:00")


def test_gunicorn_access_log_never_writes_the_query_string_referrer_or_user_agent() -> None:
    settings = runpy.run_path(str(ROOT / "infra" / "gunicorn.conf.py"))
    access_format = settings["access_log_format"]
    assert "%(U)s" in access_format
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%(a)s", "{referer}i", "{user-agent}i", "%(u)s"):
        assert atom not in access_format
    line = _gunicorn_access_line(path="/clients/search/", query="q=Jane+Smith")
    assert "Jane" not in line
    assert "Mozilla" not in line


def test_gunicorn_access_log_stays_one_json_object_whatever_the_path_holds() -> None:
    path = '/a"b\\c\x01d'
    [line] = _gunicorn_access_line(path=path, query="").splitlines()
    assert json.loads(line)["path"] == path


def _trace() -> dict[str, str]:
    return {"X-Amzn-Trace-Id": TRACE_HEADER}
