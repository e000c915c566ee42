"""What a simulated practitioner needs to use Patchwork's pages over HTTP: cookies, forms and the checks that
each answer did its work. Standard library only (the locustfile imports it, outside Django).

Cookies are kept here rather than by the HTTP client: production's are ``__Host-`` cookies marked Secure, and the
load test reaches gunicorn over plain HTTP on loopback (``X-Forwarded-Proto: https``, as the load balancer sends),
where a client's own cookie jar would rightly refuse to send them.
"""

import datetime
import html
from collections.abc import Iterable

PROBLEM = "There is a problem"  # the GOV.UK error summary: a refused form


class Cookies:
    """The cookies one browser holds for one host, from ``Set-Cookie`` answers."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def update(self, set_cookies: Iterable[str]) -> None:
        for line in set_cookies:
            first, *attributes = line.split(";")
            name, _, value = first.partition("=")
            name, value = name.strip(), value.strip().strip('"')
            if not name:
                continue
            expired = any(part.strip().lower().replace(" ", "") == "max-age=0" for part in attributes)
            if expired or not value:
                self.values.pop(name, None)
            else:
                self.values[name] = value

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.values.items())

    def csrf_token(self) -> str:
        """The CSRF cookie's value (production's ``__Host-patchwork-csrf``, Django's ``csrftoken`` elsewhere),
        which a form may send as its token."""
        return next((value for name, value in self.values.items() if name.endswith(("-csrf", "csrftoken"))), "")


def date_fields(prefix: str, day: datetime.date | None) -> dict[str, str]:
    """A GOV.UK date input's three fields (``<prefix>_day``, ``_month``, ``_year``)."""
    if day is None:
        return {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def search_form(*, surname: str, date_of_birth: datetime.date) -> dict[str, str]:
    return {"surname": surname, **date_fields("date_of_birth", date_of_birth)}


def involvement_form(*, role: str, today: datetime.date) -> dict[str, str]:
    """Keep my involvement current: the role as it is, contact today, the next in a week (never lead)."""
    return {
        "role": role,
        **date_fields("last_contact_on", today),
        **date_fields("next_contact_on", today + datetime.timedelta(days=7)),
    }


def search_problem(status: int, body: str, *, sought: str) -> str | None:
    """Why a search answer did no work (None: it found ``sought``, a client's "first surname")."""
    if status != 200:
        return f"search answered {status}"
    if PROBLEM in body:
        return "the search form was refused"
    if html.escape(sought) not in body:
        return "the sought client is not among the hits"
    return None


def team_problem(status: int, body: str, *, viewer: str) -> str | None:
    """Why a team page did no work (None: it answered 200 with the viewer among the members)."""
    if status != 200:
        return f"team page answered {status}"
    if html.escape(viewer) not in body:
        return "the viewer is not among the members"
    return None


def redirect_problem(status: int, location: str, *, expected: str) -> str | None:
    """Why a form's answer is not the redirect a success gives (None: 302 to ``expected``)."""
    if status != 302:
        return f"answered {status}, not the redirect of a success"
    if location.split("?")[0] != expected:
        return f"redirected to {location}, not {expected}"
    return None
