"""The council's side of support access (its site, ``/administration/support/``). Council administrators only.

Anyone else is refused (403) before anything is read. Decisions are posted with the request's id in the form; an id
that is not one of this council's requests is "not found" (404), whoever's it is. A form with a problem is shown
again with what was typed and the problem beside it; a request answered meanwhile is refused with a message.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_POST

from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.directory.models import Practitioner
from core.directory.selectors import practitioner_for_user
from support.forms import SupportGrantForm, SupportRefusalForm
from support.models import SupportGrant
from support.scopes import scopes_named
from support.selectors import support_audit_recent, support_grants_open, support_history, support_requests_waiting
from support.services import SupportGrantNotFound, SupportRefused
from support.services.decisions import support_end, support_grant, support_refuse
from tenants.models import Council


def _administrator(request: HttpRequest) -> Practitioner:
    practitioner = practitioner_for_user(user=request.user)  # type: ignore[arg-type]
    if practitioner is None or not practitioner.is_council_admin:
        raise PermissionDenied("Only council administrators decide support access.")
    return practitioner


def _council(request: HttpRequest) -> Council:
    return request.council  # type: ignore[attr-defined]


def _grant_id(request: HttpRequest) -> UUID:
    """The request's id from the form; anything that is not an id is "not found", like another council's."""
    try:
        return UUID(request.POST.get("grant", ""))
    except ValueError as error:
        raise Http404("No such request.") from error


def _page(
    request: HttpRequest,
    *,
    failed: SupportGrantForm | SupportRefusalForm | None = None,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    """The support page; ``failed``: the one form with a problem, shown again as it was sent."""
    council = _council(request)
    now = timezone.now()
    waiting: list[dict[str, Any]] = []
    for grant in support_requests_waiting(council=council):
        grant_form = failed if isinstance(failed, SupportGrantForm) and failed.grant.pk == grant.pk else None
        refusal_form = failed if isinstance(failed, SupportRefusalForm) and failed.grant.pk == grant.pk else None
        waiting.append(
            {
                "grant": grant,
                "pages": scopes_named(grant.scopes_requested),
                "grant_form": grant_form or SupportGrantForm(grant=grant),
                "refusal_form": refusal_form or SupportRefusalForm(grant=grant),
            }
        )
    open_grants = [
        (grant, scopes_named(grant.scopes_granted)) for grant in support_grants_open(council=council, now=now)
    ]
    context = {
        "waiting": waiting,
        "open_grants": open_grants,
        "history": [
            (grant, scopes_named(grant.scopes_granted or grant.scopes_requested))
            for grant in support_history(council=council, now=now)
        ],
        "audit": support_audit_recent(),
        "failed": failed,
        "refused": refused,
        "now": now,
    }
    return render(request, "support/support.html", context, status=status)


@require_GET
def support(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    return _page(request)


def _waiting_grant(request: HttpRequest, grant_id: UUID) -> SupportGrant:
    grant = support_requests_waiting(council=_council(request)).filter(pk=grant_id).first()
    if grant is None:
        if not SupportGrant.objects.filter(pk=grant_id, council=_council(request)).exists():
            raise Http404("No such request.")
        raise SupportRefused("That request was already answered: nothing was changed.")
    return grant


@require_POST
def support_grant_page(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    grant_id = _grant_id(request)
    try:
        grant = _waiting_grant(request, grant_id)
        form = SupportGrantForm(request.POST, grant=grant)
        if not form.is_valid():
            return _page(request, failed=form, status=400)
        try:
            granted = support_grant(
                actor=actor,
                grant_id=grant_id,
                scopes=form.cleaned_data["scopes"],
                hours=form.cleaned_data["hours"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
            return _page(request, failed=form, status=400)
    except SupportGrantNotFound as error:
        raise Http404("No such request.") from error
    except SupportRefused as refusal:
        return _page(request, refused=str(refusal), status=409)
    until = dateformat.format(timezone.localtime(granted.ends_at), "H:i, j F Y")
    messages.success(request, f"{granted.operator_name} can see {scopes_named(granted.scopes_granted)} until {until}.")
    return redirect("support")


@require_POST
def support_refuse_page(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    grant_id = _grant_id(request)
    try:
        grant = _waiting_grant(request, grant_id)
        form = SupportRefusalForm(request.POST, grant=grant)
        if not form.is_valid():
            return _page(request, failed=form, status=400)
        try:
            refused = support_refuse(
                actor=actor, grant_id=grant_id, reason=form.cleaned_data["reason"], origin=Origin.from_request(request)
            )
        except ValidationError as error:
            errors_onto(form, error)
            return _page(request, failed=form, status=400)
    except SupportGrantNotFound as error:
        raise Http404("No such request.") from error
    except SupportRefused as refusal:
        return _page(request, refused=str(refusal), status=409)
    messages.success(request, f"You refused the request from {refused.operator_name}.")
    return redirect("support")


@require_POST
def support_end_page(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    grant_id = _grant_id(request)
    try:
        ended = support_end(actor=actor, grant_id=grant_id, origin=Origin.from_request(request))
    except SupportGrantNotFound as error:
        raise Http404("No such access.") from error
    except SupportRefused as refusal:
        return _page(request, refused=str(refusal), status=409)
    messages.success(request, f"The support access of {ended.operator_name} has ended.")
    return redirect("support")
