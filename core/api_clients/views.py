"""Council administration of an agency's API clients: list and create, rotate the secret, revoke.

The secret appears on one page only, the answer to creating or rotating; it is not kept anywhere it could be
shown again.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from config.form_errors import errors_onto
from core.api_clients import services
from core.api_clients.forms import ApiClientForm
from core.api_clients.models import ApiClient
from core.api_clients.selectors import api_client_of_agency, api_clients_of_agency
from core.api_clients.services import IssuedCredentials
from core.audit.origin import Origin
from core.directory.models import Agency, Practitioner
from core.directory.selectors import practitioner_for_user


def _administrator(request: HttpRequest) -> Practitioner:
    practitioner = practitioner_for_user(user=request.user)  # type: ignore[arg-type]
    if practitioner is None or not practitioner.is_council_admin:
        raise PermissionDenied("Only council administrators manage API clients.")
    return practitioner


def _api_client(agency: Agency, api_client_id: UUID) -> ApiClient:
    api_client = api_client_of_agency(agency=agency, api_client_id=api_client_id)
    if api_client is None:
        raise Http404("No such API client.")
    return api_client


def _credentials_page(
    request: HttpRequest, agency: Agency, issued: IssuedCredentials, *, rotated: bool
) -> HttpResponse:
    context = {"agency": agency, "issued": issued, "rotated": rotated}
    return render(request, "api_clients/credentials.html", context)


def api_client_list(request: HttpRequest, agency_id: UUID) -> HttpResponse:
    actor = _administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_client_create(
                actor=actor,
                agency=agency,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            return _credentials_page(request, agency, issued, rotated=False)
    context = {"agency": agency, "form": form, "api_clients": api_clients_of_agency(agency=agency)}
    return render(request, "api_clients/list.html", context)


def api_client_rotate_page(request: HttpRequest, agency_id: UUID, api_client_id: UUID) -> HttpResponse:
    actor = _administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    api_client = _api_client(agency, api_client_id)
    if api_client.is_revoked:
        messages.success(request, f"{api_client.name} is revoked: create a new client instead.")
        return redirect("api-clients", agency_id=agency.pk)
    if request.method == "POST":
        issued = services.api_client_rotate(actor=actor, api_client=api_client, origin=Origin.from_request(request))
        return _credentials_page(request, agency, issued, rotated=True)
    return render(request, "api_clients/confirm.html", {"agency": agency, "api_client": api_client, "act": "rotate"})


def api_client_revoke_page(request: HttpRequest, agency_id: UUID, api_client_id: UUID) -> HttpResponse:
    actor = _administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    api_client = _api_client(agency, api_client_id)
    if request.method == "POST":
        services.api_client_revoke(actor=actor, api_client=api_client, origin=Origin.from_request(request))
        messages.success(request, f"{api_client.name} is revoked. Its tokens no longer work.")
        return redirect("api-clients", agency_id=agency.pk)
    return render(request, "api_clients/confirm.html", {"agency": agency, "api_client": api_client, "act": "revoke"})
