"""The requests to join a team that wait for its decision, shown on the team page to its members."""

from typing import Any

from django import template

from core.clients.joining import join_requests_waiting as waiting_for

register = template.Library()


@register.inclusion_tag("clients/includes/join_requests_waiting.html", takes_context=True)
def join_requests_waiting(context: dict[str, Any], client: Any) -> dict[str, Any]:
    request = context.get("request")
    viewer = getattr(getattr(request, "user", None), "practitioner", None)  # set by the team page (viewer_for)
    if viewer is None or client is None:
        return {"waiting": []}
    waiting, may_decide = waiting_for(viewer=viewer, client_id=client.pk)
    return {"waiting": waiting, "may_decide": may_decide}
