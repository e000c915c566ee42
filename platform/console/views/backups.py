"""A council's backups in the console: that they exist (when, size, SHA-256, counts), "Back up now", and
"Restore…" for each kept backup.

Platform staff see no council data here (SECURITY.md AZ-4): no archive's content, and no download of one.
A restore is asked for here and done by a platform task on the worker side (the owner role's work, never in
a request); its page shows how far it is and, once done, counts only.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from console.forms import RestoreForm
from console.services.backups import (
    BACKED_UP_STATUSES,
    BackupRefused,
    council_backup_request,
    council_restore_request,
    council_restore_retry,
    restorable_backup,
    restore_blocked,
)
from console.views.access import staff_required
from core.audit.origin import Origin
from tenants.models import BackupStatus, Council, CouncilBackup, CouncilRestore
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
    backups = list(CouncilBackup.objects.filter(council=council).order_by("-requested_at", "-id")[:50])
    for backup in backups:
        backup.restorable = restorable_backup(backup)  # type: ignore[attr-defined]
    restores = CouncilRestore.objects.filter(council=council).order_by("-requested_at", "-id")[:20]
    return render(
        request,
        "console/backups.html",
        {
            "target_council": council,
            "backups": backups,
            "restores": restores,
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


def _refused(request: HttpRequest, council: Council, heading: str, refusal: str, *, status: int = 409) -> HttpResponse:
    context = {
        "section": "councils",
        "heading": heading,
        "refused": f"{refusal} Nothing was changed.",
        "back_url": reverse("council-backups", kwargs={"slug": council.slug}),
        "back_text": "Go back to its backups",
    }
    return render(request, "console/refused.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def council_backup_restore(request: HttpRequest, slug: str, backup_id: int) -> HttpResponse:
    """Restore… a kept backup: what will happen, where (a new schema, or over the council's own), and why."""
    council = _council_or_404(slug)
    backup = CouncilBackup.objects.filter(pk=backup_id).first()
    if backup is None:
        raise Http404("No such backup.")
    heading = f"This backup of {council.name} cannot be restored now"
    if blocked := restore_blocked(council=council, backup=backup):
        return _refused(request, council, heading, blocked)
    form = RestoreForm(request.POST or None, council=council)
    if request.method == "POST" and form.is_valid():
        try:
            restore = council_restore_request(
                council=council,
                backup=backup,
                actor=request.user,  # type: ignore[arg-type]  # staff_required: a signed-in platform user
                mode=form.cleaned_data["mode"],
                into_schema=form.cleaned_data["into_schema"],
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
            )
        except BackupRefused as refusal:
            return _refused(request, council, heading, str(refusal))
        messages.success(request, f"The backup is being restored into {restore.target_schema}.")
        return redirect("council-restore", slug=council.slug, restore_id=restore.pk)
    return render(
        request,
        "console/restore.html",
        {"target_council": council, "backup": backup, "form": form, "section": "councils"},
        status=400 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def council_restore(request: HttpRequest, slug: str, restore_id: int) -> HttpResponse:
    """How far a restore is (the page refreshes itself while it runs); a stopped one can be run again (POST)."""
    council = _council_or_404(slug)
    restore = CouncilRestore.objects.filter(council=council, pk=restore_id).select_related("backup").first()
    if restore is None:
        raise Http404("No such restore.")
    if request.method == "POST":
        try:
            council_restore_retry(restore=restore)
        except BackupRefused as refusal:
            return _refused(request, council, f"This restore of {council.name} cannot be run again", str(refusal))
        messages.success(request, "The restore is running again.")
        return redirect("council-restore", slug=council.slug, restore_id=restore.pk)
    running = restore.status in (BackupStatus.QUEUED, BackupStatus.RUNNING)
    return render(
        request,
        "console/restore_progress.html",
        {
            "target_council": council,
            "restore": restore,
            "refresh": REFRESH_SECONDS if running else None,
            "section": "councils",
        },
    )
