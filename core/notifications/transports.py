"""How an email leaves Patchwork: one interface, three transports, chosen per council.

* ``DjangoTransport`` — Django's email backend: files under ``var/mail`` in development, the test outbox in
  tests. The default (``NOTIFICATIONS_TRANSPORT = "django"``).
* ``SesTransport`` — Amazon SES v2 in the council's own data region (SECURITY.md DP-3), as raw MIME so that a
  meeting's ``.ics`` invitation travels with it. Production (``NOTIFICATIONS_TRANSPORT = "ses"``); the
  platform's own email (schema ``public``) goes through SES in ``AWS_REGION``.
* ``NotifyTransport`` — GOV.UK Notify, for an English council that chose it (``Council.email_provider``). Its
  API key is never in the database: it is the Secrets Manager secret ``patchwork/<slug>/notify-api-key`` in the
  council's data region. Notify's templates carry no attachment, so an email with one (a meeting invitation)
  goes through the platform's transport instead (SES in production).

Every attempt at one delivery carries the same idempotency key: the ``X-Patchwork-Delivery`` header (Django's
backend, SES raw), an SES ``EmailTag`` and Notify's ``reference``. A transport raises on any failure; what it
returns is the provider's id for the message.
"""

import time
import uuid
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any, Protocol

import boto3
from django.conf import settings
from django.core.mail import EmailMessage
from notifications_python_client.notifications import NotificationsAPIClient

from tenants.jurisdictions import Jurisdiction
from tenants.models import Council, EmailProvider

DELIVERY_HEADER = "X-Patchwork-Delivery"
SES_TAG = "patchwork-delivery"
NOTIFY_SECRET = "patchwork/{slug}/notify-api-key"  # noqa: S105 - the secret's name, not the secret
SECRET_CACHE_SECONDS = 300


@dataclass(frozen=True)
class OutgoingMessage:
    """One email, as a transport is given it. ``key`` is the delivery's idempotency key."""

    key: uuid.UUID
    to: str
    subject: str
    body: str
    attachment_name: str = ""
    attachment_type: str = ""
    attachment_text: str = ""
    attachment_data: bytes = b""

    @property
    def has_attachment(self) -> bool:
        return bool(self.attachment_text or self.attachment_data)


class Transport(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> str:
        """Hand the message to the provider; return the provider's id for it. Raises on any failure."""
        ...


class NotifyNotAllowed(Exception):
    """GOV.UK Notify is a service for English public bodies: refused for a council of another jurisdiction."""


def message_mime(message: OutgoingMessage) -> EmailMessage:
    email = EmailMessage(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to],
        headers={DELIVERY_HEADER: str(message.key), "Message-ID": make_msgid(domain="patchwork")},
    )
    if message.has_attachment:
        email.attach(
            message.attachment_name, message.attachment_data or message.attachment_text, message.attachment_type
        )
    return email


class DjangoTransport:
    """Django's configured email backend (files in development, the test outbox in tests)."""

    name = "django"

    def send(self, message: OutgoingMessage) -> str:
        email = message_mime(message)
        email.send()
        return str(email.extra_headers["Message-ID"])


_clients: dict[tuple[str, str], Any] = {}


def aws_client(service: str, *, region: str) -> Any:
    """A boto3 client pinned to ``region``: a council's email and secrets never leave its data region.

    Made once per service and region in a process (making one costs tens of milliseconds; they are thread-safe).
    """
    key = (service, region)
    if key not in _clients:
        _clients[key] = boto3.client(service, region_name=region)
    return _clients[key]


class SesTransport:
    """Amazon SES v2 in one region, raw MIME (with the attachment), tagged with the delivery's key."""

    name = "ses"

    def __init__(self, *, region: str) -> None:
        self.region = region
        self.client = aws_client("sesv2", region=region)

    def send(self, message: OutgoingMessage) -> str:
        raw = message_mime(message).message().as_bytes()
        response = self.client.send_email(
            FromEmailAddress=settings.DEFAULT_FROM_EMAIL,
            Content={"Raw": {"Data": raw}},
            EmailTags=[{"Name": SES_TAG, "Value": str(message.key)}],
        )
        return str(response["MessageId"])


_notify_keys: dict[tuple[str, str], tuple[float, str]] = {}


def notify_api_key(council: Council) -> str:
    """The council's Notify API key, from Secrets Manager in its region (kept in memory a few minutes)."""
    name = NOTIFY_SECRET.format(slug=council.slug)
    cached = _notify_keys.get((council.data_region, name))
    if cached and cached[0] > time.monotonic():
        return cached[1]
    secret = aws_client("secretsmanager", region=council.data_region).get_secret_value(SecretId=name)
    key = str(secret["SecretString"]).strip()
    _notify_keys[(council.data_region, name)] = (time.monotonic() + SECRET_CACHE_SECONDS, key)
    return key


class NotifyTransport:
    """GOV.UK Notify: one template whose subject and body are ``((subject))`` and ``((body))``."""

    name = "notify"

    def __init__(self, *, council: Council) -> None:
        if council.jurisdiction != Jurisdiction.ENGLAND:
            raise NotifyNotAllowed("GOV.UK Notify is for English councils only.")
        self.template_id = council.notify_template_id
        self.client = NotificationsAPIClient(notify_api_key(council), base_url=settings.NOTIFY_BASE_URL, timeout=20)

    def send(self, message: OutgoingMessage) -> str:
        response = self.client.send_email_notification(
            email_address=message.to,
            template_id=self.template_id,
            personalisation={"subject": message.subject, "body": message.body},
            reference=str(message.key),
        )
        return str(response["id"])


def platform_transport(council: Council | None) -> Transport:
    """The platform's own transport: SES in the council's region (or ``AWS_REGION`` for the platform's email)
    when ``NOTIFICATIONS_TRANSPORT`` is ``"ses"``, Django's email backend otherwise."""
    if settings.NOTIFICATIONS_TRANSPORT == "ses":
        return SesTransport(region=council.data_region if council else settings.AWS_REGION)
    return DjangoTransport()


class Transports:
    """The transports of one schema for one dispatch: each made once, whichever message needs it first."""

    def __init__(self, council: Council | None) -> None:
        self.council = council
        self._made: dict[str, Transport] = {}

    def for_message(self, message: OutgoingMessage) -> Transport:
        wants_notify = self.council is not None and self.council.email_provider == EmailProvider.NOTIFY
        kind = "notify" if wants_notify and not message.has_attachment else "platform"
        if kind not in self._made:
            council = self.council
            if kind == "notify" and council is not None:
                self._made[kind] = NotifyTransport(council=council)
            else:
                self._made[kind] = platform_transport(council)
        return self._made[kind]
