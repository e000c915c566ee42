"""A council's provisioning: its steps as they go, and retrying after a failure.

The page refreshes itself every few seconds (a ``<meta http-equiv="refresh">``, so it works without
JavaScript) while provisioning can still move on its own, and stops once it is finished or failed.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from console.views.access import staff_required
from core.audit.origin import Origin
from onboarding.selectors import StepState, order_for_council, provisioning_steps
from onboarding.services.approval import DecisionRefused, provisioning_retry
from tenants.models import Council, CouncilStatus
from tenants.selectors import council_get

REFRESH_SECONDS = 3


def _council_or_404(slug: str) -> Council:
    council = council_get(slug=slug)
    if council is None:
        raise Http404("No such council.")
    return council


@staff_required
@require_http_methods(["GET"])
def council_provisioning(request: HttpRequest, slug: str) -> HttpResponse:
    council = _council_or_404(slug)
    steps = provisioning_steps(council)
    finished = all(step.state == StepState.DONE for step in steps)
    failed = bool(council.provisioning_error)
    running = not finished and not failed and council.status in (CouncilStatus.ORDERED, CouncilStatus.PROVISIONING)
    return render(
        request,
        "console/provisioning.html",
        {
            "target_council": council,
            "order": order_for_council(council=council),
            "steps": steps,
            "done_count": sum(step.state == StepState.DONE for step in steps),
            "finished": finished,
            "failed": failed,
            "refresh": REFRESH_SECONDS if running else None,
            "section": "councils",
        },
    )


@staff_required
@require_POST
def council_provisioning_retry(request: HttpRequest, slug: str) -> HttpResponse:
    council = _council_or_404(slug)
    try:
        provisioning_retry(council_id=council.pk, actor=request.user, origin=Origin.from_request(request))  # type: ignore[arg-type]
    except DecisionRefused as refusal:
        context = {
            "section": "councils",
            "heading": f"Provisioning of {council.name} cannot be retried",
            "refused": f"{refusal} Nothing was changed.",
            "back_url": reverse("council-provisioning", kwargs={"slug": council.slug}),
            "back_text": "Go back to its provisioning",
        }
        return render(request, "console/refused.html", context, status=409)
    messages.success(request, f"Provisioning of {council.name} is running again from the step that failed.")
    return redirect("council-provisioning", slug=council.slug)
