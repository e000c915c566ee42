"""The rows of PERFORMANCE.md's table a benchmark measured, written as JSON for ``bench_table`` to gather.

Each benchmark command takes ``--summary FILE`` and writes there the rows it judged: what was measured, the
figure, the target and whether it was met (``None``: measured, with no target to judge against).
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class TargetRow:
    what: str
    measured: str
    target: str
    met: bool | None


def summary_write(path: str | Path | None, rows: list[TargetRow]) -> None:
    if path:
        Path(path).write_text(json.dumps([asdict(row) for row in rows], indent=2, ensure_ascii=False))


def summary_read(path: str | Path) -> list[TargetRow]:
    return [TargetRow(**row) for row in json.loads(Path(path).read_text())]


def verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**not met**")
