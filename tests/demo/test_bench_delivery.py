"""The delivery benchmark, small (docs/benchmarks.md has the run at PERFORMANCE.md's scale): emails queued by team
changes in a council of its own, delivered by one real worker through the real broker to SES played by moto, against
the same sends made directly; it checks that every email was accepted and every row sent, and prints the ratio.

The worker and the command share this test's committed database, so nothing here runs in a test transaction; the
command removes its council at the end.
"""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tenants.models import Council


def test_the_outbox_delivers_every_email_through_one_worker_and_reports_its_ratio_to_direct_sends(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, tmp_path: Path
) -> None:
    summary = tmp_path / "delivery.json"
    out = StringIO()
    with django_db_blocker.unblock():
        call_command(
            "bench_delivery",
            "--emails=40",
            f"--broker-url={settings.CELERY_BROKER_URL}",
            f"--summary={summary}",
            stdout=out,
        )
        assert not Council.objects.filter(slug="bench-delivery").exists()  # removed afterwards
    output = out.getvalue()
    assert re.search(
        r"^\| 40 `send_email` calls made directly with boto3 \(reference\) \| [\d.]+ s \| [\d,]+ \| "
        r"1\.00 \(reference\) \|$",
        output,
        re.MULTILINE,
    )
    assert re.search(
        r"^\| Outbox: from the first commit to the last email sent by one worker \| [\d.]+ s \| [\d,]+ \| [\d.]+× \|$",
        output,
        re.MULTILINE,
    )
    [row] = json.loads(summary.read_text())
    assert row["what"] == "Notification fan-out: 40 team changes → emails handed to the transport"
    assert "every email accepted by SES (moto), every row sent" in row["measured"]
    assert row["met"] is not None
