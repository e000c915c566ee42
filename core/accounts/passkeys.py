"""Passkeys (WebAuthn, through django-otp-webauthn): who the relying party is, for each site.

Each council answers at its own host, and a passkey is bound to the host it was made at: a passkey made at
one council's site is never offered, or accepted, at another's. The platform site is a relying party of its own.
"""

from django.db import connection
from django.http import HttpRequest


def relying_party_id(request: HttpRequest) -> str:
    """The host the browser is at, without a port: the council's own domain, or the platform's."""
    return request.get_host().rsplit(":", 1)[0].lower()


def relying_party_name(request: HttpRequest) -> str:
    """What an authenticator shows beside the account: the council's name, as on an authenticator app."""
    name = getattr(getattr(connection, "tenant", None), "name", None)
    return f"Patchwork {name}" if name else "Patchwork"


def expected_origin(request: HttpRequest) -> str:
    """The origin the browser must report: the scheme and host this request came to, port included.

    The library compares the browser's origin with a fixed list, but every council answers at a host of its
    own; the host has already passed ``ALLOWED_HOSTS`` and chosen the council's schema, so the only origin a
    ceremony here may come from is this request's own.
    """
    return f"{request.scheme}://{request.get_host()}".lower()
