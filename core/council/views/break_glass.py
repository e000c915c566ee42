"""Who holds each of the rulebook's break-glass roles: give one to a practitioner, take it away.
Council administrators only; anyone else is refused (403, recorded)."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.audit.origin import Origin
from core.council.forms import BreakGlassRoleGiveForm, PractitionerSearchForm
from core.council.selectors import break_glass_role_candidates, break_glass_roles_held
from core.council.services.break_glass_roles import break_glass_role_set
from core.council.views.setup import _administrator
from core.directory.models import Practitioner
from core.governance.selectors import rules_current


@require_GET
def break_glass_roles(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    rules = rules_current()
    search = PractitionerSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    context = {
        "held": break_glass_roles_held(rules),
        "roles": rules.break_glass_roles,
        "search": search,
        "query": query,
        "candidates": break_glass_role_candidates(query=query) if rules.break_glass_roles else [],
    }
    return render(request, "council/break_glass_roles.html", context)


@require_POST
def break_glass_role(request: HttpRequest, practitioner_id: UUID, action: str) -> HttpResponse:
    actor = _administrator(request)
    if action not in ("give", "take-away"):
        raise Http404("No such action.")
    practitioner = get_object_or_404(Practitioner.objects.select_related("user"), pk=practitioner_id)
    name = practitioner.user.full_name
    role_key = ""
    if action == "give":
        form = BreakGlassRoleGiveForm(request.POST, roles=rules_current().break_glass_roles)
        if not form.is_valid():
            messages.info(request, " ".join(message for problems in form.errors.values() for message in problems))
            return redirect("council-break-glass-roles")
        role_key = form.cleaned_data["role"]
    try:
        break_glass_role_set(
            actor=actor, practitioner=practitioner, role_key=role_key, origin=Origin.from_request(request)
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        role = rules_current().break_glass_role(role_key) if role_key else None
        messages.success(
            request,
            f"{name} now holds the break-glass role {role.name}."
            if role
            else f"{name} no longer holds a break-glass role.",
        )
    return redirect("council-break-glass-roles")
