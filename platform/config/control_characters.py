"""Refuse a request that carries control characters before any view sees it.

A NUL byte cannot be stored in PostgreSQL text, and no person types a control character into an
address or a form: one in the path, the query string, a form field, a JSON value or a cookie is a
probe or a broken client. Rather than let it reach a query (where it is a server error) or a stored
row, the request is answered ``400 Bad Request`` at once: a page for a browser, JSON under ``/api/``.

Form fields and JSON values may hold a tab or a new line (a textarea sends ``\\r\\n``); the path, the
query string and cookies may not. A multipart body sent to the API is left to Django REST framework
(reading it here would exhaust the stream its parsers negotiate on; the API takes JSON, and its text
fields refuse NUL themselves).
"""

import json
import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

_IN_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
API_PREFIX = "/api/"
REFUSED = "The request contains characters that are not allowed."


class ControlCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_control_characters(request):
            return _bad_request(request)
        return self.get_response(request)


def _carries_control_characters(request: HttpRequest) -> bool:
    if _IN_ONE_LINE.search(request.path) or _any(_IN_ONE_LINE, _pairs(request.GET.lists())):
        return True
    if _any(_IN_ONE_LINE, _pairs((name, [value]) for name, value in request.COOKIES.items())):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    try:
        if request.content_type == "application/x-www-form-urlencoded" or (
            request.content_type == "multipart/form-data" and not request.path.startswith(API_PREFIX)
        ):
            if _any(_IN_TEXT, _pairs(request.POST.lists())):
                return True
            if _any(_IN_ONE_LINE, (upload.name or "" for upload in request.FILES.values())):
                return True
        elif _is_json(request.content_type):
            return _any(_IN_TEXT, _json_strings(json.loads(request.body)))
    except Exception:  # noqa: S110 -- malformed or oversized bodies are the view's (or Django's) to refuse
        pass
    return False


def _is_json(content_type: str | None) -> bool:
    return bool(content_type) and (content_type == "application/json" or content_type.endswith("+json"))


def _pairs(lists: Iterable[tuple[str, list[str]]]) -> Iterable[str]:
    for name, values in lists:
        yield name
        yield from values


def _json_strings(document: object) -> Iterable[str]:
    """Every key and string in a parsed JSON document, without recursion (it may be deeply nested)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _any(pattern: re.Pattern[str], texts: Iterable[str]) -> bool:
    return any(pattern.search(text) for text in texts)


def _bad_request(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": REFUSED}, status=400)
    body = render_to_string("400.html", {"service_name": "Patchwork", "request": None})
    return HttpResponse(body, status=400)
