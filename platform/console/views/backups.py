"""A council's backups in the console: that they exist (when, size, SHA-256, counts), and "Back up now".

Platform staff see no council data here (SECURITY.md AZ-4): no archive's content, and no download of one.
Restoring is a command run by the owner role (``manage.py council_restore``), never a request.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from console.services.backups import BACKED_UP_STATUSES, BackupRefused, council_backup_request
from console.views.access import staff_required
from core.audit.origin import Origin
from tenants.models import BackupStatus, Council, CouncilBackup
from tenants.selectors import council_get

REFRESH_SECONDS = 3


def _council_or_404(slug: str) -> Council:
    council = council_get(slug=slug)
    if council is None:
        raise Http404("No such council.")
    return council


@staff_required
@require_http_methods(["GET", "POST"])
def council_backups(request: HttpRequest, slug: str) -> HttpResponse:
    council = _council_or_404(slug)
    if request.method == "POST":
        try:
            backup = council_backup_request(council=council, actor=request.user, origin=Origin.from_request(request))  # type: ignore[arg-type]
        except BackupRefused as refusal:
            context = {
                "section": "councils",
                "heading": f"{council.name} cannot be backed up now",
                "refused": f"{refusal} Nothing was changed.",
                "back_url": reverse("council-backups", kwargs={"slug": council.slug}),
                "back_text": "Go back to its backups",
            }
            return render(request, "console/refused.html", context, status=409)
        messages.success(request, f"A backup of {council.name} is being made.")
        return redirect("council-backup", slug=council.slug, backup_id=backup.pk)
    backups = CouncilBackup.objects.filter(council=council).order_by("-requested_at", "-id")[:50]
    return render(
        request,
        "console/backups.html",
        {
            "target_council": council,
            "backups": backups,
            "can_back_up": council.status in BACKED_UP_STATUSES,
            "section": "councils",
        },
    )


@staff_required
@require_http_methods(["GET"])
def council_backup(request: HttpRequest, slug: str, backup_id: int) -> HttpResponse:
    council = _council_or_404(slug)
    backup = CouncilBackup.objects.filter(council=council, pk=backup_id).first()
    if backup is None:
        raise Http404("No such backup.")
    running = backup.status in (BackupStatus.QUEUED, BackupStatus.RUNNING)
    return render(
        request,
        "console/backup.html",
        {
            "target_council": council,
            "backup": backup,
            "tables": sorted(backup.table_rows.items()),
            "refresh": REFRESH_SECONDS if running else None,
            "section": "councils",
        },
    )
