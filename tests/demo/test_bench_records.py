"""The records benchmarks end to end, small (docs/benchmarks.md has the run at PERFORMANCE.md's scale): the nightly
retention job listed and erased over a generated council against the raw SQL of what is due, and a subject access
export of a planted client against the raw SQL of the client's rows — each checked for its work, each ratio
printed and written to the summary."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.demo.benchmark_databases import benchmark_database, manage_on

SMALL = ("--clients=2000", "--practitioners=200", "--involvements=6000", "--families=300", "--audit=3000")


@pytest.fixture(scope="module")
def bench_database() -> Iterator[str]:
    with benchmark_database("records") as name:
        migrated = manage_on(name, "migrate", "--noinput", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        yield name


def ratios(output: str) -> dict[str, float]:
    return {
        label: float(ratio)
        for label, ratio in re.findall(r"^\| (.+?) \| [\d,]+ ms \| ([\d.]+)× \|$", output, re.MULTILINE)
    }


def test_the_retention_job_lists_what_the_raw_sql_finds_and_erases_it(bench_database: str, tmp_path: Path) -> None:
    summary = tmp_path / "retention.json"
    run = manage_on(bench_database, "bench_retention", *SMALL, "--repeat=1", f"--summary={summary}")
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    measured = ratios(run.stdout)
    assert measured["The raw SQL reading what is due (reference)"] == 1.0
    assert set(measured) == {
        "The raw SQL reading what is due (reference)",
        "`retention_run_prepare`: the nightly listing",
        "`retention_run_execute`: the approved list erased (rolled back after)",
    }
    due_line = run.stdout.split("Due: ")[1].split("\n")[0]
    due = dict(re.findall(r"(clients|involvements|team activity) ([\d,]+)", due_line))
    assert int(due["clients"].replace(",", "")) > 0  # three years kept of five generated: work was measured
    assert [row["what"] for row in json.loads(summary.read_text())] == [
        "Nightly retention listing at 300k clients",
        "Nightly retention erasure at 300k clients",
    ]


def test_the_export_is_timed_against_the_raw_sql_of_the_clients_rows(bench_database: str, tmp_path: Path) -> None:
    summary = tmp_path / "export.json"
    run = manage_on(
        bench_database, "bench_export", *SMALL, "--members=12", "--events=400", "--repeat=1", f"--summary={summary}"
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    assert "the client: 12 members" in run.stdout
    measured = ratios(run.stdout)
    assert len(measured) == 3
    assert all(ratio >= 1.0 for ratio in measured.values())
    assert re.search(r"subject-access\.pdf [\d,]+ KB", run.stdout)
    [row] = json.loads(summary.read_text())
    assert row["what"] == "Subject access export (50-member team, 10,000 audit events)"
