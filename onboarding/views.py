"""The platform's public pages: the service page (the catalogue's entry), the order form, the terms."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from onboarding.forms import OrderForm
from onboarding.plans import offers_here, offers_in_force
from onboarding.rate_limit import order_submission_allowed
from onboarding.services.orders import OrderDetails, SubdomainTaken, order_place
from onboarding.terms import TERMS_VERSION

SESSION_LAST_ORDER = "onboarding_last_order"


def landing(request: HttpRequest) -> HttpResponse:
    """The service page, with each plan's price in force today."""
    return render(request, "onboarding/landing.html", {"offers": offers_in_force()})


def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "onboarding/terms.html", {"terms_version": TERMS_VERSION})


def security_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "onboarding/security.html", {"offers": offers_here()})


@never_cache
@require_http_methods(["GET", "POST"])
def order(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "onboarding/order.html", {"form": OrderForm(), "terms_version": TERMS_VERSION})
    origin = Origin.from_request(request)
    if not order_submission_allowed(ip_address=origin.ip_address):
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            object_type="order",
            reason="too many orders from this address",
        )
        return render(request, "onboarding/order_too_many.html", status=429)
    form = OrderForm(request.POST)
    if form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name not in ("subdomain", "accept_terms")}
        try:
            placed = order_place(
                details=OrderDetails(requested_slug=form.cleaned_data["subdomain"], **data), origin=origin
            )
        except SubdomainTaken:
            form.add_error("subdomain", "That subdomain is already taken: choose another")
        else:
            request.session[SESSION_LAST_ORDER] = placed.reference
            return redirect("order-confirmation")
    return render(request, "onboarding/order.html", {"form": form, "terms_version": TERMS_VERSION})


@never_cache
def order_confirmation(request: HttpRequest) -> HttpResponse:
    """The reference of the order this browser just placed (kept in its session, never in the address)."""
    reference = request.session.get(SESSION_LAST_ORDER)
    if not reference:
        raise Http404("No order placed in this session.")
    return render(request, "onboarding/order_confirmation.html", {"reference": reference})
