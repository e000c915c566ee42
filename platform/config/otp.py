"""django-otp settings that depend on where the request is."""

from typing import Any


def totp_issuer(device: Any) -> str:
    """How an authenticator app labels the account: the council's name, so two councils never clash."""
    from django.db import connection  # imported when called: settings import this module

    name = getattr(getattr(connection, "tenant", None), "name", None)
    return f"Patchwork {name}" if name else "Patchwork"
