"""Counting each council's active practitioners for a month, from its own schema, into ``Usage`` rows."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class MeteringOutcome:
    period: datetime.date
    counted: int  # councils given a usage row by this run
    already: int  # councils whose month was already counted (left as they were)


def usage_meter(*, period: datetime.date) -> MeteringOutcome:
    """Count ``period``'s active practitioners in every billable council; a month already counted is left alone."""
    raise NotImplementedError
