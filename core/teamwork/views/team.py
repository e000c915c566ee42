"""The team page: the team around the client (read by the clients app), with the team's messages, meetings and
tasks around it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.audit.origin import Origin
from core.clients.recorded import team_view_recorded
from core.clients.views.team import team_page_context
from core.clients.views.viewer import viewer_for
from core.teamwork.selectors import teamwork_for_team
from core.teamwork.tasks import team_tasks_for


@require_GET
def client_team(request: HttpRequest, client_id: object) -> HttpResponse:
    """Only for practitioners currently in the team, or who opened it by break-glass; anyone else gets
    "not found" (recorded). The messages the viewer may read and their upcoming meetings: one more statement."""
    viewer = viewer_for(request)
    team = team_view_recorded(
        viewer=viewer, client_id=client_id, origin=Origin.from_request(request), with_join_requests=True
    )
    context = team_page_context(team)
    context["teamwork"] = teamwork_for_team(team=team, viewer=viewer)
    if team.own_involvement is not None:  # members only: a break-glass viewer sees no tasks
        context["tasks"] = team_tasks_for(client_id=team.client.pk, viewer=viewer)
    return render(request, "teamwork/team.html", context)
