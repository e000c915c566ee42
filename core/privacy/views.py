"""The privacy officer's pages: who accessed a client and why, what a practitioner did, and the alerts inbox.

Privacy officers only: anyone else is refused (403, recorded as a denied access) before anything is read. Ids
of another council are simply not found here (each council's records live in its own schema).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.clients.models import Client
from core.clients.restriction import client_restrict, client_restriction_lift
from core.directory.models import Practitioner
from core.governance.models import Alert, AlertKind
from core.governance.services.alerts import alert_assign, alert_close
from core.privacy.forms import AlertAssignForm, AlertCloseForm, AlertFilterForm, ClientLookupForm, RestrictionForm
from core.privacy.officers import privacy_officer_of
from core.privacy.recorded import (
    alert_viewed_recorded,
    client_access_exported,
    client_access_recorded,
    clients_lookup_recorded,
    practitioner_activity_exported,
    practitioner_activity_recorded,
)
from core.privacy.selectors import (
    PAGE_SIZE,
    AccessRow,
    access_rows,
    alert_evidence,
    alert_for_officer,
    alert_practitioners,
    alerts_list,
    privacy_officers,
)
from tenants.streaming import rows_in_schema

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ["When", "Who", "Agency", "What", "Outcome", "Reason", "Address", "Client", "Audit event"]


def _client(client_id: object) -> Client:
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    return client


def _practitioner(practitioner_id: object) -> Practitioner:
    person = Practitioner.objects.select_related("user", "agency").filter(pk=practitioner_id).first()
    if person is None:
        raise Http404("No such practitioner.")
    return person


def _page(request: HttpRequest, events: Any, *, client_id: object | None = None) -> tuple[Any, list[AccessRow]]:
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return page, access_rows(page.object_list, client_id=client_id)


# --- Finding a client -----------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """Find a client (the details are posted, never put in the address) and the way into the alerts."""
    officer = privacy_officer_of(request)
    form = ClientLookupForm(request.POST if request.method == "POST" else None)
    found = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = clients_lookup_recorded(
            officer=officer,
            origin=Origin.from_request(request),
            way=data["way"],
            surname=data.get("surname") or "",
            date_of_birth=data.get("date_of_birth"),
            identifier=data.get("identifier") or "",
            client_id=data.get("client_id"),
        )
    open_alerts = Alert.objects.filter(state=Alert.State.OPEN).count()
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "privacy/home.html", {"form": form, "found": found, "open_alerts": open_alerts}, status=status
    )


# --- Who accessed a client; what a practitioner did --------------------------------------------------------------


def _client_access_page(
    request: HttpRequest,
    officer: Practitioner,
    client: Client,
    *,
    form: RestrictionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    events = client_access_recorded(officer=officer, client=client, origin=Origin.from_request(request))
    page, rows = _page(request, events, client_id=client.pk)
    context = {"client": client, "page": page, "rows": rows, "restriction_form": form or RestrictionForm()}
    return render(request, "privacy/client_access.html", context, status=status)


@require_GET
def client_access(request: HttpRequest, client_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    return _client_access_page(request, officer, _client(client_id))


def _restriction_changed(request: HttpRequest, client_id: object, *, restrict: bool) -> HttpResponse:
    officer = privacy_officer_of(request)
    client = _client(client_id)
    form = RestrictionForm(request.POST)
    if form.is_valid():
        change = client_restrict if restrict else client_restriction_lift
        try:
            change(
                actor=officer,
                client_id=client.pk,
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(
                request,
                "The record is restricted: only the client's current team finds it."
                if restrict
                else "The restriction is lifted.",
            )
            return redirect("privacy-client", client_id=client.pk)
    return _client_access_page(request, officer, _client(client_id), form=form, status=400)


@require_POST
def client_restrict_view(request: HttpRequest, client_id: object) -> HttpResponse:
    """Restrict the client's record (UK GDPR Art 18): hidden from search for everyone outside the current team."""
    return _restriction_changed(request, client_id, restrict=True)


@require_POST
def client_restriction_lift_view(request: HttpRequest, client_id: object) -> HttpResponse:
    return _restriction_changed(request, client_id, restrict=False)


