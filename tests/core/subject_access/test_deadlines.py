"""Statutory deadlines as the ICO and the Victorian FOI Act count them, and the extensions each law allows."""

import datetime

import pytest

from core.subject_access.deadlines import (
    Extended,
    ExtensionRefused,
    due_on,
    extension_check,
    months_after,
)

D = datetime.date
ENGLAND, VICTORIA = "england", "victoria"


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 1, 31), D(2026, 2, 28)),  # no 31 February: the last day of February
        (D(2028, 1, 31), D(2028, 2, 29)),  # a leap year
        (D(2026, 1, 30), D(2026, 2, 28)),
        (D(2026, 1, 28), D(2026, 2, 28)),  # the corresponding date exists
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2026, 4, 30), D(2026, 5, 30)),  # not the month's last day: the same date
        (D(2026, 9, 3), D(2026, 10, 3)),
        (D(2026, 12, 15), D(2027, 1, 15)),  # over the year's end
        (D(2026, 12, 31), D(2027, 1, 31)),
    ],
)
def test_england_one_calendar_month_is_the_corresponding_date_or_the_months_last_day(received: D, due: D) -> None:
    assert due_on(jurisdiction=ENGLAND, received_on=received) == due


def test_months_after_counts_from_the_day_itself() -> None:
    assert months_after(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert months_after(D(2026, 11, 30), 3) == D(2027, 2, 28)


@pytest.mark.parametrize(
    ("received", "extended", "due"),
    [
        (D(2026, 1, 31), [Extended("uk-gdpr-12-3", 2)], D(2026, 4, 30)),  # three months from receipt, not 28 April
        (D(2026, 1, 31), [Extended("uk-gdpr-12-3", 1)], D(2026, 3, 31)),
        (D(2026, 1, 31), [Extended("uk-gdpr-12-3", 1), Extended("uk-gdpr-12-3", 1)], D(2026, 4, 30)),
        (D(2026, 11, 30), [Extended("uk-gdpr-12-3", 2)], D(2027, 2, 28)),
    ],
)
def test_england_extension_by_two_further_months_counts_from_receipt(received: D, extended: list, due: D) -> None:
    assert due_on(jurisdiction=ENGLAND, received_on=received, extensions=extended) == due


@pytest.mark.parametrize(
    ("received", "extended", "due"),
    [
        (D(2026, 1, 31), [], D(2026, 3, 2)),  # 30 days after the day of receipt, calendar days
        (D(2026, 12, 10), [], D(2027, 1, 9)),
        (D(2026, 1, 31), [Extended("foi-vic-21-2-a", 15)], D(2026, 3, 17)),
        (D(2026, 1, 31), [Extended("foi-vic-21-2-b", 30), Extended("foi-vic-21-2-b", 30)], D(2026, 5, 1)),
    ],
)
def test_victoria_thirty_days_under_the_foi_act_with_its_extensions(received: D, extended: list, due: D) -> None:
    assert due_on(jurisdiction=VICTORIA, received_on=received, extensions=extended) == due


def _check(jurisdiction: str, code: str, amount: int, granted: list[Extended] = (), **dates: D) -> None:  # type: ignore[assignment]
    extension_check(
        jurisdiction=jurisdiction,
        code=code,
        amount=amount,
        granted=granted,
        due=dates.get("due", D(2026, 2, 28)),
        today=dates.get("today", D(2026, 2, 10)),
    )


def test_extensions_the_law_allows_pass() -> None:
    _check(ENGLAND, "uk-gdpr-12-3", 2)
    _check(ENGLAND, "uk-gdpr-12-3", 1, [Extended("uk-gdpr-12-3", 1)])
    _check(VICTORIA, "foi-vic-21-2-a", 15)
    _check(VICTORIA, "foi-vic-21-2-b", 30, [Extended("foi-vic-21-2-b", 30)] * 3)  # s 21(3): any number of times
    _check(ENGLAND, "uk-gdpr-12-3", 2, today=D(2026, 2, 28))  # on the last day still


@pytest.mark.parametrize(
    ("jurisdiction", "code", "amount", "granted", "words"),
    [
        (ENGLAND, "uk-gdpr-12-3", 3, [], "1 to 2 months"),
        (ENGLAND, "uk-gdpr-12-3", 2, [Extended("uk-gdpr-12-3", 1)], "1 left"),
        (ENGLAND, "uk-gdpr-12-3", 0, [], "1 to 2 months"),
        (ENGLAND, "foi-vic-21-2-b", 10, [], "Choose one of the extensions"),  # another jurisdiction's provision
        (VICTORIA, "foi-vic-21-2-a", 16, [], "1 to 15 days"),
        (VICTORIA, "foi-vic-21-2-a", 5, [Extended("foi-vic-21-2-a", 5)], "only once"),
        (VICTORIA, "foi-vic-21-2-b", 31, [], "1 to 30 days"),
    ],
)
def test_extensions_beyond_the_law_are_refused(
    jurisdiction: str, code: str, amount: int, granted: list[Extended], words: str
) -> None:
    with pytest.raises(ExtensionRefused, match=words):
        _check(jurisdiction, code, amount, granted)


@pytest.mark.parametrize(("jurisdiction", "code"), [(ENGLAND, "uk-gdpr-12-3"), (VICTORIA, "foi-vic-21-2-b")])
def test_a_period_that_has_run_out_cannot_be_extended(jurisdiction: str, code: str) -> None:
    with pytest.raises(ExtensionRefused, match="can only be extended before it ends"):
        _check(jurisdiction, code, 1, due=D(2026, 2, 28), today=D(2026, 3, 1))
