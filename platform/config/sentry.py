"""Error reporting to Sentry, only when ``SENTRY_DSN`` is set, and never with personal data.

``send_default_pii`` is off, and ``scrub_event`` (the ``before_send`` hook) removes what could still
carry personal data: request bodies, cookies, headers, query strings, user details other than an
opaque id, local variables, and anything in messages that looks like an email address, a phone
number, a postcode, an NHS number or a date of birth.

Sentry is started only for a DSN whose host is in ``SENTRY_ALLOWED_HOSTS``: an error report is personal
data's last way out of the cell, and Sentry's SaaS has no UK or Australian region, so the host must be one the
operators know keeps the data in the jurisdiction (docs/adr/0027-a-cell-knows-its-jurisdiction.md).
"""

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

PERSONAL_DATA_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # email address
    re.compile(r"(?<!\w)(\+?\d[\d ()-]{7,}\d)(?!\w)"),  # phone, NHS number, long identifiers
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE),  # UK postcode
    re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b"),  # a date
]
REDACTED = "[redacted]"


def scrub_text(text: str) -> str:
    for pattern in PERSONAL_DATA_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {key: request[key] for key in ("method", "url") if key in request}
        if "url" in event["request"]:
            event["request"]["url"] = event["request"]["url"].split("?", 1)[0]
    user = event.get("user")
    event["user"] = {"id": user["id"]} if isinstance(user, dict) and "id" in user else {}
    event.pop("extra", None)
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
        if isinstance(logentry.get("message"), str):
            logentry["message"] = scrub_text(logentry["message"])
    for exception in (event.get("exception") or {}).get("values", []):
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub_text(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs or []
    for crumb in values:
        crumb.pop("data", None)
        if isinstance(crumb.get("message"), str):
            crumb["message"] = scrub_text(crumb["message"])
    return event


def sentry_dsn_host(dsn: str) -> str:
    """The host a DSN sends events to, lower-cased; empty for a DSN that names none."""
    try:
        return (urlsplit(dsn.strip()).hostname or "").lower()
    except ValueError:
        return ""


def sentry_host_allowed(*, dsn: str, allowed_hosts: Iterable[str]) -> bool:
    host = sentry_dsn_host(dsn)
    return bool(host) and host in {allowed.strip().lower() for allowed in allowed_hosts}


def sentry_init(*, dsn: str, environment: str, allowed_hosts: Iterable[str] = ()) -> bool:
    """Start Sentry if a DSN is configured and its host is allowed. Returns whether it was started."""
    if not dsn:
        return False
    if not sentry_host_allowed(dsn=dsn, allowed_hosts=allowed_hosts):
        # Refused even when the system checks are skipped: nothing is sent to a host nobody allowed. The
        # host is named, never the DSN (its key is a secret).
        logger.error(
            "Sentry is not started: SENTRY_DSN's host %r is not in SENTRY_ALLOWED_HOSTS.", sentry_dsn_host(dsn)
        )
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=0.0,
    )
    return True
