"""How email leaves: Django's backend, Amazon SES v2 in the council's own region, GOV.UK Notify for an English
council that chose it; and the delivery's idempotency key on every attempt.

The outside world is faked and nothing reaches the internet: AWS (SES v2 and Secrets Manager) by ``moto``
(``mock_aws``), and GOV.UK Notify's HTTP API by a local server (helpers.FakeNotify) that records what it is sent.
"""

import datetime
from collections.abc import Iterator

import boto3
import pytest
from django.conf import LazySettings
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from core.notifications import transports
from core.notifications.models import DeliveryState, Notification
from core.notifications.services.outbox import Attachment, notification_queue, notifications_deliver
from core.notifications.transports import DELIVERY_HEADER, SES_TAG, NotifyNotAllowed, NotifyTransport
from tenants.models import Council, EmailProvider
from tests.core.notifications.helpers import PROVIDER_DOWN, FakeNotify

pytestmark = pytest.mark.council_side

SENDER = "no-reply@patchwork.localhost"
REGIONS = ("eu-west-2", "ap-southeast-2", "ap-southeast-4")
INVITATION = Attachment(
    name="meeting.ics",
    content_type="text/calendar; method=REQUEST",
    text="BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
)
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
NOTIFY_KEY = "patchwork_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"


def _sent(region: str) -> list[object]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages)


@pytest.fixture
def tags() -> list[list[dict[str, str]]]:
    return []


@pytest.fixture
def ses(settings: LazySettings, tags: list[list[dict[str, str]]]) -> Iterator[None]:
    """SES v2 (moto) in every data region, the sender verified in each; the EmailTags of each call recorded."""
    settings.NOTIFICATIONS_TRANSPORT = "ses"
    settings.AWS_REGION = "eu-west-2"
    transports._clients.clear()  # made afresh from the session below, which records the tags
    with mock_aws():
        boto3.setup_default_session()
        boto3.DEFAULT_SESSION.events.register(  # type: ignore[union-attr]
            "provide-client-params.sesv2.SendEmail", lambda params, **_: tags.append(params["EmailTags"])
        )
        for region in REGIONS:
            boto3.client("sesv2", region_name=region).create_email_identity(EmailIdentity=SENDER)
        yield
    boto3.DEFAULT_SESSION = None
    transports._clients.clear()


def _queue_in(council_schema: str, capture: object, **extra: object) -> Notification:
    with schema_context(council_schema), capture(execute=True):  # type: ignore[operator]
        [row] = notification_queue(to=["sam@alpha.example"], subject="A meeting", body="See it", **extra)  # type: ignore[arg-type]
    with schema_context(council_schema):
        row.refresh_from_db()
    return row


def test_ses_sends_raw_mime_from_the_councils_own_region_with_the_key_and_the_invitation(
    ses: None, council_a: Council, tags: list[list[dict[str, str]]], django_capture_on_commit_callbacks: object
) -> None:
    row = _queue_in(council_a.schema_name, django_capture_on_commit_callbacks, attachment=INVITATION)

    [message] = _sent(council_a.data_region)
    assert [region for region in REGIONS if region != council_a.data_region and _sent(region)] == []
    assert f"{DELIVERY_HEADER}: {row.idempotency_key}" in message.raw_data
    assert "BEGIN:VCALENDAR" in message.raw_data
    assert 'filename="meeting.ics"' in message.raw_data
    assert tags == [[{"Name": SES_TAG, "Value": str(row.idempotency_key)}]]
    assert (row.state, row.provider_reference) == (DeliveryState.SENT, message.id)
    assert mail.outbox == []  # not through Django's backend


def test_a_victorian_councils_email_stays_in_its_australian_region(
    ses: None, council_b: Council, django_capture_on_commit_callbacks: object
) -> None:
    row = _queue_in(council_b.schema_name, django_capture_on_commit_callbacks)
    assert council_b.data_region.startswith("ap-southeast-")
    assert len(_sent(council_b.data_region)) == 1
    assert _sent("eu-west-2") == []
    assert row.state == DeliveryState.SENT


def test_the_platforms_own_email_goes_through_ses_in_the_platforms_region(
    ses: None, db: None, django_capture_on_commit_callbacks: object
) -> None:
    row = _queue_in("public", django_capture_on_commit_callbacks)
    assert len(_sent("eu-west-2")) == 1
    assert row.state == DeliveryState.SENT


