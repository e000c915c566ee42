"""Where an API client's last search is remembered, in place of a browser's session.

Joining a team needs the client to have been found by the last search (``core/clients/search_session.py``),
which is kept in the cache under the session's key. A bearer request has no session, so it gets this one: a
fixed key per client and practitioner, never stored as a session row; the cache entry behind it lives as long
as a session's would.
"""

from typing import Any

from django.contrib.sessions.backends.base import SessionBase


class ApiClientMemory(SessionBase):
    def __init__(self, *, api_client_id: object, practitioner_id: object) -> None:
        super().__init__(session_key=f"api-client-{api_client_id}-{practitioner_id}")

    def exists(self, session_key: str) -> bool:
        return True

    def create(self) -> None:
        return None

    def save(self, must_create: bool = False) -> None:
        return None

    def delete(self, session_key: str | None = None) -> None:
        return None

    def load(self) -> dict[str, Any]:
        return {}

    @classmethod
    def clear_expired(cls) -> None:
        return None
