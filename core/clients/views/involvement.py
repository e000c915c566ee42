"""Join a team, keep your involvement current, leave it, invite a colleague (journeys 5 and 6)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin, signed_in_user_id
from core.audit.services.events import audit_record
from core.clients.forms import InviteSearchForm, InvolvementUpdateForm, JoinForm, TeamInviteForm
from core.clients.joining import join_needs_approval, join_request_create, join_request_pending
from core.clients.models import Client
from core.clients.search_session import search_hit_recent
from core.clients.selectors import client_hit, invite_candidates_matching, team_invitation_pending
from core.clients.services import (
    JoinApprovalNeeded,
    involvement_end,
    involvement_start,
    involvement_update,
    team_invite,
)
from core.clients.views.viewer import own_involvement_or_404, require_verified, viewer_for


def _not_found(request: HttpRequest, client_id: object) -> Http404:
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=Origin.from_request(request),
        actor_id=signed_in_user_id(request),
        object_type="client",
        object_id=client_id,
        reason="join: not a recent search hit and no invitation",
    )
    return Http404("No such client.")


@require_http_methods(["GET", "POST"])
def client_join(request: HttpRequest, client_id: object) -> HttpResponse:
    """Join from a search hit (or an invitation), with a reason. Nobody reaches a client by guessing ids.

    Where the council's rules want the lead professional's approval, this asks to join instead; while a
    request waits, the page says so."""
    viewer = viewer_for(request)
    found = search_hit_recent(request.session, client_id)
    if not (found or team_invitation_pending(viewer=viewer, client_id=client_id)):
        raise _not_found(request, client_id)
    hit = client_hit(viewer=viewer, client_id=client_id)
    if hit is None:
        raise _not_found(request, client_id)
    if hit.viewer_in_team:
        return redirect("client-team", client_id=hit.client_id)
    require_verified(viewer)
    asking = join_needs_approval()
    waiting = join_request_pending(viewer=viewer, client_id=hit.client_id) if asking else None
    if waiting is not None:
        return render(request, "clients/join_waiting.html", {"hit": hit, "join_request": waiting})
    form = JoinForm(request.POST or None, initial={"role": viewer.job_title})
    if request.method == "POST" and form.is_valid():
        client = Client.objects.only("pk").get(pk=hit.client_id)
        data = form.cleaned_data
        origin = Origin.from_request(request)
        try:
            if asking:
                join_request_create(
                    viewer=viewer, client=client, role=data["role"], reason=data["reason"], origin=origin
                )
            else:
                involvement_start(viewer=viewer, client=client, role=data["role"], reason=data["reason"], origin=origin)
        except JoinApprovalNeeded as error:  # the council's rules changed a moment ago: ask instead
            form.add_error(None, str(error))
            asking = True
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if asking:
                messages.success(request, "You have asked to join the team. The lead professional has been told.")
                return redirect("client-join", client_id=hit.client_id)
            messages.success(request, "You have joined the team. The other members have been told.")
            return redirect("client-team", client_id=hit.client_id)
    return render(request, "clients/join.html", {"hit": hit, "form": form, "asking": asking})


@require_http_methods(["GET", "POST"])
def involvement_update_page(request: HttpRequest, client_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    involvement = own_involvement_or_404(viewer=viewer, client_id=client_id, origin=Origin.from_request(request))
    initial = {
        "role": involvement.role,
        "is_lead": involvement.is_lead,
        "last_contact_on": involvement.last_contact_on,
        "next_contact_on": involvement.next_contact_on,
    }
    form = InvolvementUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            involvement_update(
                viewer=viewer, involvement=involvement, origin=Origin.from_request(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your involvement is up to date.")
            return redirect("client-team", client_id=involvement.client_id)
    return render(request, "clients/involvement_update.html", {"form": form, "client": involvement.client})


@require_http_methods(["GET", "POST"])
def involvement_end_page(request: HttpRequest, client_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    involvement = own_involvement_or_404(viewer=viewer, client_id=client_id, origin=Origin.from_request(request))
    if request.method == "POST":
        involvement_end(viewer=viewer, involvement=involvement, origin=Origin.from_request(request))
        messages.success(request, "You have left the team. The other members have been told.")
        return redirect("home")
    return render(request, "clients/involvement_end.html", {"client": involvement.client})


@require_http_methods(["GET", "POST"])
def team_invite_page(request: HttpRequest, client_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    involvement = own_involvement_or_404(viewer=viewer, client_id=client_id, origin=Origin.from_request(request))
    # Find a colleague first (the search is kept with the invitation, so a refusal shows the same matches).
    search = InviteSearchForm(request.POST if request.method == "POST" else request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    found = invite_candidates_matching(viewer=viewer, client_id=involvement.client_id, query=query)
    form = TeamInviteForm(request.POST or None, viewer=viewer, client_id=involvement.client_id)
    if request.method == "POST" and form.is_valid():
        colleague = form.cleaned_data["colleague"]
        try:
            team_invite(
                viewer=viewer,
                client=involvement.client,
                invitee=colleague,
                email=form.cleaned_data["email"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            who = colleague.user.full_name if colleague else form.cleaned_data["email"]
            messages.success(request, f"Invitation sent to {who}.")
            return redirect("client-team", client_id=involvement.client_id)
    context = {"form": form, "search": search, "query": query, "found": found, "client": involvement.client}
    return render(request, "clients/team_invite.html", context)
