"""Emergency (break-glass) access: open a team from a search hit, end it early, and the privacy officer's review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.break_glass import (
    NO_ROLE,
    BreakGlassAlreadyReviewed,
    break_glass_end,
    break_glass_open,
    break_glass_own,
    break_glass_review,
    break_glass_review_view,
    break_glass_reviews,
    break_glass_role_in_force,
    break_glass_running,
)
from core.clients.forms import BreakGlassForm, BreakGlassReviewForm
from core.clients.search_session import search_hit_recent
from core.clients.selectors import client_hit
from core.clients.views.viewer import require_verified, viewer_for
from core.governance.selectors import rules_current

REVIEWS_PAGE_SIZE = 50


def _not_found(request: HttpRequest, *, viewer_id: object, object_type: str, object_id: object, why: str) -> Http404:
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=Origin.from_request(request),
        actor_id=viewer_id,
        object_type=object_type,
        object_id=object_id,
        reason=why,
    )
    return Http404("Not found.")


@require_http_methods(["GET", "POST"])
def client_break_glass(request: HttpRequest, client_id: object) -> HttpResponse:
    """From a search hit only (nobody reaches a client by guessing ids), for a practitioner in a break-glass
    role the council's rules hold: a reason from the council's list and an explanation open the team."""
    viewer = viewer_for(request)
    found = search_hit_recent(request.session, client_id)
    hit = client_hit(viewer=viewer, client_id=client_id) if found else None
    if hit is None:
        raise _not_found(
            request,
            viewer_id=viewer.user_id,
            object_type="client",
            object_id=client_id,
            why="break-glass: not a recent search hit, or no such client",
        )
    if hit.viewer_in_team:
        return redirect("client-team", client_id=hit.client_id)
    rules = rules_current()
    role = break_glass_role_in_force(viewer, rules)
    if role is None:
        raise PermissionDenied(NO_ROLE)
    require_verified(viewer)
    if break_glass_running(viewer=viewer, client_id=hit.client_id) is not None:
        return redirect("client-team", client_id=hit.client_id)
    form = BreakGlassForm(request.POST or None, reasons=rules.break_glass_reasons)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_open(
                actor=viewer,
                client_id=hit.client_id,
                reason=form.cleaned_data["reason"],
                explanation=form.cleaned_data["explanation"],
                found_in_last_search=found,
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "You have opened the team in an emergency. Your privacy officer has been told.")
            return redirect("client-team", client_id=hit.client_id)
    context = {"hit": hit, "form": form, "role": role, "minutes": rules.break_glass_minutes}
    return render(request, "clients/break_glass.html", context)


@require_POST
def break_glass_end_page(request: HttpRequest, access_id: object) -> HttpResponse:
    """End my own emergency access now (the banner's button)."""
    viewer = viewer_for(request)
    access = break_glass_own(viewer=viewer, access_id=access_id)
    if access is None:
        raise _not_found(
            request,
            viewer_id=viewer.user_id,
            object_type="break_glass",
            object_id=access_id,
            why="not the practitioner's own break-glass access, or no such access",
        )
    break_glass_end(actor=viewer, access=access, origin=Origin.from_request(request))
    messages.success(request, "Your emergency access has ended.")
    return redirect("home")


@require_GET
def break_glass_reviews_page(request: HttpRequest) -> HttpResponse:
    """Every emergency access, for the council's privacy officers: waiting for review first."""
    viewer = viewer_for(request)
    page = Paginator(break_glass_reviews(viewer=viewer), REVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clients/break_glass_reviews.html", {"accesses": page})


@require_http_methods(["GET", "POST"])
def break_glass_review_page(request: HttpRequest, access_id: object) -> HttpResponse:
    """One access, what was viewed under it, and the privacy officer's review (made once)."""
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    review = break_glass_review_view(viewer=viewer, access_id=access_id, origin=origin)
    form = BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_review(
                actor=viewer,
                access=review.access,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                origin=origin,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except BreakGlassAlreadyReviewed:  # by someone else a moment ago: show theirs, change nothing
            review.access.refresh_from_db()
            context = {"review": review, "form": BreakGlassReviewForm(), "already_reviewed": True}
            return render(request, "clients/break_glass_review.html", context, status=409)
        else:
            messages.success(request, "Your review has been recorded.")
            return redirect("break-glass-reviews")
    return render(request, "clients/break_glass_review.html", {"review": review, "form": form})
