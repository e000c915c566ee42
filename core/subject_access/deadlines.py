"""When a subject access request must be answered, by the law of the council's jurisdiction, kept as data.

England — UK GDPR Article 12(3) (with the Data Protection Act 2018): "without undue delay and in any event
within one month of receipt of the request", extendable "by two further months where necessary, taking into
account the complexity and number of the requests"; the person must be told of the extension, and why,
within the first month. The ICO counts a calendar month from the day the request is received to the
corresponding calendar date of the next month; where that month has no such date (31 January, 29 February
of a common year…), to the last day of that month. An extension counts from the same day of receipt: one
month and two further months is three calendar months from receipt.

Victoria — access to a council's documents, the client's own records included, runs under the Freedom of
Information Act 1982 (Vic) (the Privacy and Data Protection Act 2014 IPP 6 defers to it). Section 21(1)(a):
the decision no later than 30 days after the day on which a valid request (section 17) is received —
calendar days, the day of receipt not counted. Section 21(2)(a): extendable by not more than 15 days if
consultation is required under sections 29, 29A, 31, 31A, 33, 34 or 35; section 21(2)(b): in any case by
not more than 30 days as agreed by the applicant, which section 21(3) allows any number of times. Section
21(4): the applicant is told in writing; section 21(5): a period that has expired cannot be extended.

Both regulators let a deadline that falls on a weekend or a public holiday move to the next working day
(the ICO's guidance; the Interpretation of Legislation Act 1984 (Vic) s 44). The dates here do not move: the
statutory date is tracked, which is never later than the one allowed, and needs no holiday calendar.
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from tenants.jurisdictions import Jurisdiction

MONTHS = "months"
DAYS = "days"


@dataclass(frozen=True)
class ExtensionRule:
    """One way the period may be extended: by how much at most each time, how often, and under what law."""

    code: str
    label: str
    citation: str
    unit: str  # MONTHS or DAYS
    at_most: int  # per extension
    at_most_in_total: int | None = None  # all extensions of this kind together; None: no limit
    times: int | None = None  # how many extensions of this kind; None: any number


@dataclass(frozen=True)
class DeadlineRule:
    jurisdiction: str
    law: str
    citation: str
    unit: str
    period: int
    extensions: tuple[ExtensionRule, ...]

    def extension(self, code: str) -> ExtensionRule:
        for rule in self.extensions:
            if rule.code == code:
                return rule
        raise KeyError(code)

    @property
    def period_words(self) -> str:
        if self.unit == MONTHS:
            return "one calendar month" if self.period == 1 else f"{self.period} calendar months"
        return f"{self.period} days"


DEADLINES: dict[str, DeadlineRule] = {
    Jurisdiction.ENGLAND: DeadlineRule(
        jurisdiction=Jurisdiction.ENGLAND,
        law="UK GDPR and the Data Protection Act 2018",
        citation="UK GDPR Article 12(3)",
        unit=MONTHS,
        period=1,
        extensions=(
            ExtensionRule(
                code="uk-gdpr-12-3",
                label="Complex or numerous requests (up to two further months)",
                citation="UK GDPR Article 12(3)",
                unit=MONTHS,
                at_most=2,
                at_most_in_total=2,
            ),
        ),
    ),
    Jurisdiction.VICTORIA: DeadlineRule(
        jurisdiction=Jurisdiction.VICTORIA,
        law="Freedom of Information Act 1982 (Vic)",
        citation="Freedom of Information Act 1982 (Vic) s 21(1)(a)",
        unit=DAYS,
        period=30,
        extensions=(
            ExtensionRule(
                code="foi-vic-21-2-a",
                label="Consultation is required (up to 15 days)",
                citation="Freedom of Information Act 1982 (Vic) s 21(2)(a)",
                unit=DAYS,
                at_most=15,
                at_most_in_total=15,
                times=1,
            ),
            ExtensionRule(
                code="foi-vic-21-2-b",
                label="Agreed by the applicant (up to 30 days each time)",
                citation="Freedom of Information Act 1982 (Vic) s 21(2)(b) and (3)",
                unit=DAYS,
                at_most=30,
            ),
        ),
    ),
}


def deadline_rule(jurisdiction: str) -> DeadlineRule:
    return DEADLINES[Jurisdiction(jurisdiction)]


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The corresponding calendar date ``months`` later, or the last day of that month when it has none
    (31 January + 1 month = 28 February, or 29 in a leap year)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Extended:
    """An extension already granted: its rule's code and by how much (in the rule's unit)."""

    code: str
    amount: int


def due_on(*, jurisdiction: str, received_on: datetime.date, extensions: Iterable[Extended] = ()) -> datetime.date:
    """The last day to answer a request received on ``received_on``, with the extensions granted so far. Counted
    from the day of receipt each time, so that an extension is exact whatever the months' lengths."""
    rule = deadline_rule(jurisdiction)
    months = rule.period if rule.unit == MONTHS else 0
    days = rule.period if rule.unit == DAYS else 0
    for extended in extensions:
        if rule.extension(extended.code).unit == MONTHS:
            months += extended.amount
        else:
            days += extended.amount
    return months_after(received_on, months) + datetime.timedelta(days=days)


class ExtensionRefused(ValueError):
    """The extension asked for is not allowed; the message says why, in words a privacy officer reads."""


def extension_check(
    *,
    jurisdiction: str,
    code: str,
    amount: int,
    granted: Iterable[Extended],
    due: datetime.date,
    today: datetime.date,
) -> None:
    """Refuse an extension the law does not allow: an unknown kind, more than allowed each time or in total,
    more often than allowed, or once the period has run out (UK GDPR: the person is told within the period;
    Victoria: s 21(5))."""
    rule = deadline_rule(jurisdiction)
    try:
        extension = rule.extension(code)
    except KeyError:
        raise ExtensionRefused("Choose one of the extensions the law allows") from None
    if today > due:
        raise ExtensionRefused(
            f"The period ended on {due.day} {due:%B %Y}: it can only be extended before it ends ({rule.citation})"
        )
    unit = "month" if extension.unit == MONTHS else "day"
    if amount < 1 or amount > extension.at_most:
        raise ExtensionRefused(f"Extend by 1 to {extension.at_most} {unit}s ({extension.citation})")
    same = [extended for extended in granted if extended.code == code]
    if extension.times is not None and len(same) >= extension.times:
        raise ExtensionRefused(f"This extension can be made only once ({extension.citation})")
    if extension.at_most_in_total is not None:
        left = extension.at_most_in_total - sum(extended.amount for extended in same)
        if amount > left:
            raise ExtensionRefused(
                f"At most {extension.at_most_in_total} {unit}s in all: {max(left, 0)} left ({extension.citation})"
            )