@require_GET
def client_access_csv(request: HttpRequest, client_id: object) -> StreamingHttpResponse:
    officer = privacy_officer_of(request)
    client = _client(client_id)
    rows = client_access_exported(officer=officer, client=client, origin=Origin.from_request(request))
    return _csv_download(rows, filename=f"access-{client.pk}.csv")


@require_GET
def practitioner_activity(request: HttpRequest, practitioner_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    person = _practitioner(practitioner_id)
    events = practitioner_activity_recorded(officer=officer, practitioner=person, origin=Origin.from_request(request))
    page, rows = _page(request, events)
    return render(request, "privacy/practitioner_activity.html", {"person": person, "page": page, "rows": rows})


@require_GET
def practitioner_activity_csv(request: HttpRequest, practitioner_id: object) -> StreamingHttpResponse:
    officer = privacy_officer_of(request)
    person = _practitioner(practitioner_id)
    rows = practitioner_activity_exported(officer=officer, practitioner=person, origin=Origin.from_request(request))
    return _csv_download(rows, filename=f"activity-{person.pk}.csv")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula (= + - @, a tab or a carriage return)
    gets a leading quote, so that opening the export never runs anything."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_lines(rows: Iterable[AccessRow], *, schema: str, zone: Any) -> Iterator[str]:
    """The export a row at a time, read in the council's schema and shown in its time zone (the response is
    sent after the view has returned)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list[object]) -> str:
        writer.writerow([csv_cell(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(CSV_HEADER)  # a byte-order mark, so that Excel reads UTF-8
    with timezone.override(zone):
        for row in rows_in_schema(schema, rows):
            yield line(
                [
                    timezone.localtime(row.event.occurred_at).isoformat(timespec="seconds"),
                    row.who_name,
                    row.who_agency,
                    row.what,
                    row.outcome,
                    row.reason,
                    row.address,
                    row.client_id or "",
                    row.event.pk,
                ]
            )


def _csv_download(rows: Iterable[AccessRow], *, filename: str) -> StreamingHttpResponse:
    lines = _csv_lines(rows, schema=connection.schema_name, zone=timezone.get_current_timezone())
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Alerts ---------------------------------------------------------------------------------------------------


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    privacy_officer_of(request)
    officers = privacy_officers()
    form = AlertFilterForm(request.GET or None, practitioners=alert_practitioners(), officers=officers)
    page = Paginator(alerts_list(filters=form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/alerts.html", {"form": form, "page": page, "kinds": AlertKind})


def _alert(alert_id: object) -> Alert:
    alert = alert_for_officer(alert_id=alert_id)
    if alert is None:
        raise Http404("No such alert.")
    return alert


def _alert_page(
    request: HttpRequest,
    officer: Practitioner,
    alert: Alert,
    *,
    assign_form: AlertAssignForm | None = None,
    close_form: AlertCloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    officers = privacy_officers()
    alert_viewed_recorded(officer=officer, alert=alert, origin=Origin.from_request(request))
    context = {
        "alert": alert,
        "evidence": alert_evidence(alert=alert),
        "assign_form": assign_form
        or AlertAssignForm(officers=officers, initial={"assignee": str(alert.assigned_to_id or officer.pk)}),
        "close_form": close_form or AlertCloseForm(),
        "errors_form": assign_form if assign_form is not None and assign_form.errors else close_form,
    }
    return render(request, "privacy/alert.html", context, status=status)


@require_GET
def alert(request: HttpRequest, alert_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    return _alert_page(request, officer, _alert(alert_id))


@require_POST
def alert_assign_view(request: HttpRequest, alert_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _alert(alert_id)
    form = AlertAssignForm(request.POST, officers=privacy_officers())
    if form.is_valid():
        try:
            alert_assign(
                actor=officer, alert_id=found.pk, assignee=form.chosen_officer(), origin=Origin.from_request(request)
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, f"The alert is assigned to {form.chosen_officer().user.full_name}.")
            return redirect("privacy-alert", alert_id=found.pk)
    return _alert_page(request, officer, found, assign_form=form, status=400)


@require_POST
def alert_close_view(request: HttpRequest, alert_id: object) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _alert(alert_id)
    form = AlertCloseForm(request.POST)
    if form.is_valid():
        try:
            alert_close(
                actor=officer,
                alert_id=found.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The alert is closed.")
            return redirect("privacy-alert", alert_id=found.pk)
    return _alert_page(request, officer, _alert(alert_id), close_form=form, status=400)
