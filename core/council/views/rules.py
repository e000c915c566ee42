"""The council's rulebook: the rules in force, one page per section to change them (each asks why), and
every version since the first. Council administrators only; anyone else is refused (403, recorded)."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.council.forms import (
    AlertThresholdsForm,
    BreakGlassForm,
    FamilyTeamsForm,
    RetentionForm,
    SearchJoinForm,
    SensitiveServiceForm,
    StillInvolvedForm,
)
from core.council.selectors import (
    agencies_seeing_in_full_offered,
    rulebook_version,
    rules_shown,
    sensitive_agency,
)
from core.council.views.setup import _administrator
from core.directory.models import Practitioner
from core.governance.rules import (
    AlertThresholds,
    FamilyTeams,
    RetentionKind,
    RetentionPeriods,
    Rules,
    RulesError,
    SearchMinimum,
    SensitiveMode,
    SensitiveService,
    StillInvolvedAsking,
)
from core.governance.selectors import (
    retention_current,
    rulebook_history,
    rulebook_version_current,
    rules_current,
    still_involved_current,
)
from core.governance.services.rulebook import rulebook_revise, sensitive_service_set

SAVED = "The council's rules are changed: version {number} is in force."


def _field_of(form: Form, name: str) -> str | None:
    """The form field a rule's error belongs on ("alerts.burst_searches" is the field "burst_searches")."""
    name = name.rsplit(".", 1)[-1]
    aliases = {"break_glass_roles": "new_role"}  # "retention.audit" is the field "audit"
    name = aliases.get(name, name)
    return name if name in form.fields else None


def _rules_error_onto(form: Form, error: RulesError) -> None:
    form.add_error(_field_of(form, error.field), str(error))


