"""Fictional identifiers that still pass the checks real systems make.

NHS numbers come from the 999 range, which NHS England never issues, with a valid modulus-11 check digit.
Unique Pupil Numbers follow the DfE layout (check letter, LA number, establishment, year, serial).
"""

import random

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None when no valid number ends them (remainder 10)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(number: str) -> bool:
    return len(number) == 10 and number.isdigit() and nhs_check_digit(number[:9]) == int(number[9])


def nhs_number(rng: random.Random) -> str:
    """A valid NHS number in the never-issued 999 range."""
    while True:
        first_nine = f"999{rng.randrange(10**6):06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def upn_check_letter(last_twelve: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(last_twelve, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23]


def unique_pupil_number(rng: random.Random, *, la_code: str, year_allocated: int) -> str:
    """A Unique Pupil Number: check letter, LA number, a primary school's establishment number, year, serial."""
    establishment = rng.randrange(2000, 3999)
    digits = f"{la_code}{establishment:04d}{year_allocated % 100:02d}{rng.randrange(1000):03d}"
    return f"{upn_check_letter(digits)}{digits}"


def local_case_id(rng: random.Random, *, prefix: str) -> str:
    """An id from the council's case-management system, e.g. "LCS-204519"."""
    return f"{prefix}-{rng.randrange(100000, 999999)}"
