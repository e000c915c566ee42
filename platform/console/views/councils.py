"""The councils on the platform: their list, and suspending or resuming one."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from console.views.access import staff_required
from core.audit.origin import Origin
from core.council.services.lifecycle import TransitionRefused, council_transition
from onboarding.selectors import orders_waiting
from onboarding.services.provisioning import step_label
from tenants.lifecycle import transition_for
from tenants.models import Council, CouncilStatus
from tenants.selectors import council_get, council_list

# Whose offboarding page the list links to: those that can start it, and those in it or past it.
OFFBOARDING_LINKED = (CouncilStatus.LIVE, CouncilStatus.SUSPENDED, CouncilStatus.OFFBOARDING, CouncilStatus.CLOSED)


@dataclass(frozen=True)
class StatusAction:
    """A move the console offers an operator: exactly one arrow of the lifecycle (tenants/lifecycle.py).

    By its source too, not only its target: resuming is suspended → live, never configuring → live
    (going live is the council's own checklist's to do).
    """

    slug: str
    source: str
    target: str
    label: str  # "Suspend"
    doing: str  # "suspending"
    done: str  # "suspended"
    warning: str


STATUS_ACTIONS = {
    action.slug: action
    for action in (
        StatusAction(
            "suspend",
            CouncilStatus.LIVE,
            CouncilStatus.SUSPENDED,
            "Suspend",
            "suspending",
            "suspended",
            "Everyone at the council will see a page saying the council has suspended its use of Patchwork, "
            "on every page of its site and its API, until it is resumed.",
        ),
        StatusAction(
            "resume",
            CouncilStatus.SUSPENDED,
            CouncilStatus.LIVE,
            "Resume",
            "resuming",
            "resumed",
            "The council's site and API will open again to its practitioners.",
        ),
    )
}


def _allowed(council: Council, action: StatusAction) -> bool:
    return council.status == action.source and transition_for(action.source, action.target) is not None


def _offered(council: Council) -> list[StatusAction]:
    return [action for action in STATUS_ACTIONS.values() if _allowed(council, action)]


@staff_required
def councils(request: HttpRequest) -> HttpResponse:
    rows = [(council, step_label(council.provisioning_step), _offered(council)) for council in council_list()]
    provisioning = any(council.status in (CouncilStatus.ORDERED, CouncilStatus.PROVISIONING) for council, _, _ in rows)
    context = {
        "rows": rows,
        "refresh": provisioning,
        "waiting": orders_waiting().count(),
        "offboarding_statuses": OFFBOARDING_LINKED,
        "section": "councils",
    }
    return render(request, "console/councils.html", context)


@staff_required
def council_status_change(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Suspend or resume a council, with a reason; each an audited move of its lifecycle."""
    council = council_get(slug=slug)
    move = STATUS_ACTIONS.get(action)
    if council is None or move is None:
        raise Http404
    # Not "council": base.html reads that as the council whose site this is (none, on the platform).
    context: dict[str, object] = {
        "target_council": council,
        "action": move,
        "reason": "",
        "error": "",
        "section": "councils",
    }
    if not _allowed(council, move):
        # Not offered from the list; reached by a typed address or a forged form.
        context["refused"] = (
            f"{council.name} is {council.get_status_display().lower()}: it cannot be {move.done}. Nothing was changed."
        )
        return render(request, "console/council_status_change.html", context, status=409)
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        context["reason"] = reason
        if not reason:
            context["error"] = f"Enter why you are {move.doing} {council.name}"
        elif len(reason) > 300:
            context["error"] = "The reason must be 300 characters or fewer"
        else:
            try:
                # Moved by someone else since this page was read: the service refuses (row locked).
                council_transition(
                    council=council,
                    to=move.target,
                    source=move.source,
                    actor=request.user,  # type: ignore[arg-type]
                    reason=reason,
                    origin=Origin.from_request(request),
                )
            except TransitionRefused as exc:
                context["refused"] = f"{exc} Nothing was changed."
                return render(request, "console/council_status_change.html", context, status=409)
            messages.success(request, f"{council.name} is {move.done}.")
            return redirect("home")
    return render(request, "console/council_status_change.html", context)
