"""bench_table gathers the rows each benchmark judged into PERFORMANCE.md's one table: what was met, what was not,
a benchmark that failed, and the rows nothing measures yet."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.bench_summary import TargetRow, summary_read, summary_write
from demo.management.commands.bench_table import STEPS, Command


def test_a_summary_reads_back_as_written(tmp_path: Path) -> None:
    rows = [TargetRow("Search", "15 ms · 7.3×", "p95 ≤ 3×", False), TargetRow("Import", "40×", "ratio", None)]
    summary_write(tmp_path / "web.json", rows)
    assert summary_read(tmp_path / "web.json") == rows
    summary_write(None, rows)  # no --summary: nothing written, no error


def test_the_table_shows_each_benchmarks_rows_with_their_verdicts(tmp_path: Path) -> None:
    summary_write(tmp_path / "web.json", [TargetRow("Search", "15.2 ms · 7.34×", "p95 ≤ 3×", False)])
    summary_write(tmp_path / "memory.json", [TargetRow("Web worker memory", "113 MB", "≤ 250 MB", True)])
    out = StringIO()
    call_command("bench_table", "--print", str(tmp_path), stdout=out)
    table = out.getvalue()
    assert "| web | Search | 15.2 ms · 7.34× | p95 ≤ 3× | **not met** |" in table
    assert "| memory | Web worker memory | 113 MB | ≤ 250 MB | met |" in table
    assert "provisioning" not in table  # no summary, no row


def test_a_failed_benchmark_is_a_row_that_says_so(tmp_path: Path) -> None:
    summary_write(tmp_path / "web.json", [TargetRow("Search", "15 ms", "p95 ≤ 3×", True)])
    out = StringIO()
    command = Command(stdout=out)
    steps = [step for step in STEPS if step.name in ("web", "load")]
    command._table(tmp_path, steps, failed={"load": "`bench_load` exited 1: 3 errors"})
    assert "| load | — | **failed**: `bench_load` exited 1: 3 errors | — | **not met** |" in out.getvalue()


def test_an_unknown_benchmark_is_refused() -> None:
    with pytest.raises(CommandError, match="No benchmark called speed"):
        call_command("bench_table", "--only", "web,speed")
