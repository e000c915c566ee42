"""Orders placed from the catalogue: the inbox, one order, and approving or rejecting it.

Approving and rejecting each ask first (GET shows a confirmation page, POST decides). An order that
is no longer waiting is answered with a 409 page that says nothing was changed, whether it was
reached by a typed address or by a form read before someone else decided it.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from console.views.access import staff_required
from core.audit.origin import Origin
from onboarding.models import Order, OrderStatus
from onboarding.plans import PricedPlan, plan_for
from onboarding.selectors import order_decided_by, order_get, orders_decided, orders_waiting
from onboarding.services.approval import (
    REJECTION_REASON_MAX,
    DecisionRefused,
    order_approve,
    order_reject,
    subdomain_in_use,
)
from tenants.selectors import council_get


def _order_or_404(reference: str) -> Order:
    order = order_get(reference=reference)
    if order is None:
        raise Http404("No such order.")
    return order


def _refused(request: HttpRequest, order: Order, message: str, *, decision: str) -> HttpResponse:
    context = {
        "section": "orders",
        "heading": f"Order {order.reference} cannot be {decision}",
        "refused": f"{message} Nothing was changed.",
        "back_url": reverse("order", kwargs={"reference": order.reference}),
        "back_text": "Go back to the order",
    }
    return render(request, "console/refused.html", context, status=409)


def _plan_today(order: Order) -> PricedPlan | None:
    """The order's plan at the price in force today: what the council will be charged from, if approved."""
    try:
        return plan_for(jurisdiction=order.jurisdiction, code=order.plan)
    except LookupError:  # a plan no longer sold, or with no price in force
        return None


def _not_waiting(order: Order) -> str:
    return f"Order {order.reference} is already {order.get_status_display().lower()}."


@staff_required
@require_http_methods(["GET"])
def orders(request: HttpRequest) -> HttpResponse:
    context = {"waiting": orders_waiting(), "decided": orders_decided(), "section": "orders"}
    return render(request, "console/orders.html", context)


@staff_required
@require_http_methods(["GET"])
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    order = _order_or_404(reference)
    return render(
        request,
        "console/order.html",
        {
            "order": order,
            "plan": _plan_today(order),
            "decided_by": order_decided_by(order),
            "waiting": order.status == OrderStatus.ORDERED,
            "section": "orders",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def order_approve_page(request: HttpRequest, reference: str) -> HttpResponse:
    order = _order_or_404(reference)
    if order.status != OrderStatus.ORDERED:
        return _refused(request, order, _not_waiting(order), decision="approved")
    if council_get(slug=order.requested_slug) is not None:
        return _refused(request, order, subdomain_in_use(order), decision="approved")
    if request.method == "POST":
        try:
            order = order_approve(order_id=order.pk, actor=request.user, origin=Origin.from_request(request))  # type: ignore[arg-type]
        except DecisionRefused as refusal:
            return _refused(request, order, str(refusal), decision="approved")
        messages.success(request, f"Order {order.reference} is approved. {order.council_name} is being set up.")
        return redirect("council-provisioning", slug=order.requested_slug)
    return render(
        request, "console/order_approve.html", {"order": order, "plan": _plan_today(order), "section": "orders"}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def order_reject_page(request: HttpRequest, reference: str) -> HttpResponse:
    order = _order_or_404(reference)
    if order.status != OrderStatus.ORDERED:
        return _refused(request, order, _not_waiting(order), decision="rejected")
    context: dict[str, object] = {
        "order": order,
        "reason": "",
        "error": "",
        "reason_max": REJECTION_REASON_MAX,
        "section": "orders",
    }
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        context["reason"] = reason
        try:
            order_reject(order_id=order.pk, actor=request.user, reason=reason, origin=Origin.from_request(request))  # type: ignore[arg-type]
        except ValidationError as error:
            context["error"] = error.message_dict["reason"][0]
        except DecisionRefused as refusal:
            return _refused(request, order, str(refusal), decision="rejected")
        else:
            messages.success(request, f"Order {order.reference} is rejected. Its contacts have been told why.")
            return redirect("orders")
    return render(request, "console/order_reject.html", context)
