"""Reads that leave a trace: every search and every view of a team is audited (AUD-1), and searching
is rate-limited (AZ-3). Pages and the API call these, never the bare selectors."""

import time

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.selectors import SearchCriteria, SearchResult, TeamView, client_search, team_for_client
from core.directory.models import Practitioner
from core.governance.rules import Rules
from core.governance.selectors import rules_current

SEARCHES_PER_WINDOW = 30
WINDOW_SECONDS = 5 * 60


class SearchRateExceeded(Exception):
    """Too many searches: the practitioner must wait (the answer is 429). ``hourly`` says it was the council's
    limit per hour rather than a burst."""

    def __init__(self, *, hourly: bool = False) -> None:
        super().__init__(
            "You have reached the council's limit of searches in an hour. Wait before searching again."
            if hourly
            else "Too many searches in a short time. Wait a few minutes."
        )
        self.hourly = hourly


def search_rate_key(viewer: Practitioner) -> str:
    return f"client-search-rate:{viewer.pk}"  # cache keys also carry the council's schema


HOUR_BUCKET_SECONDS = 60  # the rolling hour is counted in minutes: the last sixty minutes' counts, summed


def search_hour_keys(viewer: Practitioner, *, now: float) -> list[str]:
    """The cache keys of the last sixty minutes' counts of ``viewer``'s searches, the current minute first."""
    minute = int(now // HOUR_BUCKET_SECONDS)
    return [f"client-search-hour:{viewer.pk}:{minute - back}" for back in range(3600 // HOUR_BUCKET_SECONDS)]


def _counted(key: str, timeout: int, *, read: list[str] | None = None) -> tuple[int, list[int]]:
    """Add one to the count at ``key`` (created with ``timeout`` when absent) and give it, with the counts at
    ``read`` (those absent left out). On Redis, one round trip: the count is created and increased in one
    transaction (it cannot expire in between)."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        made = backend.make_key(key)  # our keys are short ASCII: nothing for validate_key to warn of
        pipeline = backend._cache.get_client(made, write=True).pipeline(transaction=True)
        pipeline.set(made, 0, ex=backend.get_backend_timeout(timeout), nx=True)
        pipeline.incr(made)
        if read:
            pipeline.mget([backend.make_key(other) for other in read])
        answers = pipeline.execute()
        return answers[1], [int(count) for count in answers[2] if count is not None] if read else []
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        count = 1
    return count, [int(value) for value in cache.get_many(read).values()] if read else []


def _search_allowed(viewer: Practitioner) -> bool:
    """The burst limit: at most SEARCHES_PER_WINDOW searches in WINDOW_SECONDS (whatever the council's rules)."""
    count, _ = _counted(search_rate_key(viewer), WINDOW_SECONDS)
    return count <= SEARCHES_PER_WINDOW


def _search_allowed_this_hour(viewer: Practitioner, rules: Rules) -> bool:
    """The council's limit: at most ``rules.searches_per_hour`` searches in any sixty minutes. One round trip."""
    keys = search_hour_keys(viewer, now=time.time())
    _, counts = _counted(keys[0], 3600 + HOUR_BUCKET_SECONDS, read=keys)
    return sum(counts) <= rules.searches_per_hour


def _search_refused(*, viewer: Practitioner, origin: Origin, reason: str) -> None:
    audit_record(
        action=AuditAction.CLIENT_SEARCH,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=viewer.user_id,
        reason=reason,
    )


def client_search_recorded(*, viewer: Practitioner, criteria: SearchCriteria, origin: Origin) -> SearchResult:
    """Search for a client (raises SearchCriteriaError below the council's minimum, SearchRateExceeded on
    bursts and beyond the council's searches per hour). The council's rules are read once, here."""
    if viewer.verified_at is None:
        raise PermissionDenied("Your agency manager has not verified your account yet.")
    rules = rules_current()
    kind = criteria.check(rules)
    if not _search_allowed(viewer):
        _search_refused(viewer=viewer, origin=origin, reason="rate limit reached")
        raise SearchRateExceeded
    if not _search_allowed_this_hour(viewer, rules):
        _search_refused(viewer=viewer, origin=origin, reason=f"hourly limit reached ({rules.searches_per_hour})")
        raise SearchRateExceeded(hourly=True)
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


def team_view_recorded(
    *, viewer: Practitioner, client_id: object, origin: Origin, with_join_requests: bool = False
) -> TeamView:
    """The team around the client for a member of it, or for a practitioner who opened it by break-glass (the
    audit row says so, with the reason); otherwise 404, recorded as a denial. ``with_join_requests``: with the
    requests to join that wait for a decision (the team page shows them)."""
    team = team_for_client(viewer=viewer, client_id=client_id, with_join_requests=with_join_requests)
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
        reason=f"break-glass: {team.break_glass.reason}" if team.break_glass is not None else "",
    )
    return team
