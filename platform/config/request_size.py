"""Refuse a request whose body is larger than anything Patchwork takes, before anything reads it.

The largest thing sent to Patchwork is a signed data-sharing agreement (a PDF of at most 10 MB, checked
again by its form) with its form fields. A body declared larger than ``MAX_REQUEST_BODY_BYTES`` is answered
``413 Content Too Large`` at once — a page for a browser, JSON under ``/api/`` — so that no middleware (the
control-character check, CSRF) reads megabytes it will refuse anyway. A body sent without a length (chunked)
is bounded by the load balancer and by Django's own limits on form fields.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

API_PREFIX = "/api/"


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # not a number: Django treats it as no body, and so do we


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declared_length(request) > settings.MAX_REQUEST_BODY_BYTES:
            return _too_large(request)
        return self.get_response(request)


def _too_large(request: HttpRequest) -> HttpResponse:
    megabytes = settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": f"The request is larger than {megabytes} MB."}, status=413)
    body = render_to_string("413.html", {"service_name": "Patchwork", "request": None, "megabytes": megabytes})
    return HttpResponse(body, status=413)
