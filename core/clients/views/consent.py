"""A client's consent: the records, recording one, and recording that one was withdrawn. Members of the
client's current team only; anyone else gets "not found", recorded."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.consent import (
    ConsentValues,
    consent_record,
    consent_services_available,
    consent_to_withdraw,
    consent_withdraw,
    consents_for_client,
)
from core.clients.forms import ConsentRecordForm, ConsentWithdrawForm
from core.clients.views.viewer import own_involvement_or_404, viewer_for


@require_http_methods(["GET", "POST"])
def consent_page(request: HttpRequest, client_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    involvement = own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    client = involvement.client
    services = consent_services_available()
    form = ConsentRecordForm(request.POST or None, services=services)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = ConsentValues(
            given_by=data["given_by"],
            relationship=data["relationship"],
            given_on=data["given_on"],
            evidence=data["evidence"],
            covers_all_services=data["scope"] == ConsentRecordForm.ALL,
            services=tuple(data["services"]),
        )
        try:
            consent_record(actor=viewer, client=client, values=values, origin=origin)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Consent is recorded.")
            return redirect("client-consent", client_id=client.pk)
    records = consents_for_client(viewer=viewer, client_id=client.pk)
    if records is None:  # left the team a moment ago
        raise Http404("No such client.")
    audit_record(  # who gave consent, and how, is read with the records
        action=AuditAction.CLIENT_VIEWED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="client",
        object_id=client.pk,
        reason="consent records",
    )
    context = {"client": client, "records": records, "form": form, "services": services}
    return render(request, "clients/consent.html", context)


@require_http_methods(["GET", "POST"])
def consent_withdraw_page(request: HttpRequest, client_id: object, consent_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    involvement = own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    consent = consent_to_withdraw(viewer=viewer, client_id=involvement.client_id, consent_id=consent_id)
    if consent is None:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=viewer.user_id,
            object_type="consent",
            object_id=consent_id,
            reason="no such consent for this client",
        )
        raise Http404("No such consent.")
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_withdraw(actor=viewer, consent=consent, note=form.cleaned_data["note"], origin=origin)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The withdrawal of consent is recorded.")
            return redirect("client-consent", client_id=involvement.client_id)
    return render(
        request, "clients/consent_withdraw.html", {"client": involvement.client, "consent": consent, "form": form}
    )
