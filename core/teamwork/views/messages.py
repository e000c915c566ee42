"""Raise attention: write a short message to the whole team, or to chosen members of it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.clients.views.viewer import own_involvement_or_404, viewer_for
from core.teamwork.forms import TeamMessageForm, member_choices
from core.teamwork.membership import NotInTeam, team_current_for_member
from core.teamwork.messages import team_message_send


@require_http_methods(["GET", "POST"])
def team_message_new(request: HttpRequest, client_id: object) -> HttpResponse:
    """For members of the team now; anyone else (break-glass too) gets "not found", recorded."""
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    try:
        team = team_current_for_member(actor=viewer, client_id=client_id)
    except NotInTeam as error:
        raise Http404("No such client.") from error
    form = TeamMessageForm(request.POST or None, choices=member_choices(team.choosable_by(viewer)))
    if request.method == "POST" and form.is_valid():
        try:
            team_message_send(
                sender=viewer,
                client_id=team.client.pk,
                text=form.cleaned_data["text"],
                recipient_ids=form.recipient_ids(),
                origin=origin,
            )
        except NotInTeam as error:  # left the team a moment ago
            raise Http404("No such client.") from error
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "Your message has been sent. They have been told there is a message to read.")
            return redirect(reverse("client-team", kwargs={"client_id": team.client.pk}) + "#team-messages")
    # members the policy hides the sender from (a confidential service they may not know is involved)
    unreached = len(team.members) - 1 - len(team.reachable_by(viewer))
    context = {"form": form, "client": team.client, "unreached": unreached}
    return render(request, "teamwork/message_new.html", context)
