"""Reads that leave a trace: every search and every view of a team is audited (AUD-1), and searching
is rate-limited (AZ-3). Pages and the API call these, never the bare selectors."""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.selectors import SearchCriteria, SearchResult, TeamView, client_search, team_for_client
from core.directory.models import Practitioner

SEARCHES_PER_WINDOW = 30
WINDOW_SECONDS = 5 * 60


class SearchRateExceeded(Exception):
    """Too many searches in a short time: the practitioner must wait (the answer is 429)."""


def search_rate_key(viewer: Practitioner) -> str:
    return f"client-search-rate:{viewer.pk}"  # cache keys also carry the council's schema


def _search_allowed(viewer: Practitioner) -> bool:
    key = search_rate_key(viewer)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= SEARCHES_PER_WINDOW


def client_search_recorded(*, viewer: Practitioner, criteria: SearchCriteria, origin: Origin) -> SearchResult:
    """Search for a client (raises SearchCriteriaError below the minimum, SearchRateExceeded on bursts)."""
    if viewer.verified_at is None:
        raise PermissionDenied("Your agency manager has not verified your account yet.")
    kind = criteria.check()
    if not _search_allowed(viewer):
        audit_record(
            action=AuditAction.CLIENT_SEARCH,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=viewer.user_id,
            reason="rate limit reached",
        )
        raise SearchRateExceeded
    result = client_search(viewer=viewer, criteria=criteria)
    found = "too many results" if result.too_many else f"{len(result.hits)} results"
    audit_record(
        action=AuditAction.CLIENT_SEARCH,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        reason=f"by {kind}; {found}",
        object_type="client",
        related_ids=[hit.client_id for hit in result.hits],
    )
    return result


def team_view_recorded(*, viewer: Practitioner, client_id: object, origin: Origin) -> TeamView:
    """The team around the client for a member of it; otherwise 404, recorded as a denial."""
    team = team_for_client(viewer=viewer, client_id=client_id)
    if team is None:
        audit_record(
            action=AuditAction.CLIENT_VIEWED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=viewer.user_id,
            object_type="client",
            object_id=client_id,
            reason="not in the team, or no such client",
        )
        raise Http404("No such client.")
    audit_record(
        action=AuditAction.CLIENT_VIEWED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="client",
        object_id=team.client.pk,
        # The family members shown with the team (names, dates of birth, their teams) were read too:
        # "who looked at this child" must find a view of a sibling's page.
        related_ids=[member.client_id for member in team.family],
    )
    return team
