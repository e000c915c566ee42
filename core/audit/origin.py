"""Where an action came from: what services need to know about a web request, and nothing more.

Services never receive an ``HttpRequest`` (STYLE.md): a view builds an ``Origin`` once, and services
pass it on to the audit trail (the client's address, its user agent, the route) and use its
``base_url`` to build links in emails. Everything taken from the request is cleaned here, before
anything is stored: control characters (a NUL byte cannot even be stored in PostgreSQL text) are
removed, and lengths are bounded to what the audit table holds.
"""

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest

USER_AGENT_MAX = 300
PATH_MAX = 200
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def without_control_characters(text: str) -> str:
    """The text with every C0/C1 control character removed (tabs and newlines too: these are one-line fields)."""
    return _CONTROL_CHARACTERS.sub("", text)


def _ip_address(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


@dataclass(frozen=True)
class Origin:
    """The client's address, user agent and route of the request an action came from, and the site's base URL."""

    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    base_url: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Origin":
        # REMOTE_ADDR, which the trusted proxy layer (gunicorn ``forwarded_allow_ips``) has already set.
        return cls(
            ip_address=client_address(request),
            user_agent=without_control_characters(request.headers.get("User-Agent", ""))[:USER_AGENT_MAX],
            path=without_control_characters(request.path)[:PATH_MAX],
            base_url=f"{request.scheme}://{request.get_host()}",
        )

    @property
    def host(self) -> str:
        """The site's host name (and port, if any), as people read it in an email: ``alpha.example``."""
        return urlsplit(self.base_url).netloc

    def absolute_url(self, path: str) -> str:
        """A link for an email: the site's own address and a path (which starts with a slash)."""
        return f"{self.base_url}{path}"


def client_address(request: HttpRequest) -> str | None:
    """The address of the person's own machine, as the outermost proxy we trust saw it.

    With no proxy in front (``TRUSTED_PROXY_HOPS`` = 0: a developer's machine) it is ``REMOTE_ADDR``. Behind
    N trusted proxies (production: the load balancer, N = 1) each appended the address it was reached from
    to ``X-Forwarded-For``, so the N-th entry from the right is the client as the outermost trusted proxy
    saw it; entries further left were written by the client and prove nothing. A header with fewer
    entries than that (a request that did not come through the proxies) falls back to ``REMOTE_ADDR``.
    """
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return _ip_address(forwarded[-hops])
    return _ip_address(request.META.get("REMOTE_ADDR"))


def signed_in_user_id(request: HttpRequest) -> object | None:
    """The id of the request's signed-in account, if any: the actor a view passes to a service."""
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


# Work that does not come from a web request (a scheduled job, a management command).
NO_ORIGIN = Origin()
