"""Setting up the council: the checklist, each of its pages, going live. Council administrators only.

Anyone else who reaches one of these pages, or posts to one, is refused (403, recorded) before anything
is read or changed. An agreement's document is read by council administrators and privacy officers.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.council.forms import AgreementForm, GovernanceForm, PractitionerSearchForm, ProfileForm
from core.council.selectors import (
    ChecklistItem,
    SetupChecklist,
    agreement_parties_offered,
    agreements_listed,
    council_governance,
    council_setup_checklist,
    legal_bases_for_review,
    privacy_officer_candidates,
    privacy_officers,
)
from core.council.services.agreements import agreement_document_open, agreement_record
from core.council.services.go_live import GoLiveRefused, council_go_live
from core.council.services.governance import GovernanceDetails, council_governance_update
from core.council.services.legal_bases import (
    legal_bases_review,
    legal_basis_acceptance_set,
    legal_basis_consent_set,
)
from core.council.services.lifecycle import TransitionRefused
from core.council.services.privacy_officers import privacy_officer_set
from core.council.services.profile import CouncilProfile, council_profile_update
from core.directory.models import Practitioner
from core.directory.phones import phone_national
from core.governance.models import LegalBasis
from tenants.models import Council, CouncilStatus

# Where each checklist item is done.
ITEM_PAGES = {
    "agreement": "council-agreements",
    "dpia": "council-governance",
    "dpo": "council-governance",
    "privacy_officer": "council-privacy-officers",
    "agencies": "administration-agencies",
    "legal_bases": "council-legal-bases",
    "retention": "council-rules-retention",
    "profile": "council-profile",
}


def _practitioner(request: HttpRequest) -> Practitioner:
    practitioner = Practitioner.objects.select_related("user", "agency").filter(user=request.user).first()
    if practitioner is None:
        raise PermissionDenied("Only the council's practitioners use its site.")
    return practitioner


def _administrator(request: HttpRequest) -> Practitioner:
    practitioner = _practitioner(request)
    if not practitioner.is_council_admin:
        raise PermissionDenied("Only council administrators set up the council.")
    return practitioner


def _council(request: HttpRequest) -> Council:
    return request.council  # type: ignore[attr-defined]


def _checklist_items(checklist: SetupChecklist) -> list[tuple[ChecklistItem, str]]:
    return [(item, ITEM_PAGES[item.key]) for item in checklist.items]


@require_GET
def setup(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    checklist = council_setup_checklist()
    context = {
        "checklist": checklist,
        "items": _checklist_items(checklist),
        "configuring": _council(request).status == CouncilStatus.CONFIGURING,
    }
    return render(request, "council/setup.html", context)


def go_live(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation (and says what is missing); POST checks everything again and goes live."""
    actor = _administrator(request)
    council = _council(request)
    if council.status != CouncilStatus.CONFIGURING:
        messages.success(request, f"{council.name} is {council.get_status_display().lower()}.")
        return redirect("council-setup")
    refused = False
    if request.method == "POST":
        try:
            council_go_live(actor=actor, council=council, origin=Origin.from_request(request))
        except GoLiveRefused:
            refused = True  # nothing changed: the page lists what is still missing
        except TransitionRefused as moved:
            messages.info(request, str(moved))
            return redirect("council-setup")
        else:
            messages.success(request, f"{council.name} is live: its practitioners can now use Patchwork.")
            return redirect("council-setup")
    missing = [
        (item, page)
        for item, page in _checklist_items(council_setup_checklist())
        if not item.done and not item.optional
    ]
    return render(
        request, "council/go_live.html", {"missing": missing, "refused": refused}, status=400 if refused else 200
    )


