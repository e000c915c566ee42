"""The notification centre: the signed-in person's notices, opening one, marking them read, and how they want to
be emailed. Every page shows only the person's own notices; another person's notice is "not found"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.form_errors import errors_onto
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.inbox.forms import NotificationSettingsForm
from core.inbox.selectors import notices_page
from core.inbox.services.notices import notice_open, notices_read_all
from core.inbox.services.preferences import email_frequency_of, notification_preference_set
from core.inbox.unread import unread_count


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = notices_page(user=request.user, page_number=request.GET.get("page"))  # type: ignore[arg-type]
    unread = unread_count(user_id=request.user.pk)
    return render(request, "inbox/notifications.html", {"notices": page, "unread": unread})


@require_GET
def notification_open(request: HttpRequest, notice_id: object) -> HttpResponse:
    """Open a notice: it is marked read, and the person goes where it points."""
    notice = notice_open(user=request.user, notice_id=notice_id)  # type: ignore[arg-type]
    if notice is None:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=Origin.from_request(request),
            actor_id=request.user.pk,
            object_type="notice",
            object_id=notice_id,
            reason="not the person's own notice, or no such notice",
        )
        raise Http404("No such notice.")
    safe = notice.link.startswith("/") and url_has_allowed_host_and_scheme(
        notice.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notice.link if safe else "notifications")


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = notices_read_all(user=request.user)  # type: ignore[arg-type]
    if marked:
        messages.success(request, "All your notifications are marked as read.")
    return redirect("notifications")


@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method != "POST":
        form = NotificationSettingsForm(initial={"email_frequency": email_frequency_of(user=user)})  # type: ignore[arg-type]
    else:
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            try:
                notification_preference_set(
                    user=user,  # type: ignore[arg-type]
                    email_frequency=form.cleaned_data["email_frequency"],
                    origin=Origin.from_request(request),
                )
            except ValidationError as error:
                errors_onto(form, error)
            else:
                messages.success(request, "Your notification settings have been saved.")
                return redirect("notification-settings")
    return render(request, "inbox/settings.html", {"form": form}, status=400 if form.errors else 200)
