"""Support access from the console (SECURITY.md AZ-4): asking a council for access, and the pages it opens.

``/console/councils/<slug>/support/`` asks (a reason, the pages, the hours) and lists the operator's requests to
that council. ``/console/councils/<slug>/support/<page>/`` is a granted page: read in the council's schema only
while an open grant covers it (support.services.pages), under a banner saying so; otherwise "not found", with
nothing read from the council and the refusal recorded. Platform staff only (403 for anyone else).
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.form_errors import errors_onto
from console.views.access import staff_required
from core.accounts.models import User
from core.audit.origin import Origin
from support.forms import SupportRequestForm
from support.models import SupportGrant, SupportScope, SupportStatus
from support.scopes import scope_name, scopes_named
from support.selectors import support_grants_of_operator
from support.services import SupportGrantNotFound, SupportRefused
from support.services.pages import SupportPageRefused, support_page_view
from support.services.requests import support_request, support_withdraw
from tenants.models import Council
from tenants.selectors import council_get

PAGE_TITLES = {
    SupportScope.PEOPLE: "Accounts",
    SupportScope.AGENCIES: "Agencies",
    SupportScope.SETTINGS: "Set-up and rules",
}


def _council_or_404(slug: str) -> Council:
    council = council_get(slug=slug)
    if council is None:
        raise Http404("No such council.")
    return council


def _operator(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # staff_required: a signed-in platform user


def _grant_rows(operator: User, council: Council) -> list[dict[str, object]]:
    """The operator's requests to the council, each with its state in words and, while open, its pages' links."""
    now = timezone.now()
    rows: list[dict[str, object]] = []
    for grant in support_grants_of_operator(operator_id=operator.pk, council=council):
        is_open = grant.status == SupportStatus.GRANTED and grant.ends_at is not None and grant.ends_at > now
        ran_out = grant.status == SupportStatus.GRANTED and not is_open
        rows.append(
            {
                "grant": grant,
                "open": is_open,
                "state": "Ran out" if ran_out else ("Open" if is_open else grant.get_status_display()),
                "pages": scopes_named(grant.scopes_granted or grant.scopes_requested),
                "links": [(scope, scope_name(scope)) for scope in grant.scopes_granted] if is_open else [],
                "withdrawable": is_open or grant.status == SupportStatus.REQUESTED,
            }
        )
    return rows


@staff_required
@require_http_methods(["GET", "POST"])
def council_support(request: HttpRequest, slug: str) -> HttpResponse:
    council = _council_or_404(slug)
    operator = _operator(request)
    form = SupportRequestForm(request.POST or None, initial={"hours": 1})
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            support_request(
                operator=operator,
                council=council,
                reason=form.cleaned_data["reason"],
                scopes=form.cleaned_data["scopes"],
                hours=form.cleaned_data["hours"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        except SupportRefused as refusal:
            refused = f"{refusal} Nothing was changed."
        else:
            messages.success(request, f"Your request is with {council.name}'s administrators.")
            return redirect("council-support", slug=council.slug)
    context = {
        "target_council": council,
        "form": form,
        "refused": refused,
        "grants": _grant_rows(operator, council),
        "section": "councils",
    }
    status = 409 if refused else (400 if form.errors else 200)
    return render(request, "console/support.html", context, status=status)


@staff_required
@require_POST
def council_support_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    """Withdraw a waiting request, or give up open access (the grant's id in the form)."""
    council = _council_or_404(slug)
    try:
        grant_id = UUID(request.POST.get("grant", ""))
    except ValueError as error:
        raise Http404("No such request.") from error
    grant = SupportGrant.objects.filter(pk=grant_id, council=council).first()
    if grant is None:
        raise Http404("No such request.")
    try:
        withdrawn = support_withdraw(operator=_operator(request), grant=grant, origin=Origin.from_request(request))
    except SupportGrantNotFound as error:
        raise Http404("No such request.") from error
    except SupportRefused as refusal:
        messages.info(request, str(refusal))
    else:
        done = "You gave up your access to" if withdrawn.ended_at else "You withdrew your request to"
        messages.success(request, f"{done} {council.name}.")
    return redirect("council-support", slug=council.slug)


@staff_required
@require_GET
def council_support_page(request: HttpRequest, slug: str, scope: str) -> HttpResponse:
    """A granted page of the council, under the banner; 404 without an open grant for it now."""
    council = council_get(slug=slug)
    try:
        page = support_page_view(
            operator=_operator(request),
            council=council,
            council_slug=slug,
            scope=scope,
            origin=Origin.from_request(request),
            page_number=request.GET.get("page", 1),
        )
    except SupportPageRefused as refusal:
        raise Http404("No open support access to this page.") from refusal
    grant = page.grant
    context = {
        "target_council": council,
        "grant": grant,
        "scope": page.scope,
        "title": PAGE_TITLES[SupportScope(page.scope)],
        "pages": scopes_named(grant.scopes_granted),
        "content": page.content,
        "links": [(scope, scope_name(scope)) for scope in grant.scopes_granted],
        "section": "councils",
    }
    return render(request, f"console/support_{page.scope}.html", context)
