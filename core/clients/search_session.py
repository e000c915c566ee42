"""What Patchwork remembers of the practitioner's last search, for the pages and the API alike.

The join page and the join API are reachable only for the clients the last search returned (or with an
invitation), so nobody browses clients by id. What was searched for lets "Add a new client" start from
it without putting it in a URL. Which surname and date of birth the possible-duplicate warning was shown
for is kept as a digest: no personal data.

It is kept beside the session, not in it: in the cache under the session's own key (and the council's schema,
which every cache key carries), for as long as a session lives. A search then does not rewrite the session
row — three database round trips fewer for every search — and signing out, which gives the browser a new
session key, leaves nothing reachable.
"""

import datetime
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache

from core.clients.selectors import SearchCriteria, SearchHit

HITS = "hits"
LAST_SEARCH = "search"
DUPLICATES_SHOWN = "duplicates"


def _key(session: SessionBase) -> str:
    if session.session_key is None:  # a session not stored yet has no key to keep anything under
        session.save()
    return f"last-search:{session.session_key}"


def _memory(session: SessionBase) -> dict[str, object]:
    if session.session_key is None:
        return {}
    remembered = cache.get(f"last-search:{session.session_key}")
    return remembered if isinstance(remembered, dict) else {}


def _remember(session: SessionBase, **values: object) -> None:
    key = _key(session)
    cache.set(key, _memory(session) | values, timeout=settings.SESSION_COOKIE_AGE)


def _criteria(criteria: SearchCriteria) -> dict[str, str]:
    return {
        "surname": criteria.surname.strip(),
        "first_name": criteria.first_name.strip(),
        "date_of_birth": criteria.date_of_birth.isoformat() if criteria.date_of_birth else "",
        "postcode": criteria.postcode.strip().upper(),
    }


def search_remember(session: SessionBase, hits: Iterable[SearchHit], criteria: SearchCriteria) -> None:
    """After a search: its hits and what it was for, in one write."""
    _remember(session, **{HITS: [str(hit.client_id) for hit in hits], LAST_SEARCH: _criteria(criteria)})


def search_hits_remember(session: SessionBase, hits: Iterable[SearchHit]) -> None:
    _remember(session, **{HITS: [str(hit.client_id) for hit in hits]})


def search_hits(session: SessionBase) -> list[str]:
    hits = _memory(session).get(HITS, [])
    return hits if isinstance(hits, list) else []


def search_hit_recent(session: SessionBase, client_id: object) -> bool:
    return str(client_id) in search_hits(session)


def last_search_remember(session: SessionBase, criteria: SearchCriteria) -> None:
    _remember(session, **{LAST_SEARCH: _criteria(criteria)})


def last_search(session: SessionBase) -> dict[str, object] | None:
    """What the last search in this session was for (None: no search yet), ready as a form's initial data."""
    searched = _memory(session).get(LAST_SEARCH)
    if not isinstance(searched, dict):
        return None
    initial: dict[str, object] = {key: value for key, value in searched.items() if key != "date_of_birth"}
    if searched.get("date_of_birth"):
        initial["date_of_birth"] = datetime.date.fromisoformat(searched["date_of_birth"])
    return initial


def last_search_forget(session: SessionBase) -> None:
    memory = _memory(session)
    if LAST_SEARCH in memory or DUPLICATES_SHOWN in memory:
        remaining = {key: value for key, value in memory.items() if key not in (LAST_SEARCH, DUPLICATES_SHOWN)}
        cache.set(_key(session), remaining, timeout=settings.SESSION_COOKIE_AGE)


def duplicates_key(*, surname: str, date_of_birth: datetime.date) -> str:
    text = f"{surname.strip().lower()}|{date_of_birth.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


def duplicates_shown_remember(session: SessionBase, *, surname: str, date_of_birth: datetime.date) -> None:
    _remember(session, **{DUPLICATES_SHOWN: duplicates_key(surname=surname, date_of_birth=date_of_birth)})


def duplicates_were_shown(session: SessionBase, *, surname: str, date_of_birth: datetime.date) -> bool:
    return _memory(session).get(DUPLICATES_SHOWN) == duplicates_key(surname=surname, date_of_birth=date_of_birth)
