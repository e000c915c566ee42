"""Phone numbers from the ranges reserved for drama and fiction, so a demo never rings a real person.

England (Ofcom): mobiles 07700 900000–900999, landlines 01632 960000–960999.
Victoria (ACMA): the thirty mobile numbers listed below, landlines (03) 5550 0000–9999.
"""

import random

import phonenumbers

from tenants.jurisdictions import Jurisdiction

REGIONS = {Jurisdiction.ENGLAND: "GB", Jurisdiction.VICTORIA: "AU"}


def e164(number: str, *, jurisdiction: str) -> str:
    """A practitioner's number as Patchwork stores it ("07700 900 123" → "+447700900123"), or "" for none."""
    if not number:
        return ""
    parsed = phonenumbers.parse(number, REGIONS[jurisdiction])
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_AUSTRALIAN_MOBILE_DIGITS = (
    "570006 570156 570157 570158 570159 570110 570313 570737 571266 571491 571804 572549 572665 572983 "
    "573770 573087 574118 574632 575254 575789 576398 576801 577426 577644 578957 578148 578888 579212 "
    "579760 579455"
)
AUSTRALIAN_FICTIONAL_MOBILES: tuple[str, ...] = tuple(
    f"0491 {digits[:3]} {digits[3:]}" for digits in _AUSTRALIAN_MOBILE_DIGITS.split()
)


def uk_mobile(suffix: int) -> str:
    return f"07700 900 {suffix:03d}"


def uk_landline(suffix: int) -> str:
    return f"01632 960 {suffix:03d}"


def au_landline(suffix: int) -> str:
    return f"(03) 5550 {suffix:04d}"


class PhoneBook:
    """Hands out fictional numbers without repeating one, skipping those already taken (agency switchboards).

    Victoria has only thirty fictional mobile numbers: once they are used up, ``mobile()`` returns "". Numbers
    are written nationally ("07700 900 123"); practitioners store them through ``e164``.
    """

    def __init__(self, *, jurisdiction: str, rng: random.Random, taken: tuple[str, ...] = ()) -> None:
        if jurisdiction == Jurisdiction.ENGLAND:
            mobiles = [uk_mobile(n) for n in range(1000)]
            landlines = [uk_landline(n) for n in range(1000)]
        else:
            mobiles = list(AUSTRALIAN_FICTIONAL_MOBILES)
            landlines = [au_landline(n) for n in range(10000)]
        self._mobiles = self._shuffled(mobiles, taken, rng)
        self._landlines = self._shuffled(landlines, taken, rng)

    @staticmethod
    def _shuffled(numbers: list[str], taken: tuple[str, ...], rng: random.Random) -> list[str]:
        taken_numbers = set(taken)
        free = [number for number in numbers if number not in taken_numbers]
        rng.shuffle(free)
        return free

    def mobile(self) -> str:
        return self._mobiles.pop() if self._mobiles else ""

    def landline(self) -> str:
        return self._landlines.pop() if self._landlines else ""
