"""Addresses in a place's own style: "Flat 3, 27 Dimbles Lane" and WS13 6AB, or "4/112 Hoddle Street" and 3066."""

import random
from dataclasses import dataclass

from demo.places import Place, Town
from tenants.jurisdictions import Jurisdiction

# Letters used in the inward part of UK postcodes (never C, I, K, M, O or V).
UK_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Address:
    line: str
    town: str
    postcode: str


def uk_postcode(rng: random.Random, district: str) -> str:
    return f"{district} {rng.randrange(10)}{rng.choice(UK_INWARD_LETTERS)}{rng.choice(UK_INWARD_LETTERS)}"


def address(rng: random.Random, place: Place) -> Address:
    town: Town = rng.choices(place.towns, weights=[town.weight for town in place.towns])[0]
    street = rng.choice(town.streets)
    number = rng.randint(1, 160)
    postcode = rng.choice(town.postcodes)
    if place.jurisdiction == Jurisdiction.ENGLAND:
        line = f"Flat {rng.randint(1, 12)}, {number} {street}" if rng.random() < 0.2 else f"{number} {street}"
        postcode = uk_postcode(rng, postcode)
    else:
        line = f"{rng.randint(1, 40)}/{number} {street}" if rng.random() < 0.3 else f"{number} {street}"
    if town.area:
        line = f"{line}, {town.area}"
    return Address(line, town.name, postcode)
