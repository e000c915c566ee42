"""Council administration: bulk import of agencies and practitioners from a CSV file. Administrators only.

Anyone else is refused (403) before anything is read. An import job's id from another council is not
found: each council's jobs live in its own schema.
"""

import csv
from collections.abc import Iterable
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.audit.origin import Origin
from core.directory.forms import ImportKindForm, ImportUploadForm
from core.directory.imports import COLUMN_HELP, COLUMNS, MAX_BYTES, MAX_ROWS
from core.directory.models import ImportKind
from core.directory.services.imports import (
    import_job_for,
    import_job_start,
    import_jobs_recent,
    import_report_download,
)
from core.directory.views.administration import _administrator

UPLOAD_PAGES = {
    ImportKind.AGENCIES: "administration-import-agencies",
    ImportKind.PRACTITIONERS: "administration-import-practitioners",
}


def _csv_response(lines: Iterable[list[str]], *, filename: str) -> HttpResponse:
    """A CSV download, read whole before it is sent (within the council's schema; at most a few megabytes).

    It starts with a byte-order mark, so that Excel reads it as UTF-8 (names with accents stay whole)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    csv.writer(response).writerows(lines)
    return response


def imports(request: HttpRequest) -> HttpResponse:
    """Choose what to import; the imports so far."""
    _administrator(request)
    form = ImportKindForm(request.GET if "kind" in request.GET or "choose" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect(UPLOAD_PAGES[form.cleaned_data["kind"]])
    return render(request, "directory/administration/imports.html", {"form": form, "jobs": import_jobs_recent()})


def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _administrator(request)
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_BYTES:  # refused before it is read into memory
                raise ValidationError(
                    {"file": f"The selected file must be smaller than {MAX_BYTES // (1024 * 1024)} MB"}
                )
            job = import_job_start(
                actor=actor,
                kind=kind,
                file_name=upload.name or "",
                data=upload.read(),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            for problems in error.message_dict.values():
                for problem in problems:
                    form.add_error("file", problem)
        else:
            return redirect("administration-import-job", job_id=job.pk)
    context = {
        "form": form,
        "kind": ImportKind(kind),
        "columns": [(column, COLUMN_HELP[kind][column]) for column in COLUMNS[kind]],
        "template_url": f"{UPLOAD_PAGES[kind]}-template",
        "max_rows": MAX_ROWS,
    }
    return render(request, "directory/administration/import_upload.html", context)


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The CSV template: the headers the import expects, in order."""
    _administrator(request)
    if kind not in COLUMNS:
        raise Http404("No such import.")
    return _csv_response([list(COLUMNS[kind])], filename=f"patchwork-{kind}-template.csv")


def import_job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """How far the import has gone (the page refreshes itself while it runs), then what it did."""
    actor = _administrator(request)
    job = import_job_for(actor=actor, job_id=job_id, origin=Origin.from_request(request))
    return render(request, "directory/administration/import_job.html", {"job": job})


def import_report(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The rows that were not imported, with why and their own values, as a CSV file."""
    actor = _administrator(request)
    job = import_job_for(actor=actor, job_id=job_id, origin=Origin.from_request(request))
    lines = import_report_download(actor=actor, job=job, origin=Origin.from_request(request))
    return _csv_response(lines, filename=f"patchwork-import-{job.pk}-problems.csv")
