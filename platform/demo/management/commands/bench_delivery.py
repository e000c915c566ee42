"""Benchmark: 1,000 team changes' emails handed to SES by one Celery worker, against the same sends made directly.

    manage.py bench_delivery [--emails 1000] [--broker-url redis://127.0.0.1:6379/13]

Makes a throwaway council (``bench-delivery``), plays Amazon SES v2 in its data region with ``moto`` (in this
process), and in one run times

* the reference: the same number of ``sesv2.send_email`` calls (raw MIME of the same size) made directly with boto3
  against moto: the floor for handing these emails to SES from this machine;
* the outbox: each email queued in a transaction of its own (a team change's), handed after commit to the
  ``notifications.dispatch`` task through the real broker, and delivered by one real worker (solo pool, started in
  this process so that it talks to the same moto): from the first commit to the last row recorded as sent.

PERFORMANCE.md: 1,000 team changes → emails handed to the transport in ≤ 10 s with one worker. It fails unless
moto accepted every email and every row is ``sent``. Everything it made is removed at the end.
"""

import platform
import time
import uuid
from typing import Any

import boto3
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings
from django_tenants.utils import schema_context
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from config.celery import app
from core.notifications.models import DeliveryState, Notification
from core.notifications.services.outbox import dispatch_started, notification_queue
from core.notifications.transports import OutgoingMessage, message_mime
from demo.bench_summary import TargetRow, summary_write
from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tenants.services.schemas import council_schema_drop

SLUG = "bench-delivery"
TARGET_SECONDS = 10.0
TARGET_EMAILS = 1000
SUBJECT = "A change in one of your teams"
BODY = (
    "Amy Collier (Bench Children's Services) joined the team around one of your clients.\n\n"
    "See the team: https://bench-delivery.patchwork.example/clients/00000000-0000-4000-8000-000000000000/team/\n"
)


def _sender() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")


class Command(BaseCommand):
    help = "Time the outbox delivering emails through one worker to SES (moto), against direct boto3 sends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--emails", type=int, default=TARGET_EMAILS, help="Team changes, one email each")
        parser.add_argument(
            "--broker-url", default="redis://127.0.0.1:6379/13", help="The Redis broker the worker reads"
        )
        parser.add_argument("--summary", help="Also write PERFORMANCE.md's row to this JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        broker = options["broker_url"]
        if not broker.startswith(("redis://", "rediss://")):
            raise CommandError("A real broker is needed (--broker-url redis://…): the worker reads from it.")
        app.conf.broker_url = broker
        app.conf.task_always_eager = False
        app._pool = None  # type: ignore[attr-defined] - connect to this broker from now on
        self._cleanup()
        try:
            with (
                mock_aws(),
                # The worker runs in this process, so it shares this process's cache, whichever it is: hand-offs
                # are coalesced while a dispatch is queued, as in production (services/outbox.py).
                override_settings(
                    NOTIFICATIONS_TRANSPORT="ses",
                    NOTIFICATIONS_DISPATCH_INLINE=False,
                    NOTIFICATIONS_COALESCE_HAND_OFFS=True,
                ),
            ):
                self._run(emails=options["emails"], summary=options["summary"])
        finally:
            connection.set_schema_to_public()
            self._cleanup()

    def _run(self, *, emails: int, summary: str | None) -> None:
        council = council_create(name="Bench Delivery Council", slug=SLUG, jurisdiction=Jurisdiction.ENGLAND)
        council_provision(council_id=council.pk)
        region = council.data_region
        boto3.client("sesv2", region_name=region).create_email_identity(EmailIdentity=_sender())
        sent_messages = ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages

        reference = self._reference(region=region, emails=emails)
        accepted_before = len(sent_messages)
        app.control.purge()
        with (
            start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30),
            schema_context(council.schema_name),
        ):
            dispatch_started()  # no dispatch of an earlier run stands queued for this schema
            start = time.perf_counter()
            for number in range(emails):
                with transaction.atomic():
                    notification_queue(to=[f"member{number}@bench-delivery.example"], subject=SUBJECT, body=BODY)
            queued = time.perf_counter() - start
            self._wait_until_sent(emails)
            delivered = time.perf_counter() - start
            rows = Notification.objects.count()
            sent_rows = Notification.objects.filter(state=DeliveryState.SENT).count()
        accepted = len(sent_messages) - accepted_before
        if (rows, sent_rows, accepted) != (emails, emails, emails):
            raise CommandError(f"Not all delivered: {rows} rows, {sent_rows} sent, {accepted} accepted by SES.")
        self.stdout.write(
            f"Machine: {platform.machine()}, Python {platform.python_version()}, database "
            f"{settings.DATABASES['default']['HOST'] or 'local'}; {emails:,} emails, SES v2 played by moto in {region}"
        )
        self.stdout.write("| Measure | Time | Emails/s | Ratio |")
        self.stdout.write("|---|---|---|---|")
        for label, seconds, ratio in (
            (f"{emails:,} `send_email` calls made directly with boto3 (reference)", reference, "1.00 (reference)"),
            (f"{emails:,} team changes committed, each handing its email to the worker", queued, ""),
            ("The worker, behind the last commit", delivered - queued, ""),
            (
                "Outbox: from the first commit to the last email sent by one worker",
                delivered,
                f"{delivered / reference:.2f}×",
            ),
        ):
            rate = f"{emails / seconds:,.0f}" if ratio or label.startswith(f"{emails:,}") else "—"
            self.stdout.write(f"| {label} | {seconds:.2f} s | {rate} | {ratio} |")
        target = TARGET_SECONDS * emails / TARGET_EMAILS
        met = delivered <= target
        self.stdout.write(
            f"Target: {emails:,} emails handed to the transport in ≤ {target:.1f} s: {'met' if met else 'NOT MET'}"
        )
        summary_write(
            summary,
            [
                TargetRow(
                    f"Notification fan-out: {emails:,} team changes → emails handed to the transport",
                    f"{delivered:.1f} s with one worker = {delivered / reference:.2f}× direct boto3 sends "
                    f"({reference:.1f} s); every email accepted by SES (moto), every row sent",
                    f"≤ {target:.0f} s with one worker",
                    met,
                ),
            ],
        )

    def _reference(self, *, region: str, emails: int) -> float:
        client = boto3.client("sesv2", region_name=region)
        start = time.perf_counter()
        for number in range(emails):
            message = OutgoingMessage(
                key=uuid.uuid4(), to=f"reference{number}@bench-delivery.example", subject=SUBJECT, body=BODY
            )
            client.send_email(
                FromEmailAddress=settings.DEFAULT_FROM_EMAIL,
                Content={"Raw": {"Data": message_mime(message).message().as_bytes()}},
                EmailTags=[{"Name": "patchwork-delivery", "Value": str(message.key)}],
            )
        return time.perf_counter() - start

    def _wait_until_sent(self, emails: int, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if Notification.objects.filter(state=DeliveryState.SENT).count() >= emails:
                return
            time.sleep(0.05)
        raise CommandError("The worker did not deliver every email in time.")

    def _cleanup(self) -> None:
        council = Council.objects.filter(slug=SLUG).first()
        if council is not None:
            council_schema_drop(council=council)
            council.delete()
