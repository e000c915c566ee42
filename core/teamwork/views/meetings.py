"""Team meetings: arrange one, see it, change or cancel it (its organiser), reply to it (its invitees)."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.form_errors import errors_onto
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.views.viewer import own_involvement_or_404, viewer_for
from core.directory.models import Practitioner
from core.teamwork.forms import MeetingForm, member_choices
from core.teamwork.meetings import (
    MeetingNotFound,
    MeetingValues,
    meeting_arrange,
    meeting_cancel,
    meeting_change,
    meeting_path,
    meeting_reply,
)
from core.teamwork.membership import NotInTeam, team_current_for_member
from core.teamwork.models import MeetingReply
from core.teamwork.selectors import MeetingPage, meeting_for_viewer

REPLY_CHOICES = [
    (MeetingReply.ACCEPTED, "Coming"),
    (MeetingReply.TENTATIVE, "Maybe"),
    (MeetingReply.DECLINED, "Not coming"),
]


def _zone() -> ZoneInfo:
    """The council's time zone: the request runs in it (tenants/middleware.py)."""
    return ZoneInfo(timezone.get_current_timezone_name())


def _meeting_not_found(viewer: Practitioner, origin: Origin, meeting_id: object) -> Http404:
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="meeting",
        object_id=meeting_id,
        reason="not the organiser or an invitee, or no such meeting",
    )
    return Http404("No such meeting.")


def _values(form: MeetingForm) -> MeetingValues:
    data = form.cleaned_data
    return MeetingValues(
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        place=data["place"],
        online_link=data["online_link"],
        invitee_ids=data["invitees"],
    )


def _context(form: MeetingForm, client: object, **extra: object) -> dict[str, object]:
    return {"form": form, "client": client, "time_zone": timezone.get_current_timezone_name(), **extra}


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, client_id: object) -> HttpResponse:
    """Arrange a meeting: for members of the team now; anyone else gets "not found", recorded."""
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    try:
        team = team_current_for_member(actor=viewer, client_id=client_id)
    except NotInTeam as error:
        raise Http404("No such client.") from error
    form = MeetingForm(request.POST or None, zone=_zone(), choices=member_choices(team.choosable_by(viewer)))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_arrange(organiser=viewer, client_id=team.client.pk, values=_values(form), origin=origin)
        except NotInTeam as error:
            raise Http404("No such client.") from error
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The meeting is arranged. Each person invited has been sent an invitation.")
            return redirect(meeting_path(meeting))
    return render(request, "teamwork/meeting_form.html", _context(form, team.client, meeting=None))


def _page(request: HttpRequest, viewer: Practitioner, client_id: object, meeting_id: object) -> MeetingPage:
    origin = Origin.from_request(request)
    own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    try:
        return meeting_for_viewer(viewer=viewer, client_id=client_id, meeting_id=meeting_id)
    except NotInTeam as error:
        raise Http404("No such client.") from error
    except MeetingNotFound as error:
        raise _meeting_not_found(viewer, origin, meeting_id) from error


@require_GET
def meeting_detail(request: HttpRequest, client_id: object, meeting_id: object) -> HttpResponse:
    """The meeting, for its organiser and its invitees."""
    viewer = viewer_for(request)
    page = _page(request, viewer, client_id, meeting_id)
    context = {
        "page": page,
        "meeting": page.meeting,
        "client": page.client,
        "time_zone": timezone.get_current_timezone_name(),
        "reply_choices": REPLY_CHOICES,
    }
    return render(request, "teamwork/meeting.html", context)


@require_http_methods(["GET", "POST"])
def meeting_change_page(request: HttpRequest, client_id: object, meeting_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    page = _page(request, viewer, client_id, meeting_id)
    meeting = page.meeting
    if not page.is_organiser:
        raise PermissionDenied("Only the person who arranged the meeting can change it.")
    origin = Origin.from_request(request)
    team = team_current_for_member(actor=viewer, client_id=meeting.client_id)
    zone = _zone()
    starts, ends = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    initial = {
        "date": starts.date(),
        "start_time": f"{starts:%H:%M}",
        "end_time": f"{ends:%H:%M}",
        "place": meeting.place,
        "online_link": meeting.online_link,
        "invitees": [
            str(key)
            for key in meeting.invitations.filter(removed_at__isnull=True).values_list("practitioner_id", flat=True)
        ],
    }
    form = MeetingForm(
        request.POST or None, initial=initial, zone=zone, choices=member_choices(team.choosable_by(viewer))
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_change(
                organiser=viewer,
                client_id=meeting.client_id,
                meeting_id=meeting.pk,
                values=_values(form),
                origin=origin,
            )
        except (NotInTeam, MeetingNotFound) as error:
            raise Http404("No such meeting.") from error
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The meeting is changed. Everyone invited has been sent the update.")
            return redirect(meeting_path(meeting))
    return render(request, "teamwork/meeting_form.html", _context(form, page.client, meeting=meeting))


@require_http_methods(["GET", "POST"])
def meeting_cancel_page(request: HttpRequest, client_id: object, meeting_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    page = _page(request, viewer, client_id, meeting_id)
    meeting = page.meeting
    if not page.is_organiser:
        raise PermissionDenied("Only the person who arranged the meeting can cancel it.")
    problem = ""
    if request.method == "POST":
        try:
            meeting_cancel(
                organiser=viewer,
                client_id=meeting.client_id,
                meeting_id=meeting.pk,
                origin=Origin.from_request(request),
            )
        except (NotInTeam, MeetingNotFound) as error:
            raise Http404("No such meeting.") from error
        except ValidationError as error:
            problem = error.messages[0]
        else:
            messages.success(request, "The meeting is cancelled. Everyone invited has been told.")
            return redirect("client-team", client_id=meeting.client_id)
    context = {"meeting": meeting, "client": page.client, "page": page, "problem": problem}
    return render(request, "teamwork/meeting_cancel.html", context, status=400 if problem else 200)


@require_POST
def meeting_reply_page(request: HttpRequest, client_id: object, meeting_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    try:
        invitation = meeting_reply(
            invitee=viewer,
            client_id=client_id,
            meeting_id=meeting_id,
            reply=request.POST.get("reply", ""),
            origin=origin,
        )
    except NotInTeam as error:
        raise Http404("No such client.") from error
    except MeetingNotFound as error:
        raise _meeting_not_found(viewer, origin, meeting_id) from error
    except ValidationError as error:
        page = _page(request, viewer, client_id, meeting_id)
        context = {
            "page": page,
            "meeting": page.meeting,
            "client": page.client,
            "time_zone": timezone.get_current_timezone_name(),
            "reply_choices": REPLY_CHOICES,
            "reply_problem": error.messages[0],
        }
        return render(request, "teamwork/meeting.html", context, status=400)
    messages.success(request, f"Your reply is recorded: {invitation.get_reply_display()}. The organiser has been told.")
    return redirect(reverse("meeting", kwargs={"client_id": client_id, "meeting_id": meeting_id}))
