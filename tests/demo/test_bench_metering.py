"""The metering benchmark, small (docs/benchmarks.md has the run over 200 councils at PERFORMANCE.md's volumes):
councils of its own in London's and Melbourne's time zones with a month of sign-ins, ``usage_meter`` timed against
one ``COUNT(*)`` per schema; it checks every council's usage row against the generator's and the reference's
numbers, and that running the month again writes nothing.

The command makes and drops schemas, so it runs on this test's committed database, not in a test transaction; it
removes its councils at the end.
"""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from billing.models import BillingAccount, Usage
from tenants.models import Council


def test_metering_counts_every_council_right_and_reports_its_ratio_to_a_count_per_schema(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, tmp_path: Path
) -> None:
    summary = tmp_path / "metering.json"
    out = StringIO()
    with django_db_blocker.unblock():
        call_command(
            "bench_metering", "--councils=4", "--scale=0.01", "--samples=1", f"--summary={summary}", stdout=out
        )
        assert not Council.objects.filter(slug__startswith="bench-m").exists()  # removed afterwards
        assert not BillingAccount.objects.filter(council__slug__startswith="bench-m").exists()
        assert not Usage.objects.filter(council__slug__startswith="bench-m").exists()
    output = out.getvalue()
    assert re.search(
        r"^\| `SELECT COUNT\(\*\)` of the month's sign-ins, one query per schema \(4 queries; reference\) \| "
        r"[\d,]+ ms \| 1\.00× \|$",
        output,
        re.MULTILINE,
    )
    assert re.search(
        r"^\| `usage_meter`: every council counted and its usage row written \| [\d,]+ ms \| [\d.]+× \|$",
        output,
        re.MULTILINE,
    )
    assert "Checked: each of the 4 councils has its usage row" in output
    [row] = json.loads(summary.read_text())
    assert row["what"].startswith("Metering a month over 4 councils")
    assert "every usage row checked" in row["measured"]
    assert row["met"] is None