def test_an_ses_refusal_is_a_failed_attempt_retried_with_the_same_key(
    ses: None, council_a: Council, tags: list[list[dict[str, str]]], django_capture_on_commit_callbacks: object
) -> None:
    boto3.client("sesv2", region_name=council_a.data_region).delete_email_identity(EmailIdentity=SENDER)
    row = _queue_in(council_a.schema_name, django_capture_on_commit_callbacks)
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.WAITING, 1, "MessageRejected")
    boto3.client("sesv2", region_name=council_a.data_region).create_email_identity(EmailIdentity=SENDER)
    with schema_context(council_a.schema_name):
        assert notifications_deliver(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    assert [tag[0]["Value"] for tag in tags] == [str(row.idempotency_key)] * 2


@pytest.fixture
def notify(settings: LazySettings) -> Iterator[FakeNotify]:
    fake = FakeNotify()
    settings.NOTIFY_BASE_URL = fake.url
    transports._notify_keys.clear()
    transports._clients.clear()
    try:
        yield fake
    finally:
        fake.close()
        transports._notify_keys.clear()


@pytest.fixture
def alpha_on_notify(council_a: Council) -> Iterator[Council]:
    """Council A chose Notify; its API key is a Secrets Manager secret in its region (moto)."""
    Council.objects.filter(pk=council_a.pk).update(email_provider=EmailProvider.NOTIFY, notify_template_id=TEMPLATE)
    with mock_aws():
        boto3.client("secretsmanager", region_name=council_a.data_region).create_secret(
            Name=f"patchwork/{council_a.slug}/notify-api-key", SecretString=NOTIFY_KEY
        )
        yield Council.objects.get(pk=council_a.pk)


def test_a_council_on_notify_sends_through_notify_with_the_key_as_reference(
    notify: FakeNotify, alpha_on_notify: Council, django_capture_on_commit_callbacks: object
) -> None:
    row = _queue_in(alpha_on_notify.schema_name, django_capture_on_commit_callbacks)

    [request] = notify.received
    assert request["path"] == "/v2/notifications/email"
    assert request["json"] == {
        "email_address": "sam@alpha.example",
        "template_id": TEMPLATE,
        "personalisation": {"subject": "A meeting", "body": "See it"},
        "reference": str(row.idempotency_key),
    }
    assert str(request["auth"]).startswith("Bearer ")  # a token signed with the key from Secrets Manager
    assert row.state == DeliveryState.SENT
    assert row.provider_reference
    assert mail.outbox == []


def test_a_meeting_invitation_of_a_council_on_notify_goes_by_the_platforms_email_with_its_attachment(
    notify: FakeNotify, alpha_on_notify: Council, django_capture_on_commit_callbacks: object
) -> None:
    row = _queue_in(alpha_on_notify.schema_name, django_capture_on_commit_callbacks, attachment=INVITATION)
    assert notify.received == []  # Notify cannot carry the .ics
    [message] = mail.outbox
    assert message.attachments[0][0] == "meeting.ics"
    assert message.extra_headers[DELIVERY_HEADER] == str(row.idempotency_key)
    assert row.state == DeliveryState.SENT


def test_a_notify_failure_is_retried_with_the_same_reference(
    notify: FakeNotify, alpha_on_notify: Council, django_capture_on_commit_callbacks: object
) -> None:
    notify.fail_with = 500
    row = _queue_in(alpha_on_notify.schema_name, django_capture_on_commit_callbacks)
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.WAITING, 1, "HTTPError")
    notify.fail_with = None
    with schema_context(alpha_on_notify.schema_name):
        assert notifications_deliver(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    assert [request["json"]["reference"] for request in notify.received] == [str(row.idempotency_key)] * 2  # type: ignore[index]


def test_notify_is_refused_for_a_council_outside_england(council_b: Council) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Council.objects.filter(pk=council_b.pk).update(email_provider=EmailProvider.NOTIFY, notify_template_id=TEMPLATE)
    assert Council.objects.get(pk=council_b.pk).email_provider == EmailProvider.PLATFORM
    council_b.email_provider = EmailProvider.NOTIFY  # even if it were so, in memory
    with pytest.raises(NotifyNotAllowed):
        NotifyTransport(council=council_b)


def test_notify_needs_its_template(council_a: Council) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Council.objects.filter(pk=council_a.pk).update(email_provider=EmailProvider.NOTIFY)


def test_every_attempt_at_one_email_carries_the_same_key_through_djangos_backend(
    council_a: Council, settings: LazySettings, django_capture_on_commit_callbacks: object
) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN
    row = _queue_in(council_a.schema_name, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with schema_context(council_a.schema_name):
        assert notifications_deliver(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    [message] = mail.outbox
    assert message.extra_headers[DELIVERY_HEADER] == str(row.idempotency_key)
