"""Council administration: the council's agencies (details, approval, managers). Administrators only.

Anyone else who reaches one of these pages, or posts to one, is refused (403, recorded by the access
middleware) before anything is read or changed. An id of another council's agency is simply not
found: each council's agencies live in its own schema.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.directory.forms import AgencyForm, AgencyTransitionForm
from core.directory.models import Agency, ApprovalState, Practitioner
from core.directory.selectors import (
    agencies_for_administration,
    agency_people_for_administration,
    practitioner_for_user,
)
from core.directory.services.agencies import (
    AgencyDetails,
    agency_allowed_transitions,
    agency_create,
    agency_transition,
    agency_update,
)
from core.directory.services.practitioners import practitioner_role_change

# The page of each transition: its address, its button, its question.
TRANSITION_PAGES = {
    "approve": ApprovalState.APPROVED,
    "suspend": ApprovalState.SUSPENDED,
}

PEOPLE_PAGE_SIZE = 50


def _administrator(request: HttpRequest) -> Practitioner:
    practitioner = practitioner_for_user(user=request.user)  # type: ignore[arg-type]
    if practitioner is None or not practitioner.is_council_admin:
        raise PermissionDenied("Only council administrators use council administration.")
    return practitioner


def _details(form: AgencyForm) -> AgencyDetails:
    return AgencyDetails(**{name: form.cleaned_data[name] for name in AgencyForm.base_fields})


def index(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    return render(request, "directory/administration/index.html")


def agencies(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    return render(request, "directory/administration/agencies.html", {"agencies": agencies_for_administration()})


def agency_add(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = agency_create(actor=actor, details=_details(form), origin=Origin.from_request(request))
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, f"{agency.name} is added. It can be used once you approve it.")
            return redirect("administration-agency", agency_id=agency.pk)
    return render(request, "directory/administration/agency_form.html", {"form": form, "agency": None})


def agency(request: HttpRequest, agency_id: UUID) -> HttpResponse:
    _administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    context = {
        "agency": agency,
        "transitions": [
            (slug, state) for slug, state in TRANSITION_PAGES.items() if state in agency_allowed_transitions(agency)
        ],
        "people": Paginator(agency_people_for_administration(agency=agency), PEOPLE_PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
    }
    return render(request, "directory/administration/agency.html", context)


def agency_edit(request: HttpRequest, agency_id: UUID) -> HttpResponse:
    actor = _administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    form = AgencyForm(request.POST or None, initial=AgencyForm.initial_of(agency))
    if request.method == "POST" and form.is_valid():
        try:
            changed = agency_update(
                actor=actor, agency=agency, details=_details(form), origin=Origin.from_request(request)
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name']} is saved." if changed else "Nothing has changed.")
            return redirect("administration-agency", agency_id=agency.pk)
    return render(request, "directory/administration/agency_form.html", {"form": form, "agency": agency})


def agency_state(request: HttpRequest, agency_id: UUID, transition: str) -> HttpResponse:
    """Approve or suspend: GET asks for the reason, POST does it. Only the moves allowed now are offered."""
    actor = _administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    to_state = TRANSITION_PAGES.get(transition)
    if to_state is None:
        raise Http404("No such change.")
    if to_state not in agency_allowed_transitions(agency):
        messages.success(request, f"{agency.name} is already {agency.get_approval_state_display().lower()}.")
        return redirect("administration-agency", agency_id=agency.pk)
    form = AgencyTransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency_transition(
                actor=actor,
                agency=agency,
                to_state=to_state,
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            if to_state == ApprovalState.SUSPENDED:
                done = f"{agency.name} is suspended: its practitioners are signed out and cannot sign in."
            else:
                done = f"{agency.name} is approved: its practitioners can sign in."
            messages.success(request, done)
            return redirect("administration-agency", agency_id=agency.pk)
    context = {"agency": agency, "form": form, "transition": transition, "to_state": to_state}
    return render(request, "directory/administration/agency_state.html", context)


@require_POST
def agency_manager(request: HttpRequest, agency_id: UUID, practitioner_id: UUID, action: str) -> HttpResponse:
    """Appoint or remove an agency manager, with the same service as the Accounts page."""
    actor = _administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    practitioner = get_object_or_404(Practitioner.objects.select_related("user"), pk=practitioner_id, agency=agency)
    if action not in ("appoint", "remove"):
        raise Http404("No such action.")
    practitioner_role_change(
        actor=actor,
        practitioner=practitioner,
        is_agency_manager=action == "appoint",
        origin=Origin.from_request(request),
    )
    name = practitioner.user.full_name
    if action == "appoint":
        messages.success(request, f"{name} is now an agency manager of {agency.name}.")
    else:
        messages.success(request, f"{name} is no longer an agency manager.")
    return redirect("administration-agency", agency_id=agency.pk)
