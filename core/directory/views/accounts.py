"""Looking after the council's people: invitations, verification, roles, locks, deactivation."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.accounts.sign_in_session import sign_in_pending_start
from core.audit.origin import Origin
from core.directory.forms import AccountsFilterForm, InvitationAcceptForm, InvitationForm
from core.directory.models import Invitation, Practitioner
from core.directory.selectors import accounts_filtered, practitioner_for_user
from core.directory.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_refused,
)
from core.directory.services.practitioners import (
    practitioner_deactivate,
    practitioner_manageable_get,
    practitioner_reactivate,
    practitioner_role_change,
    practitioner_unlock,
    practitioner_verify,
    practitioners_manageable_by,
)


def _manager(request: HttpRequest) -> Practitioner:
    """The signed-in practitioner, if they look after others (an agency manager or administrator)."""
    practitioner = practitioner_for_user(user=request.user)  # type: ignore[arg-type]
    if practitioner is None or not (practitioner.is_agency_manager or practitioner.is_council_admin):
        raise PermissionDenied("Only agency managers and council administrators look after accounts.")
    return practitioner


ACCOUNTS_PAGE_SIZE = 50
PENDING_SHOWN = 50


def team(request: HttpRequest) -> HttpResponse:
    """The accounts this manager looks after, a page at a time (a large council has 20,000), filtered."""
    actor = _manager(request)
    now = timezone.now()
    filters = AccountsFilterForm(request.GET)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    people = accounts_filtered(
        practitioners_manageable_by(actor), query=wanted.get("q", ""), state=wanted.get("state", ""), now=now
    )
    page = Paginator(people, ACCOUNTS_PAGE_SIZE).get_page(request.GET.get("page"))
    pending = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related("agency")
    if not actor.is_council_admin:
        pending = pending.filter(agency_id=actor.agency_id)
    # A bulk import can leave thousands waiting: the newest are listed, and how many there are in all.
    context = {
        "actor": actor,
        "people": page,
        "filters": filters,
        "pending": pending[:PENDING_SHOWN],
        "pending_count": pending.count(),
        "now": now,
    }
    return render(request, "directory/team.html", context)


def invite(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    form = InvitationForm(request.POST or None, inviter=actor)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                inviter=actor,
                email=form.cleaned_data["email"],
                agency=form.cleaned_data["agency"],
                role=form.cleaned_data["role"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("team")
    return render(request, "directory/invite.html", {"form": form})


@require_POST
def practitioner_action(request: HttpRequest, practitioner_id: UUID, action: str) -> HttpResponse:
    actor = _manager(request)
    origin = Origin.from_request(request)
    practitioner = practitioner_manageable_get(actor=actor, practitioner_id=practitioner_id, origin=origin)
    name = practitioner.user.full_name
    if action == "verify":
        practitioner_verify(actor=actor, practitioner=practitioner, origin=origin)
        messages.success(request, f"{name} is verified.")
    elif action == "unlock":
        practitioner_unlock(actor=actor, practitioner=practitioner, origin=origin)
        messages.success(request, f"{name} can sign in again.")
    elif action == "reactivate":
        practitioner_reactivate(actor=actor, practitioner=practitioner, origin=origin)
        messages.success(request, f"{name} can sign in again, with their password and a code.")
    elif action in ("make-manager", "remove-manager"):
        practitioner_role_change(
            actor=actor, practitioner=practitioner, is_agency_manager=action == "make-manager", origin=origin
        )
        messages.success(request, f"{name}'s role has changed.")
    else:
        raise Http404("No such action.")
    return redirect("team")


def practitioner_deactivate_page(request: HttpRequest, practitioner_id: UUID) -> HttpResponse:
    """Deactivation asks first: GET shows "Are you sure…", POST does it."""
    actor = _manager(request)
    origin = Origin.from_request(request)
    practitioner = practitioner_manageable_get(actor=actor, practitioner_id=practitioner_id, origin=origin)
    if practitioner.pk == actor.pk:
        raise PermissionDenied("You cannot deactivate your own account.")
    if not practitioner.user.is_active:
        return redirect("team")
    if request.method == "POST":
        practitioner_deactivate(actor=actor, practitioner=practitioner, origin=origin)
        messages.success(
            request, f"{practitioner.user.full_name} can no longer sign in, and every session they had has ended."
        )
        return redirect("team")
    return render(request, "directory/deactivate.html", {"person": practitioner, "actor": actor})


def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link: create the account, then set up the second factor."""
    invitation = invitation_for_token(token)
    if invitation is None:
        invitation_refused(origin=Origin.from_request(request), reason="unusable invitation link")
        return render(request, "directory/invitation_unusable.html", status=404)
    known = {name: getattr(invitation, name) for name in ("first_name", "last_name", "job_title")}
    form = InvitationAcceptForm(request.POST or None, initial=known)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                job_title=form.cleaned_data["job_title"],
                password=form.cleaned_data["password"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            if invitation_for_token(token) is None:  # used or expired meanwhile (the refusal is recorded)
                return render(request, "directory/invitation_unusable.html", status=404)
            form.add_error("password", error)  # the password did not meet the rules
        else:
            sign_in_pending_start(request=request, user=user)
            return redirect("sign-in-set-up")
    return render(request, "directory/invitation_accept.html", {"form": form, "invitation": invitation})