def _service_errors_onto(form: Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        errors_onto(form, error)
        return
    for name, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(_field_of(form, name), problem)


def _revise(
    request: HttpRequest, form: Form, actor: Practitioner, change: Callable[[Rules], Rules]
) -> HttpResponse | None:
    """Put the changed rules in force; the errors land on the form's fields (None then: show the page again)."""
    try:
        rules = change(rules_current())
        version = rulebook_revise(
            actor=actor, rules=rules, reason=form.cleaned_data["reason"], origin=Origin.from_request(request)
        )
    except RulesError as error:
        _rules_error_onto(form, error)
        return None
    except ValidationError as error:
        _service_errors_onto(form, error)
        return None
    messages.success(request, SAVED.format(number=version.number))
    return redirect("council-rules")


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data: a POST, even an empty one, is checked (and refused when something is missing)."""
    return request.POST if request.method == "POST" else None


def _page(request: HttpRequest, template: str, form: Form, **context: Any) -> HttpResponse:
    return render(request, f"council/rules/{template}", {"form": form, **context}, status=400 if form.errors else 200)


@require_GET
def rules_overview(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    context = {"shown": rules_shown(rules_current()), "version": rulebook_version_current(), "changing": True}
    return render(request, "council/rules/overview.html", context)


@require_http_methods(["GET", "POST"])
def rules_sensitive_service(request: HttpRequest, agency_id: UUID) -> HttpResponse:
    actor = _administrator(request)
    agency = sensitive_agency(agency_id)
    if agency is None:
        raise Http404("No such sensitive service.")
    rule = rules_current().sensitive_service(agency.pk)
    initial = {"mode": str(rule.mode), "seen_in_full_by": sorted(rule.seen_in_full_by)}
    form = SensitiveServiceForm(_posted(request), initial=initial, others=agencies_seeing_in_full_offered(agency))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = sensitive_service_set(
                actor=actor,
                agency=agency,
                service=SensitiveService(
                    mode=SensitiveMode(data["mode"]), seen_in_full_by=frozenset(data["seen_in_full_by"])
                ),
                reason=data["reason"],
                origin=Origin.from_request(request),
            )
        except RulesError as error:
            _rules_error_onto(form, error)
        except ValidationError as error:
            _service_errors_onto(form, error)
        else:
            messages.success(request, SAVED.format(number=version.number))
            return redirect("council-rules")
    return _page(request, "sensitive_service.html", form, agency=agency)


@require_http_methods(["GET", "POST"])
def rules_search_join(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    rules = rules_current()
    initial = {
        "search_minimum": str(rules.search_minimum),
        "result_cap": rules.result_cap,
        "searches_per_hour": rules.searches_per_hour,
        "join_needs_lead_approval": rules.join_needs_lead_approval,
    }
    form = SearchJoinForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _revise(
            request,
            form,
            actor,
            lambda current: current.with_changes(
                search_minimum=SearchMinimum(data["search_minimum"]),
                result_cap=data["result_cap"],
                searches_per_hour=data["searches_per_hour"],
                join_needs_lead_approval=data["join_needs_lead_approval"],
            ),
        )
        if saved:
            return saved
    return _page(request, "search_join.html", form)


@require_http_methods(["GET", "POST"])
def rules_family_teams(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = FamilyTeamsForm(_posted(request), initial={"family_teams": str(rules_current().family_teams)})
    if request.method == "POST" and form.is_valid():
        chosen = FamilyTeams(form.cleaned_data["family_teams"])
        saved = _revise(request, form, actor, lambda current: current.with_changes(family_teams=chosen))
        if saved:
            return saved
    return _page(request, "family_teams.html", form)


@require_http_methods(["GET", "POST"])
def rules_break_glass(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    rules = rules_current()
    initial = {
        "break_glass_reasons": "\n".join(rules.break_glass_reasons),
        "break_glass_minutes": rules.break_glass_minutes,
    }
    form = BreakGlassForm(_posted(request), initial=initial, roles=rules.break_glass_roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        roles = form.roles_after()
        saved = _revise(
            request,
            form,
            actor,
            lambda current: current.with_changes(
                break_glass_roles=roles,
                break_glass_reasons=data["break_glass_reasons"],
                break_glass_minutes=data["break_glass_minutes"],
            ),
        )
        if saved:
            return saved
    return _page(request, "break_glass.html", form, roles=rules.break_glass_roles)


@require_http_methods(["GET", "POST"])
def rules_alerts(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    thresholds = rules_current().alerts
    initial: dict[str, object] = {
        name: getattr(thresholds, name)
        for name in (
            "searches_without_involvement",
            "burst_searches",
            "distinct_clients_viewed",
            "out_of_hours_searches",
            "working_day_starts",
            "working_day_ends",
        )
    }
    shown = initial | {name: initial[name].strftime("%H:%M") for name in ("working_day_starts", "working_day_ends")}  # type: ignore[attr-defined]
    form = AlertThresholdsForm(_posted(request), initial=shown)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in initial}
        saved = _revise(request, form, actor, lambda current: current.with_changes(alerts=AlertThresholds(**values)))
        if saved:
            return saved
    return _page(request, "alerts.html", form)


@require_http_methods(["GET", "POST"])
def rules_retention(request: HttpRequest) -> HttpResponse:
    """The retention schedule: saving it, even unchanged from the jurisdiction's defaults, records its review."""
    actor = _administrator(request)
    rules = rules_current()
    periods = retention_current()
    form = RetentionForm(_posted(request), initial=periods.to_json())
    if request.method == "POST" and form.is_valid():
        values = {str(kind): form.cleaned_data[str(kind)] for kind in RetentionKind}
        saved = _revise(
            request, form, actor, lambda current: current.with_changes(retention=RetentionPeriods(**values))
        )
        if saved:
            return saved
    return _page(request, "retention.html", form, reviewed=rules.retention is not None)


@require_http_methods(["GET", "POST"])
def rules_still_involved(request: HttpRequest) -> HttpResponse:
    """When members with no contact recorded are asked whether they are still involved (core/teamwork)."""
    actor = _administrator(request)
    rules = rules_current()
    form = StillInvolvedForm(_posted(request), initial=still_involved_current().to_json())
    if request.method == "POST" and form.is_valid():
        asking = {name: form.cleaned_data[name] for name in ("after_days", "reminder_days")}
        saved = _revise(
            request,
            form,
            actor,
            lambda current: current.with_changes(still_involved=StillInvolvedAsking(**asking)),
        )
        if saved:
            return saved
    return _page(request, "still_involved.html", form, own=rules.still_involved is not None)


@require_GET
def rules_history(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    return render(request, "council/rules/history.html", {"versions": rulebook_history()})


@require_GET
def rules_version(request: HttpRequest, number: int) -> HttpResponse:
    _administrator(request)
    version = rulebook_version(number)
    if version is None:
        raise Http404("No such version of the rules.")
    try:
        rules = Rules.from_json(version.rules)
    except RulesError:
        rules = None
    context = {"version": version, "shown": rules_shown(rules) if rules else None, "changing": False}
    return render(request, "council/rules/version.html", context)
