"""A council leaving, in the console: start it, hand the final export over, delete, and the deletion certificate.

One page per council shows where its offboarding is and offers the next step (each a POST, with a reason where
one is needed); the work runs in the background and the page refreshes itself while it does. The certificate
(JSON and PDF) holds no client data and is downloadable here; the final export is not (it goes to the council's
DPO by a single-use link, ``offboarding_export`` below, on the platform's public site).
"""

from django.contrib import messages
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from console.services.offboarding import (
    OFFBOARDABLE,
    OffboardingRefused,
    certificate_json,
    handover_address,
    offboarding_delete_request,
    offboarding_handover_download,
    offboarding_handover_send,
    offboarding_override,
    offboarding_resume,
    offboarding_start,
)
from console.views.access import staff_required
from core.accounts.models import User
from core.audit.origin import Origin
from core.council.services.lifecycle import TransitionRefused
from tenants.models import BackupStatus, Council, Offboarding, OffboardingStep
from tenants.selectors import council_get

REFRESH_SECONDS = 3
REASON_MAX = 300
OVERRIDE_REASON_MISSING = "Enter why the data is deleted without a hand-over (300 characters or fewer)"


def _council_or_404(slug: str) -> Council:
    council = council_get(slug=slug)
    if council is None:
        raise Http404("No such council.")
    return council


@staff_required
@require_http_methods(["GET", "POST"])
def council_offboarding(request: HttpRequest, slug: str) -> HttpResponse:
    council = _council_or_404(slug)
    offboarding = Offboarding.objects.select_related("export").filter(council=council).first()
    errors: dict[str, str] = {}
    values = {key: request.POST.get(key, "").strip() for key in ("reason", "email", "override_reason")}
    if request.method == "POST":
        action = request.POST.get("action", "")
        origin = Origin.from_request(request)
        actor: User = request.user  # type: ignore[assignment]  # staff_required: a signed-in platform user
        try:
            if action == "start" and offboarding is None:
                if not values["reason"]:
                    errors["reason"] = f"Enter why {council.name} is leaving"
                elif len(values["reason"]) > REASON_MAX:
                    errors["reason"] = "The reason must be 300 characters or fewer"
                else:
                    offboarding_start(council=council, actor=actor, reason=values["reason"], origin=origin)
                    messages.success(request, f"{council.name} is offboarding. Its final export is being made.")
                    return redirect("council-offboarding", slug=council.slug)
            elif action == "handover" and offboarding is not None:
                offboarding_handover_send(offboarding=offboarding, email=values["email"], actor=actor, origin=origin)
                messages.success(request, f"A download link was sent to {values['email'].lower()}.")
                return redirect("council-offboarding", slug=council.slug)
            elif action == "override" and offboarding is not None:
                if not values["override_reason"] or len(values["override_reason"]) > REASON_MAX:
                    errors["override_reason"] = (
                        "Enter why the data is deleted without a hand-over (300 characters or fewer)"
                    )
                else:
                    offboarding_override(
                        offboarding=offboarding, actor=actor, reason=values["override_reason"], origin=origin
                    )
                    messages.success(request, "Your decision to delete without a hand-over is recorded.")
                    return redirect("council-offboarding", slug=council.slug)
            elif action == "delete" and offboarding is not None:
                if request.POST.get("confirm") != council.slug:
                    errors["confirm"] = f"Type {council.slug} to confirm that everything of {council.name} is deleted"
                else:
                    offboarding_delete_request(offboarding=offboarding, actor=actor, origin=origin)
                    messages.success(request, f"The data of {council.name} is being deleted.")
                    return redirect("council-offboarding", slug=council.slug)
            elif action == "resume" and offboarding is not None:
                offboarding_resume(offboarding=offboarding)
                messages.success(request, f"The offboarding of {council.name} is running again.")
                return redirect("council-offboarding", slug=council.slug)
            else:
                raise OffboardingRefused("That step is not one this offboarding can take now.")
        except (OffboardingRefused, TransitionRefused) as refusal:
            return render(
                request,
                "console/refused.html",
                {
                    "section": "councils",
                    "heading": f"{council.name}: this step cannot be taken",
                    "refused": f"{refusal} Nothing was changed.",
                    "back_url": request.path,
                    "back_text": "Go back to its offboarding",
                },
                status=409,
            )
    if offboarding is not None:
        offboarding.refresh_from_db()
    export_ready = bool(offboarding and offboarding.export and offboarding.export.status == BackupStatus.DONE)
    context = {
        "target_council": council,
        "offboarding": offboarding,
        "can_start": offboarding is None and council.status in OFFBOARDABLE,
        "export_ready": export_ready,
        "dpo_email": values["email"] or (handover_address(council=council) if export_ready else ""),
        "values": values,
        "errors": errors,
        "steps": [step for step in OffboardingStep if step != OffboardingStep.DONE],
        "refresh": REFRESH_SECONDS if offboarding is not None and offboarding.running else None,
        "section": "councils",
    }
    return render(request, "console/offboarding.html", context, status=400 if errors else 200)


@staff_required
@require_http_methods(["GET"])
def council_offboarding_certificate(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    council = _council_or_404(slug)
    offboarding = Offboarding.objects.filter(council=council, certified_at__isnull=False).first()
    if offboarding is None or kind not in ("pdf", "json"):
        raise Http404("No certificate.")
    if kind == "pdf":
        response = HttpResponse(bytes(offboarding.certificate_pdf), content_type="application/pdf")
    else:
        response = HttpResponse(certificate_json(offboarding.certificate), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{council.slug}-deletion-certificate.{kind}"'
    return response


@require_http_methods(["GET", "POST"])
def offboarding_export(request: HttpRequest, token: str) -> HttpResponse:
    """The council's DPO downloads the final export, once. GET only shows a button: a link checker or a mail
    scanner fetching the link does not use it up; the POST does, and streams the archive."""
    if request.method == "GET":
        return render(request, "console/offboarding_export.html", {"token": token})
    offboarding = offboarding_handover_download(token=token, origin=Origin.from_request(request))
    if offboarding is None or offboarding.export is None:
        return render(request, "console/offboarding_export_gone.html", status=404)
    archive = storages["private"].open(offboarding.export.storage_name, "rb")
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"{offboarding.council.slug}-final-export.tar.gz",
        content_type="application/gzip",
    )
