"""The privacy officer's subject access pages: the requests and their deadlines, recording one, its export
(progress, download once), extending the time and closing it.

Privacy officers only: anyone else is refused (403, recorded) before anything is read. Another council's ids
are not found here (each council's requests live in its own schema), nor are its download links (they name
their council, and are signed).
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.clients.models import Client
from core.privacy.forms import ClientLookupForm
from core.privacy.officers import privacy_officer_of
from core.privacy.recorded import clients_lookup_recorded
from core.subject_access.forms import CloseForm, ExtendForm, RequestRecordForm
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.selectors import deadline_of, request_for_officer, requests_list, rule_of
from core.subject_access.services.exports import (
    DownloadRefused,
    download_refusal,
    download_request_of,
    download_token,
    link_lifetime,
    subject_access_download,
    subject_access_export_start,
)
from core.subject_access.services.requests import (
    subject_access_close,
    subject_access_extend,
    subject_access_record,
)


def _request(request_id: object) -> SubjectAccessRequest:
    found = request_for_officer(request_id=request_id)
    if found is None:
        raise Http404("No such subject access request.")
    return found


def requests(request: HttpRequest) -> HttpResponse:
    """Every open request by deadline, the overdue ones marked; closed ones on asking."""
    privacy_officer_of(request)
    show_closed = request.GET.get("closed") == "1"
    rows = requests_list(today=timezone.localdate(), show_closed=show_closed)
    overdue = sum(1 for row in rows if row.deadline.is_overdue)
    return render(
        request, "subject_access/requests.html", {"rows": rows, "overdue": overdue, "show_closed": show_closed}
    )


def request_new(request: HttpRequest) -> HttpResponse:
    """Find the client the request is about (the privacy officer's lookup, recorded)."""
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
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "subject_access/request_new.html", {"form": form, "found": found}, status=status)


def request_record(request: HttpRequest, client_id: UUID) -> HttpResponse:
    officer = privacy_officer_of(request)
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    form = RequestRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        origin = Origin.from_request(request)
        try:
            recorded = subject_access_record(
                actor=officer,
                client=client,
                received_on=form.cleaned_data["received_on"],
                origin=origin,
                today=timezone.localdate(),
            )
            if form.cleaned_data["start_export"]:
                subject_access_export_start(actor=officer, request_id=recorded.pk, origin=origin)
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(
                request, f"The request is recorded: answer it by {recorded.due_on.day} {recorded.due_on:%B %Y}."
            )
            return redirect("subject-access-request", request_id=recorded.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "subject_access/request_record.html", {"form": form, "client": client}, status=status)


def request_page(request: HttpRequest, request_id: UUID) -> HttpResponse:
    """The request: its deadline, the export's progress (the page refreshes itself while it runs), the download
    link for the officer who started it, and the ways to extend and close it."""
    officer = privacy_officer_of(request)
    found = _request(request_id)
    link = None
    mine = found.export_started_by_id == officer.pk
    if found.state == SubjectAccessRequest.State.READY and mine:
        link = reverse("subject-access-download", kwargs={"token": download_token(found)})
    context = {
        "sar": found,
        "deadline": deadline_of(found, today=timezone.localdate()),
        "rule": rule_of(found),
        "link": link,
        "mine": mine,
        "link_days": link_lifetime().days,
        "can_export": found.state not in (SubjectAccessRequest.State.EXPORTING, SubjectAccessRequest.State.CLOSED)
        and found.client_id is not None,
    }
    return render(request, "subject_access/request.html", context)


@require_POST
def request_export(request: HttpRequest, request_id: UUID) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _request(request_id)
    try:
        subject_access_export_start(actor=officer, request_id=found.pk, origin=Origin.from_request(request))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    return redirect("subject-access-request", request_id=found.pk)


def request_extend(request: HttpRequest, request_id: UUID) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _request(request_id)
    rule = rule_of(found)
    form = ExtendForm(request.POST if request.method == "POST" else None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            extended = subject_access_extend(
                actor=officer,
                request_id=found.pk,
                code=form.cleaned_data["code"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
                today=timezone.localdate(),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, f"The deadline is now {extended.due_on.day} {extended.due_on:%B %Y}.")
            return redirect("subject-access-request", request_id=found.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"sar": found, "form": form, "rule": rule, "deadline": deadline_of(found, today=timezone.localdate())}
    return render(request, "subject_access/extend.html", context, status=status)


def request_close(request: HttpRequest, request_id: UUID) -> HttpResponse:
    officer = privacy_officer_of(request)
    found = _request(request_id)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            subject_access_close(
                actor=officer, request_id=found.pk, note=form.cleaned_data["note"], origin=Origin.from_request(request)
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The request is closed.")
            return redirect("subject-access-request", request_id=found.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "subject_access/close.html", {"sar": found, "form": form}, status=status)


def download(request: HttpRequest, token: str) -> HttpResponse:
    """The download link: a page with a button (GET changes nothing), and the export once (POST)."""
    officer = privacy_officer_of(request)
    try:
        if request.method != "POST":
            found, nonce = download_request_of(token)
            refusal = download_refusal(found, nonce=nonce, actor=officer, now=timezone.now())
            if refusal is not None:
                raise refusal
            return render(request, "subject_access/download.html", {"sar": found, "token": token})
        file = subject_access_download(actor=officer, token=token, origin=Origin.from_request(request))
    except DownloadRefused as refusal:
        return render(request, "subject_access/download_refused.html", {"refusal": refusal}, status=refusal.status)
    response = HttpResponse(file.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "no-store"
    return response
