"""Names with realistic frequencies: common surnames are common, the long tail comes from Faker.

Frequencies are rounded from published surname counts (ONS for England and Wales; Australian surname
rankings, with the Vietnamese names common in inner Melbourne). First names follow the birth cohort:
children get the names of the 2010s and 2020s; adults those of the 1980s and 1990s, or Faker's.
"""

import random
from dataclasses import dataclass

from faker import Faker

from tenants.jurisdictions import Jurisdiction


def _names(text: str) -> tuple[str, ...]:
    """("Olivia", "Amelia", ...) from "Olivia Amelia ..."."""
    return tuple(text.split())


def _counts(text: str) -> dict[str, int]:
    """{"Smith": 126, ...} from "Smith 126, Jones 76, ..."."""
    pairs = (item.rsplit(" ", 1) for item in text.split(","))
    return {name.strip(): int(count) for name, count in pairs}


# Surname: occurrences per 10,000 people (approximate).
SURNAMES: dict[str, dict[str, int]] = {
    Jurisdiction.ENGLAND: _counts(
        "Smith 126, Jones 76, Williams 67, Taylor 50, Brown 48, Davies 44, Evans 33, Wilson 31, Thomas 30, "
        "Johnson 29, Roberts 28, Robinson 24, Thompson 24, Wright 24, Walker 23, White 22, Edwards 22, Hughes 22, "
        "Green 21, Hall 21, Lewis 20, Harris 20, Clarke 20, Patel 19, Jackson 19, Wood 18, Turner 17, Martin 17, "
        "Cooper 17, Hill 17, Ward 16, Morris 16, Moore 16, Clark 16, Lee 15, King 15, Baker 15, Harrison 15, "
        "Morgan 14, Allen 14"
    ),
    Jurisdiction.VICTORIA: _counts(
        "Smith 90, Nguyen 60, Jones 44, Williams 43, Brown 42, Wilson 38, Taylor 37, Tran 35, Johnson 29, "
        "Martin 28, White 27, Anderson 27, Le 26, Walker 26, Thompson 26, Thomas 25, Lee 25, Ryan 24, Kelly 23, "
        "King 22, Harris 22, Robinson 22, Campbell 21, Pham 20, Mitchell 20, Young 20, Murphy 19, Hall 19, "
        "Wright 18, Roberts 18, Ali 18, Edwards 18, Evans 17, Mohamed 17, Green 17, Turner 16, Hughes 16, "
        "Scott 15, Papadopoulos 15, Nguyen-Tran 4"
    ),
}

CHILD_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    Jurisdiction.ENGLAND: {
        "F": _names(
            "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Sophia Grace Freya Poppy Evie Ella Willow Emily Rosie "
            "Millie Sienna Harper Ruby Daisy Florence Isabelle Phoebe Matilda Elsie Chloe Jessica Sophie Maisie "
            "Lola Ellie Layla Maya Eva Scarlett Hallie Aria Esme"
        ),
        "M": _names(
            "Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Jack Charlie Freddie Theo Alfie Jacob "
            "Thomas Riley Logan Tommy Kai Mason Joshua James William Ethan Isaac Lucas Alexander Teddy Jaxon Reggie "
            "Finley Max Louie Harrison Dylan Reuben Albie Jenson"
        ),
    },
    Jurisdiction.VICTORIA: {
        "F": _names(
            "Charlotte Olivia Amelia Isla Mia Ava Grace Matilda Harper Chloe Zoe Ruby Sophie Willow Evie Aaliyah "
            "Mai Layla Hana Sienna Ella Isabella Georgia Lily Ivy Evelyn Hazel Frankie Alice Stella Audrey Maya "
            "Sophia Mila Zara Ayla Emily Lucy Scarlett Eliza"
        ),
        "M": _names(
            "Oliver Noah Jack William Leo Lucas Thomas Henry Charlie Hudson Mason Ethan Liam Kai Minh Yusuf Archie "
            "Lachlan Jayden Cooper Harrison James Theodore Hunter Xavier Isaac Max Levi Harvey Oscar Samuel "
            "Alexander Angus Hamish Riley Jacob Benjamin Leon Khoa Omar"
        ),
    },
}

ADULT_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    Jurisdiction.ENGLAND: {
        "F": _names(
            "Sarah Emma Laura Gemma Kelly Stacey Amy Rebecca Danielle Claire Jade Leanne Hayley Natalie Kirsty "
            "Lauren Charlotte Jodie"
        ),
        "M": _names(
            "Daniel James Lee Craig Matthew Christopher Ryan Carl Wayne Jamie Liam Mark Dean Scott Ashley Adam Gary "
            "Stuart"
        ),
    },
    Jurisdiction.VICTORIA: {
        "F": _names(
            "Jessica Sarah Emma Rebecca Amy Kate Melissa Nicole Lauren Stephanie Michelle Rachel Thi Amina Fatima "
            "Hoa Tegan Brooke"
        ),
        "M": _names(
            "Matthew Daniel Michael Andrew James Joshua Luke Ben Nathan Ryan Adam Jason Duc Abdi Hassan Nick Shane "
            "Brendan"
        ),
    },
}


@dataclass(frozen=True)
class Name:
    first_name: str
    surname: str
    sex: str  # "F" or "M": only to pick a first name and "mother"/"father"; not stored


class NameMaker:
    """Deterministic names for one jurisdiction."""

    COMMON_SHARE = 0.35  # surnames drawn from the weighted top 40; the rest from Faker's long tail
    FAKER_FIRST_NAME_SHARE = 0.3  # adults only: Faker's first names belong to older generations

    def __init__(self, *, jurisdiction: str, rng: random.Random, faker: Faker) -> None:
        self.rng = rng
        self.faker = faker
        self.surnames = tuple(SURNAMES[jurisdiction])
        self.surname_weights = tuple(SURNAMES[jurisdiction].values())
        self.child_names = CHILD_NAMES[jurisdiction]
        self.adult_names = ADULT_NAMES[jurisdiction]

    def sex(self) -> str:
        return self.rng.choice("FM")

    def surname(self) -> str:
        if self.rng.random() < self.COMMON_SHARE:
            return self.rng.choices(self.surnames, weights=self.surname_weights)[0]
        return self.faker.last_name()

    def first_name(self, sex: str, *, adult: bool) -> str:
        if not adult:
            return self.rng.choice(self.child_names[sex])
        if self.rng.random() < self.FAKER_FIRST_NAME_SHARE:
            return self.faker.first_name_female() if sex == "F" else self.faker.first_name_male()
        return self.rng.choice(self.adult_names[sex])

    def person(self, *, adult: bool, sex: str | None = None, surname: str | None = None) -> Name:
        sex = sex or self.sex()
        return Name(self.first_name(sex, adult=adult), surname or self.surname(), sex)


def email_local_part(first_name: str, surname: str) -> str:
    """``firstname.surname``, lower case, letters, digits and hyphens only ("O'Brien" → "obrien")."""

    def clean(part: str) -> str:
        return "".join(
            char for char in part.lower().replace(" ", "-") if char.isascii() and (char.isalnum() or char == "-")
        )

    return f"{clean(first_name)}.{clean(surname)}"
