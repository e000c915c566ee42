from django.http import HttpRequest

from core.accounts.session_timeout import IDLE_SECONDS, WARNING_SECONDS


def session_limits(request: HttpRequest) -> dict[str, int]:
    """What the timeout warning needs to know (the limits themselves live in session_timeout.py)."""
    return {"session_idle_seconds": IDLE_SECONDS, "session_warning_seconds": WARNING_SECONDS}
