"""What the account, directory, audit and console tests share: a browser's view of signing in.

Each helper does what a person does (types a password, scans a QR code, opens a link in an email)
or reads what they would notice (a page, a cookie, an audit row). Rows are read in the schema they
were written to, because every HTTP request leaves the connection in ``public``.
"""

import base64
import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import time_machine
from django.conf import settings
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from core.accounts.models import BackupCode, BackupCodeDevice, User, backup_code_digest
from core.audit.models import AuditEvent
from tenants.models import Council
from tests.factories import TEST_PASSWORD

GENERIC_SIGN_IN_ERROR = "Enter a correct work email and password."
BACKUP_CODE_RE = re.compile(r"<li><code>([a-z0-9]{8})</code></li>")


def schema_of(council: Council | None) -> str:
    return council.schema_name if council is not None else "public"


def give_backup_code(user: User, council: Council | None, code: str = "spare2fa") -> str:
    """A confirmed second factor for ``user``: one backup code, as if printed at set-up."""
    with schema_context(schema_of(council)):
        device, _ = BackupCodeDevice.objects.get_or_create(user=user, name="Test backup codes")
        BackupCode.objects.create(device=device, digest=backup_code_digest(device_id=device.pk, code=code))
    return code


def password_step(client: Client, email: str, password: str = TEST_PASSWORD) -> HttpResponse:
    return client.post("/sign-in/", {"email": email, "password": password})


def code_step(client: Client, code: str) -> HttpResponse:
    return client.post("/sign-in/code/", {"code": code})


def pending_totp_device(user: User, council: Council | None) -> TOTPDevice:
    with schema_context(schema_of(council)):
        return TOTPDevice.objects.get(user=user, confirmed=False)


def totp_now(device: TOTPDevice, drift: int = 0) -> str:
    """The 6-digit code the person's authenticator app shows now."""
    return (
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):0{device.digits}d}"
    )


def totp_wrong(device: TOTPDevice) -> str:
    """A 6-digit code the app does not show now, nor 30 seconds either side."""
    accepted = {totp_now(device, drift) for drift in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def typed_key(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def enrol_authenticator(client: Client, user: User, council: Council | None) -> list[str]:
    """Scan the QR code, type the app's code; returns the backup codes shown once. Needs the password step done."""
    page = client.get("/sign-in/set-up/")
    assert page.status_code == 200, "the set-up page was not shown"
    device = pending_totp_device(user, council)
    response = client.post("/sign-in/set-up/", {"code": totp_now(device)})
    assert response.status_code == 200, "the app's code was refused"
    return BACKUP_CODE_RE.findall(response.content.decode())


def session_cookie(client: Client) -> str:
    morsel = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return morsel.value if morsel is not None else ""


def browser_with_cookie(host: str, session_key: str) -> Client:
    """Another browser presenting a copied session cookie (an attacker replaying it)."""
    other = Client(HTTP_HOST=host)
    other.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return other


def audit_events(council: Council | None, **filters: object) -> list[AuditEvent]:
    with schema_context(schema_of(council)):
        return list(AuditEvent.objects.filter(**filters).order_by("id"))


def reload(obj: object, council: Council | None) -> object:
    with schema_context(schema_of(council)):
        obj.refresh_from_db()  # type: ignore[attr-defined]
    return obj


def without_volatile_parts(response: HttpResponse, *texts: str) -> str:
    """The page as a person reads it: the CSRF token (new each time, also in the passkey script's data) and CSP
    nonce, and the given texts, removed."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', page)
    page = re.sub(r'nonce="[^"]*"', 'nonce=""', page)
    page = re.sub(r'"csrfToken": "[^"]*"', '"csrfToken": ""', page)  # the passkey script's copy of it
    for text in texts:
        page = page.replace(text, "TEXT")
    return page


def link_in_last_email(pattern: str) -> str:
    """The path of the first link in the most recent email that matches ``pattern`` (a regex on the path)."""
    assert mail.outbox, "no email was sent"
    for url in re.findall(r"https?://\S+", mail.outbox[-1].body):
        if re.search(pattern, urlsplit(url).path):
            return urlsplit(url).path
    raise AssertionError(f"no link matching {pattern!r} in: {mail.outbox[-1].body}")


@contextmanager
def frozen_clock() -> Iterator[time_machine.Traveller]:
    """Stop the clock at the present; ``.shift(timedelta)`` moves it on."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)
