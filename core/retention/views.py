"""The privacy officer's retention pages: the nightly lists (approve or reject), legal holds on a client, and
erasure requests. Privacy officers only: anyone else is refused (403) before anything is read; ids of another
council are simply not found (404)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from config.form_errors import errors_onto
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Client
from core.directory.models import Practitioner
from core.governance.rules import RETENTION_KIND_LABELS, RetentionKind
from core.privacy.officers import privacy_officer_of
from core.retention.forms import ErasureDecisionForm, ErasureRequestForm, HoldLiftForm, HoldPlaceForm, RunRejectForm
from core.retention.models import LegalHold, RetentionRun
from core.retention.selectors import (
    erasure_request_for_officer,
    erasure_requests_listed,
    erasure_requests_of,
    legal_holds_of,
    retention_run_for_officer,
    retention_runs_recent,
)
from core.retention.services.holds import legal_hold_lift, legal_hold_place
from core.retention.services.requests import erasure_request_decide, erasure_request_record
from core.retention.services.runs import retention_run_approve, retention_run_listed_clients, retention_run_reject

CLIENTS_PER_PAGE = 50


def _client(client_id: object) -> Client:
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    return client


# --- The nightly lists ------------------------------------------------------------------------------------------


def _rows(run: RetentionRun) -> list[tuple[str, int, int | None]]:
    """Per kind of record: what it is, how many were listed, how many erased (None before erasing)."""
    erased = run.erased if run.state == RetentionRun.State.FINISHED else None
    return [
        (
            RETENTION_KIND_LABELS[kind],
            int(run.counts.get(str(kind), 0)),
            None if erased is None else int(erased.get(str(kind), 0)),
        )
        for kind in RetentionKind
    ]


def _also_erased(run: RetentionRun) -> list[tuple[str, int]]:
    """What went with the erased clients (their involvements, activity, empty families; redacted audit events)."""
    kinds = {str(kind) for kind in RetentionKind}
    return [(what.capitalize(), int(count)) for what, count in sorted(run.erased.items()) if what not in kinds]


@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    privacy_officer_of(request)
    return render(request, "retention/runs.html", {"runs": retention_runs_recent()})


def _run(run_id: object) -> RetentionRun:
    run = retention_run_for_officer(run_id)
    if run is None:
        raise Http404("No such list.")
    return run


def _run_page(
    request: HttpRequest,
    officer: Practitioner,
    run: RetentionRun,
    *,
    reject_form: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    page = None
    if run.state == RetentionRun.State.PENDING:
        page = Paginator(retention_run_listed_clients(run), CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
        audit_record(
            action=AuditAction.ACCESS_REPORT_VIEWED,
            outcome=AuditOutcome.SUCCESS,
            origin=Origin.from_request(request),
            actor_id=officer.user_id,
            object_type="retention_run",
            object_id=run.pk,
            related_ids=[client.pk for client in page.object_list],
            reason="clients listed for erasure",
        )
    context = {
        "run": run,
        "rows": _rows(run),
        "also_erased": _also_erased(run),
        "page": page,
        "reject_form": reject_form or RunRejectForm(),
    }
    return render(request, "retention/run.html", context, status=status)


@require_GET
def run(request: HttpRequest, run_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    return _run_page(request, officer, _run(run_id))


@require_POST
def run_approve(request: HttpRequest, run_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _run(run_id)
    try:
        retention_run_approve(actor=officer, run_id=found.pk, origin=Origin.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Approved: the records listed are being erased. The report appears here.")
    return redirect("retention-run", run_id=found.pk)


@require_POST
def run_reject(request: HttpRequest, run_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _run(run_id)
    form = RunRejectForm(request.POST)
    if form.is_valid():
        try:
            retention_run_reject(
                actor=officer, run_id=found.pk, reason=form.cleaned_data["reason"], origin=Origin.from_request(request)
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The list is rejected: nothing was erased.")
            return redirect("retention-run", run_id=found.pk)
    return _run_page(request, officer, found, reject_form=form, status=400)


# --- A client's legal holds and erasure requests ----------------------------------------------------------------


def _client_page(
    request: HttpRequest, officer: Practitioner, client: Client, *, status: int = 200, **forms: Form
) -> HttpResponse:
    audit_record(
        action=AuditAction.ACCESS_REPORT_VIEWED,
        outcome=AuditOutcome.SUCCESS,
        origin=Origin.from_request(request),
        actor_id=officer.user_id,
        object_type="client",
        object_id=client.pk,
        reason="legal holds and erasure requests",
    )
    holds = legal_holds_of(client)
    context = {
        "client": client,
        "holds": holds,
        "current_hold": next((hold for hold in holds if hold.is_current), None),
        "requests": erasure_requests_of(client),
        "place_form": forms.get("place_form") or HoldPlaceForm(),
        "lift_form": forms.get("lift_form") or HoldLiftForm(),
        "request_form": forms.get("request_form") or ErasureRequestForm(),
        "errors_form": next((form for form in forms.values() if form.errors), None),
    }
    return render(request, "retention/client.html", context, status=status)


@require_GET
def client(request: HttpRequest, client_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    return _client_page(request, officer, _client(client_id))


@require_POST
def hold_place(request: HttpRequest, client_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _client(client_id)
    form = HoldPlaceForm(request.POST)
    if form.is_valid():
        try:
            legal_hold_place(
                actor=officer,
                client_id=found.pk,
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The record is on legal hold: it will not be listed or erased.")
            return redirect("retention-client", client_id=found.pk)
    return _client_page(request, officer, found, place_form=form, status=400)


@require_POST
def hold_lift(request: HttpRequest, hold_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    hold = LegalHold.objects.filter(pk=hold_id).select_related("client").first()
    if hold is None:
        raise Http404("No such legal hold.")
    form = HoldLiftForm(request.POST)
    if form.is_valid():
        try:
            legal_hold_lift(
                actor=officer, hold_id=hold.pk, reason=form.cleaned_data["reason"], origin=Origin.from_request(request)
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The legal hold is lifted: the retention schedule applies again.")
            return redirect("retention-client", client_id=hold.client_id)
    return _client_page(request, officer, hold.client, lift_form=form, status=400)


@require_POST
def erasure_request_new(request: HttpRequest, client_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _client(client_id)
    form = ErasureRequestForm(request.POST)
    if form.is_valid():
        try:
            recorded = erasure_request_record(
                actor=officer,
                client_id=found.pk,
                received_on=form.cleaned_data["received_on"],
                grounds=form.cleaned_data["grounds"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The request is recorded: decide it below.")
            return redirect("erasure-request", request_id=recorded.pk)
    return _client_page(request, officer, found, request_form=form, status=400)


# --- Erasure requests -------------------------------------------------------------------------------------------


@require_GET
def erasure_requests(request: HttpRequest) -> HttpResponse:
    privacy_officer_of(request)
    page = Paginator(erasure_requests_listed(), CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "retention/erasure_requests.html", {"page": page})


def _erasure_request_page(
    request: HttpRequest, found: Any, *, form: Form | None = None, status: int = 200
) -> HttpResponse:
    context = {"found": found, "form": form or ErasureDecisionForm()}
    return render(request, "retention/erasure_request.html", context, status=status)


def _erasure_request(request_id: object) -> Any:
    found = erasure_request_for_officer(request_id)
    if found is None:
        raise Http404("No such erasure request.")
    return found


@require_GET
def erasure_request(request: HttpRequest, request_id: object) -> HttpResponse:
    privacy_officer_of(request)
    return _erasure_request_page(request, _erasure_request(request_id))


@require_POST
def erasure_request_decide_view(request: HttpRequest, request_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _erasure_request(request_id)
    form = ErasureDecisionForm(request.POST)
    if form.is_valid():
        erase = form.cleaned_data["decision"] == "erase"
        try:
            erasure_request_decide(
                actor=officer,
                request_id=found.pk,
                erase=erase,
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The record is erased." if erase else "The request is refused.")
            return redirect("erasure-request", request_id=found.pk)
    return _erasure_request_page(request, _erasure_request(request_id), form=form, status=400)
