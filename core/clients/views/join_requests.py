"""A request to join a team, as the team sees it: the lead professional (or, in a team without one, any
member) approves or declines it. Anyone outside the team gets "not found", recorded, and nothing changes."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.joining import NOTE_MAX_LENGTH, join_request_decide, join_request_may_decide
from core.clients.models import JoinRequest
from core.clients.views.viewer import own_involvement_or_404, viewer_for
from core.governance.visibility import CONFIDENTIAL_SERVICE, policy_for


class _Radios(forms.RadioSelect):
    """Radios whose errors link to the first radio, as GOV.UK's error summary does."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        widget=_Radios,
        choices=[("approve", "Approve: they join the team"), ("decline", "Decline")],
        error_messages={
            "required": "Choose whether to approve or decline",
            "invalid_choice": "Choose approve or decline",
        },
    )
    note = forms.CharField(
        label="A note for them (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="They are emailed your decision with this note. Do not include case notes.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"The note must be {NOTE_MAX_LENGTH} characters or fewer"},
    )


@require_http_methods(["GET", "POST"])
def join_request_page(request: HttpRequest, client_id: object, request_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    involvement = own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    join_request = (
        JoinRequest.objects.select_related("practitioner__user", "practitioner__agency", "decided_by__user")
        .filter(pk=request_id, client_id=involvement.client_id)
        .first()
    )
    if join_request is None:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=viewer.user_id,
            object_type="client",
            object_id=involvement.client_id,
            reason="no such request to join this team",
        )
        raise Http404("No such request.")
    may_decide = join_request.decision == JoinRequest.Decision.PENDING and join_request_may_decide(
        viewer=viewer, request=join_request
    )
    form = JoinDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            join_request_decide(
                actor=viewer, request=join_request, approve=approve, note=form.cleaned_data["note"], origin=origin
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "They have joined the team and been told."
                if approve
                else "The request is declined; they have been told.",
            )
            return redirect("client-team", client_id=involvement.client_id)
    context = {
        "client": involvement.client,
        "join_request": join_request,
        "asker": policy_for(viewer).practitioner_named(join_request.practitioner) or CONFIDENTIAL_SERVICE,
        "may_decide": may_decide,
        "form": form,
    }
    return render(request, "clients/join_request.html", context, status=400 if form.errors else 200)
