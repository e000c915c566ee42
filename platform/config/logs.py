"""Structured logs: one JSON object a line, naming the request, council and task each line belongs to.

``JsonFormatter`` writes only fixed fields: when, how severe, which logger, the message, the context below
and, for an error, the exception. It never reads a record's extras, so a ``request`` that Django attaches to
its own records (with its query string, headers and body) never reaches a log line.

The context lives in context variables, set by ``RequestContextMiddleware`` for a request and by the Celery
receivers below for a task:

* ``request_id``: the caller's ``X-Request-Id`` when it is a plain token, otherwise a new one; echoed on the
  response, so that one id follows a request through the load balancer, the access log and these lines;
* ``schema``: the council's schema the request or task runs in (``public`` for the platform);
* ``trace_id``: the ``Root`` of the load balancer's ``X-Amzn-Trace-Id``;
* ``task_id`` and ``task_name`` in a Celery task.

LOGGING (config/settings/base.py) names this module's formatter, so every process that sets Django up imports
it; that is when the Celery receivers are connected (after tenant-schemas-celery's, which switch the schema).
"""

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from celery.signals import setup_logging, task_postrun, task_prerun
from django.core.signals import request_finished
from django.db import connection
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-Id"
# Letters, digits and hyphens only: a caller's id is written to every log line, so it can carry nothing else.
_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
# The load balancer's trace id (Root=1-<8 hex: epoch seconds>-<24 hex>); anything else a client sent is dropped.
_TRACE_ROOT = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
schema_var: ContextVar[str | None] = ContextVar("schema", default=None)
trace_id_var: ContextVar[str | None] = ContextVar("trace_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)
task_name_var: ContextVar[str | None] = ContextVar("task_name", default=None)

_CONTEXT = (
    ("request_id", request_id_var),
    ("schema", schema_var),
    ("trace_id", trace_id_var),
    ("task_id", task_id_var),
    ("task_name", task_name_var),
)
_REQUEST_VARS = (request_id_var, schema_var, trace_id_var)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON, with the context it was written in."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, variable in _CONTEXT:
            value = variable.get()
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def request_id_from(incoming: str | None) -> str:
    """The caller's request id if it is a plain token of 8 to 64 characters, otherwise a new one."""
    if incoming and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def trace_id_from(header: str | None) -> str | None:
    """The ``Root`` of an ``X-Amzn-Trace-Id`` header (``Self=...;Root=1-...;Sampled=1``), if well formed."""
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == "Root" and _TRACE_ROOT.fullmatch(value):
            return value
    return None


class RequestContextMiddleware:
    """Names the request, its council and its trace in every line logged while it is answered.

    Placed right after the council routing, which has chosen the schema by then. The context stays set until
    the response is finished (``request_finished``), so Django's own line for a 4xx or 5xx answer, written
    after the middleware has returned, carries it too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request_id_var.set(request_id)
        schema_var.set(connection.schema_name)
        trace_id_var.set(trace_id_from(request.headers.get("X-Amzn-Trace-Id")))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _request_context_clear(**kwargs: Any) -> None:
    # A server thread answers one request after another: nothing of this one may be written with the next.
    for variable in _REQUEST_VARS:
        variable.set(None)


request_finished.connect(_request_context_clear, dispatch_uid="config.logs.request_context_clear")


# Tokens to restore the context a task ran in (by task id): a task run eagerly inside a request keeps the
# request's id, and the request gets its own schema back afterwards.
_task_tokens: dict[str, list[tuple[ContextVar[str | None], Token[str | None]]]] = {}


def _task_context_set(*, task_id: str, task: Any, **kwargs: Any) -> None:
    # tenant-schemas-celery's receiver, connected before this one, has switched to the task's schema.
    _task_tokens[task_id] = [
        (task_id_var, task_id_var.set(task_id)),
        (task_name_var, task_name_var.set(task.name)),
        (schema_var, schema_var.set(connection.schema_name)),
    ]


def _task_context_restore(*, task_id: str, **kwargs: Any) -> None:
    for variable, token in reversed(_task_tokens.pop(task_id, [])):
        try:
            variable.reset(token)
        except ValueError:  # set in another context (cannot happen in one worker thread): just clear it
            variable.set(None)


def _celery_logging_left_to_django(**kwargs: Any) -> None:
    """Django's LOGGING has configured logging already; without a receiver here, a Celery worker or beat would replace
    the root logger's handlers with its own plain-text ones."""


task_prerun.connect(_task_context_set, dispatch_uid="config.logs.task_context_set")
task_postrun.connect(_task_context_restore, dispatch_uid="config.logs.task_context_restore")
setup_logging.connect(_celery_logging_left_to_django, dispatch_uid="config.logs.celery_logging_left_to_django")
