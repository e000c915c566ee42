"""What the session remembers of the practitioner's last search, for the pages and the API alike.

The join page and the join API are reachable only for the clients the last search returned (or with an
invitation), so nobody browses clients by id. What was searched for lets "Add a new client" start from
it without putting it in a URL. Which surname and date of birth the possible-duplicate warning was shown
for is kept as a digest: no personal data.
"""

import datetime
import hashlib
from collections.abc import Iterable

from django.contrib.sessions.backends.base import SessionBase

from core.clients.selectors import SearchCriteria, SearchHit

SEARCH_HITS_KEY = "patchwork_last_search_hits"
LAST_SEARCH_KEY = "patchwork_last_search"
DUPLICATES_SHOWN_KEY = "patchwork_duplicates_shown"


def search_hits_remember(session: SessionBase, hits: Iterable[SearchHit]) -> None:
    session[SEARCH_HITS_KEY] = [str(hit.client_id) for hit in hits]


def search_hit_recent(session: SessionBase, client_id: object) -> bool:
    hits = session.get(SEARCH_HITS_KEY, [])
    return isinstance(hits, list) and str(client_id) in hits


def last_search_remember(session: SessionBase, criteria: SearchCriteria) -> None:
    session[LAST_SEARCH_KEY] = {
        "surname": criteria.surname.strip(),
        "first_name": criteria.first_name.strip(),
        "date_of_birth": criteria.date_of_birth.isoformat() if criteria.date_of_birth else "",
        "postcode": criteria.postcode.strip().upper(),
    }


def last_search(session: SessionBase) -> dict[str, object] | None:
    """What the last search in this session was for (None: no search yet), ready as a form's initial data."""
    searched = session.get(LAST_SEARCH_KEY)
    if searched is None:
        return None
    initial: dict[str, object] = {key: value for key, value in searched.items() if key != "date_of_birth"}
    if searched.get("date_of_birth"):
        initial["date_of_birth"] = datetime.date.fromisoformat(searched["date_of_birth"])
    return initial


def last_search_forget(session: SessionBase) -> None:
    session.pop(LAST_SEARCH_KEY, None)
    session.pop(DUPLICATES_SHOWN_KEY, None)


def duplicates_key(*, surname: str, date_of_birth: datetime.date) -> str:
    text = f"{surname.strip().lower()}|{date_of_birth.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


def duplicates_shown_remember(session: SessionBase, *, surname: str, date_of_birth: datetime.date) -> None:
    session[DUPLICATES_SHOWN_KEY] = duplicates_key(surname=surname, date_of_birth=date_of_birth)


def duplicates_were_shown(session: SessionBase, *, surname: str, date_of_birth: datetime.date) -> bool:
    return session.get(DUPLICATES_SHOWN_KEY) == duplicates_key(surname=surname, date_of_birth=date_of_birth)
