"""The worker-memory benchmark (bench_memory) end to end, small: councils made, one practitioner of each signed in
through the pages of a one-worker gunicorn with the production settings, every request checked for its work and
audited in its council, the worker's memory read as it goes. (PERFORMANCE.md's run is 500 councils and 10,000
requests; docs/benchmarks.md.)"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.demo.benchmark_databases import benchmark_database, manage_on


@pytest.fixture(scope="module")
def bench_database() -> Iterator[str]:
    with benchmark_database("memory") as name:
        migrated = manage_on(name, "migrate", "--noinput", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        yield name


def test_a_small_run_reads_one_workers_memory_across_councils(bench_database: str, tmp_path: Path) -> None:
    summary = tmp_path / "memory.json"
    run = manage_on(
        bench_database,
        "bench_memory",
        "--councils=3",
        "--requests=48",
        "--every=12",
        f"--summary={summary}",
        with_redis=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    for council in ("mem-001", "mem-002", "mem-003"):
        assert f"{council}: provisioned" in run.stdout
    # A reading after signing in and after every 12 requests, each a plausible size for a Django worker.
    readings = [float(size) for size in re.findall(r"^\| [\d,]+ \| ([\d.]+) MB \|$", run.stdout, re.MULTILINE)]
    assert len(readings) == 5
    assert all(40 < size < 1000 for size in readings)
    [row] = json.loads(summary.read_text())
    assert row["what"] == "Web worker memory"
    half_way, last = readings[2], readings[-1]  # after 24 and 48 requests
    assert row["met"] is (last <= 250 and (last - half_way) / half_way <= 0.05)
    assert "over 3 councils" in row["measured"]
