"""Undelivered email in the console: every council's dead letters (never a body), and "Retry" for each one."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from console.services.deliveries import DeliveryNotFound, DeliveryNotRetried, delivery_retry, undelivered_emails
from console.views.access import staff_required
from core.audit.origin import Origin
from tenants.models import Council
from tenants.selectors import council_get


@staff_required
@require_http_methods(["GET"])
def deliveries(request: HttpRequest) -> HttpResponse:
    undelivered = undelivered_emails()
    return render(
        request,
        "console/deliveries.html",
        {"emails": undelivered.emails, "total": undelivered.total, "section": "deliveries"},
    )


def _retry(request: HttpRequest, council: Council | None, notification_id: int) -> HttpResponse:
    try:
        delivery_retry(
            council=council,
            notification_id=notification_id,
            actor=request.user,  # type: ignore[arg-type]
            origin=Origin.from_request(request),
        )
    except DeliveryNotFound as missing:
        raise Http404("No such undelivered email.") from missing
    except DeliveryNotRetried as refusal:
        context = {
            "section": "deliveries",
            "heading": "This email cannot be sent again",
            "refused": f"{refusal} Nothing was changed.",
            "back_url": reverse("deliveries"),
            "back_text": "Go back to undelivered email",
        }
        return render(request, "console/refused.html", context, status=409)
    messages.success(request, "The email is being sent again.")
    return redirect("deliveries")


@staff_required
@require_http_methods(["POST"])
def council_delivery_retry(request: HttpRequest, slug: str, notification_id: int) -> HttpResponse:
    council = council_get(slug=slug)
    if council is None:
        raise Http404("No such council.")
    return _retry(request, council, notification_id)


@staff_required
@require_http_methods(["POST"])
def platform_delivery_retry(request: HttpRequest, notification_id: int) -> HttpResponse:
    return _retry(request, None, notification_id)