def governance(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    current = council_governance()
    initial = {
        "dpia_reference": current.dpia_reference,
        "dpo_name": current.dpo_name,
        "dpo_email": current.dpo_email,
        "dpo_phone": phone_national(current.dpo_phone),
    }
    form = GovernanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = council_governance_update(
                actor=actor, details=GovernanceDetails(**form.cleaned_data), origin=Origin.from_request(request)
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(
                request, "The DPIA reference and DPO's contact are saved." if changed else "Nothing has changed."
            )
            return redirect("council-setup")
    return render(request, "council/governance.html", {"form": form})


def agreements(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = AgreementForm(request.POST or None, request.FILES or None, agencies=list(agreement_parties_offered()))
    if request.method == "POST":
        form.is_valid()
        data = form.cleaned_data
        if not form.errors:
            try:
                agreement_record(
                    actor=actor,
                    party_ids=data.get("parties") or [],
                    signed_on=data.get("signed_on"),
                    review_on=data.get("review_on"),
                    document=data.get("document") or None,
                    origin=Origin.from_request(request),
                )
            except ValidationError as error:
                errors_onto(form, error)
            else:
                messages.success(request, "The data-sharing agreement is recorded. It is now the one in force.")
                return redirect("council-agreements")
    return render(request, "council/agreements.html", {"form": form, "agreements": agreements_listed()})


@require_GET
def agreement_document(request: HttpRequest, agreement_id: UUID) -> FileResponse:
    """The signed document, as a download, to council administrators and privacy officers (recorded)."""
    viewer = _practitioner(request)
    if not (viewer.is_council_admin or viewer.is_privacy_officer):
        raise PermissionDenied("Only council administrators and privacy officers read data-sharing agreements.")
    agreement, document = agreement_document_open(
        viewer=viewer, agreement_id=agreement_id, origin=Origin.from_request(request)
    )
    return FileResponse(
        document,
        as_attachment=True,
        filename=f"data-sharing-agreement-{agreement.signed_on:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )


@require_GET
def privacy_officers_page(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    search = PractitionerSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    context = {
        "officers": privacy_officers(),
        "search": search,
        "query": query,
        "candidates": privacy_officer_candidates(query=query),
    }
    return render(request, "council/privacy_officers.html", context)


@require_POST
def privacy_officer(request: HttpRequest, practitioner_id: UUID, action: str) -> HttpResponse:
    actor = _administrator(request)
    if action not in ("appoint", "remove"):
        raise Http404("No such action.")
    practitioner = get_object_or_404(Practitioner.objects.select_related("user"), pk=practitioner_id)
    name = practitioner.user.full_name
    try:
        privacy_officer_set(
            actor=actor, practitioner=practitioner, appointed=action == "appoint", origin=Origin.from_request(request)
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{name} is now a privacy officer." if action == "appoint" else f"{name} is no longer a privacy officer.",
        )
    return redirect("council-privacy-officers")


@require_GET
def legal_bases(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    return render(
        request, "council/legal_bases.html", {"bases": legal_bases_for_review(), "governance": council_governance()}
    )


@require_POST
def legal_basis(request: HttpRequest, basis_id: int, action: str) -> HttpResponse:
    actor = _administrator(request)
    if action in CONSENT_ACTIONS:
        return _legal_basis_consent(request, actor, basis_id, needs_consent=action == "needs-consent")
    if action not in ("accept", "retire"):
        raise Http404("No such action.")
    basis = get_object_or_404(LegalBasis, pk=basis_id)
    basis, records = legal_basis_acceptance_set(
        actor=actor, basis=basis, accepted=action == "accept", origin=Origin.from_request(request)
    )
    if action == "accept":
        messages.success(request, f"{basis.title} is accepted for new client records.")
    elif records:
        messages.success(
            request,
            f"{basis.title} is retired: new client records cannot use it. "
            f"The {records} client record{'s' if records != 1 else ''} already held on it "
            f"keep{'s' if records == 1 else ''} it.",
        )
    else:
        messages.success(request, f"{basis.title} is retired: new client records cannot use it.")
    return redirect("council-legal-bases")


CONSENT_ACTIONS = ("needs-consent", "no-consent")


def _legal_basis_consent(
    request: HttpRequest, actor: Practitioner, basis_id: int, *, needs_consent: bool
) -> HttpResponse:
    basis = get_object_or_404(LegalBasis, pk=basis_id)
    legal_basis_consent_set(
        actor=actor, basis=basis, requires_consent=needs_consent, origin=Origin.from_request(request)
    )
    if needs_consent:
        messages.success(request, f"A new record held on {basis.title} must say who consented, and when.")
    else:
        messages.success(request, f"A new record held on {basis.title} no longer needs consent recorded.")
    return redirect("council-legal-bases")


@require_POST
def legal_bases_reviewed(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    try:
        legal_bases_review(actor=actor, origin=Origin.from_request(request))
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("council-legal-bases")
    messages.success(request, "Your review of the legal bases is recorded.")
    return redirect("council-setup")


def profile(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    council = _council(request)
    initial = {
        "name": council.name,
        "brand_colour": council.brand_colour,
        "time_zone": council.time_zone,
        "support_contact": council_governance().support_contact,
    }
    form = ProfileForm(request.POST or None, initial=initial, council=council)
    if request.method == "POST" and form.is_valid():
        try:
            changed = council_profile_update(
                actor=actor,
                council=council,
                profile=CouncilProfile(**form.cleaned_data),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The council's profile is saved." if changed else "Nothing has changed.")
            return redirect("council-setup")
    return render(request, "council/profile.html", {"form": form})
