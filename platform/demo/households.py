"""Clients and the households they live in, built in memory (saved by populate).

Most clients are children; the adults are their parents and carers. A household shares a surname and an
address, mostly: a child may carry the other parent's surname, a partner may have kept their own.
"""

import datetime
import random
from dataclasses import dataclass, field

from core.clients.models import Client, ClientAlias, Family, FamilyMember
from core.governance.models import LegalBasis
from demo.addresses import Address, address
from demo.identifiers import local_case_id, nhs_number, unique_pupil_number
from demo.people import Name, NameMaker
from demo.places import Place
from tenants.jurisdictions import Jurisdiction

Relationship = FamilyMember.Relationship

# How much older than the oldest child the head of the household is, by their relationship.
HEAD_AGE_GAPS = {Relationship.PARENT: (18, 36), Relationship.CARER: (22, 45), Relationship.GRANDPARENT: (40, 55)}


@dataclass
class Person:
    client: Client
    age: int
    sex: str
    household: int | None = None  # index into Households.families
    relationship: str = ""


@dataclass
class Households:
    people: list[Person] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    members: list[FamilyMember] = field(default_factory=list)
    aliases: list[ClientAlias] = field(default_factory=list)


class HouseholdBuilder:
    CONSENT_SHARE = 0.4
    NHS_NUMBER_SHARE = 0.7
    UPN_SHARE = 0.6
    CASE_ID_SHARE = 0.5
    ALIAS_SHARE = 0.05

    def __init__(
        self,
        *,
        place: Place,
        rng: random.Random,
        names: NameMaker,
        legal_bases: list[LegalBasis],
        today: datetime.date,
    ) -> None:
        accepted = [basis for basis in legal_bases if basis.is_accepted]
        if not accepted:
            raise RuntimeError("The council accepts no legal basis; install its governance defaults first.")
        self.place = place
        self.rng = rng
        self.names = names
        self.today = today
        self.consent_bases = [basis for basis in accepted if basis.requires_consent]
        self.statutory_bases = [basis for basis in accepted if not basis.requires_consent] or self.consent_bases
        self.nhs_numbers: set[str] = set()
        self.result = Households()

    def build(self, *, clients: int, families: int) -> Households:
        for _ in range(families):
            self._household()
        while len(self.result.people) < clients:
            self._on_their_own()
        self._more_previous_names()
        return self.result

    def _more_previous_names(self) -> None:
        """About one client in twenty has another name on record; mostly women's names before marriage."""
        named = {id(alias.client) for alias in self.result.aliases}
        women = [p for p in self.result.people if p.age >= 18 and p.sex == "F" and id(p.client) not in named]
        self.rng.shuffle(women)
        missing = round(self.ALIAS_SHARE * len(self.result.people)) - len(self.result.aliases)
        for person in women[: max(0, missing)]:
            self._alias(person, self.names.surname())

    # Households -----------------------------------------------------------------------------------------

    def _household(self) -> None:
        rng = self.rng
        index = len(self.result.families)
        surname = self.names.surname()
        home = address(rng, self.place)
        family = Family(name=f"{surname} household")
        self.result.families.append(family)

        child_ages = self._child_ages(rng.choices((1, 2, 3, 4), weights=(20, 35, 28, 17))[0])
        oldest = child_ages[0]
        head_relationship = rng.choices(
            (Relationship.PARENT, Relationship.CARER, Relationship.GRANDPARENT), weights=(82, 8, 10)
        )[0]
        youngest_gap, oldest_gap = HEAD_AGE_GAPS[head_relationship]
        head_age = oldest + rng.randint(youngest_gap, oldest_gap)
        head_sex = "F" if rng.random() < 0.85 else "M"
        head = self._add(
            self.names.person(adult=True, sex=head_sex, surname=surname),
            head_age,
            home,
            index,
            head_relationship,
        )
        partner: Person | None = None
        if rng.random() < 0.1:
            same_name = rng.random() < 0.6
            partner_sex = ("M" if head_sex == "F" else "F") if rng.random() < 0.9 else head_sex
            name = self.names.person(adult=True, sex=partner_sex, surname=surname if same_name else None)
            both_parents = head_relationship == Relationship.PARENT and rng.random() < 0.6
            relationship = Relationship.PARENT if both_parents else Relationship.PARTNER
            partner = self._add(name, max(18, head_age + rng.randint(-6, 6)), home, index, relationship)
            if same_name and head_sex == "F" and rng.random() < 0.6:
                self._alias(head, self.names.surname())
        elif head_sex == "F" and rng.random() < 0.18:
            self._alias(head, self.names.surname())

        other_surname = self.names.surname()
        for position, age in enumerate(child_ages):
            differs = rng.random() < 0.15
            name = self.names.person(adult=False, surname=other_surname if differs else surname)
            lives_here = age < 16 or rng.random() < 0.9
            relationship = Relationship.SIBLING if position and rng.random() < 0.15 else Relationship.CHILD
            child = self._add(name, age, home if lives_here else address(rng, self.place), index, relationship)
            if differs and rng.random() < 0.3:
                self._alias(child, surname)
            self._consent(child, giver=self._giver(head, partner))
        self._consent(head, giver="the client")
        if partner:
            self._consent(partner, giver="the client")

    def _child_ages(self, count: int) -> list[int]:
        ages = [self.rng.randint(0, 17)]
        while len(ages) < count and ages[-1] > 0:
            ages.append(max(0, ages[-1] - self.rng.randint(1, 4)))
        return ages

    def _giver(self, head: Person, partner: Person | None) -> str:
        adult = partner if partner and self.rng.random() < 0.3 else head
        if adult.relationship == Relationship.PARENT:
            return "mother" if adult.sex == "F" else "father"
        return "carer"

    def _on_their_own(self) -> None:
        """A child known to services without a household on record (or an older sibling living elsewhere)."""
        rng = self.rng
        band = rng.choices(((0, 4), (5, 10), (11, 17)), weights=(15, 25, 60))[0]
        age = rng.randint(*band)
        child = self._add(self.names.person(adult=False), age, address(rng, self.place), None, "")
        if age >= 12 and rng.random() < 0.04:
            self._alias(child, child.client.surname, first_name=self.names.first_name(child.sex, adult=False))
        self._consent(child, giver=rng.choices(("mother", "father", "carer"), weights=(60, 15, 25))[0])

    # Clients ----------------------------------------------------------------------------------------------

    def _add(self, name: Name, age: int, home: Address, household: int | None, relationship: str) -> Person:
        client = Client(
            first_name=name.first_name,
            surname=name.surname,
            date_of_birth=self._born(age),
            address_line=home.line,
            town=home.town,
            postcode=home.postcode,
        )
        self._identifiers(client, age)
        person = Person(client, age, name.sex, household, relationship)
        self.result.people.append(person)
        if household is not None:
            family = self.result.families[household]
            self.result.members.append(FamilyMember(family=family, client=client, relationship=relationship))
        return person

    def _born(self, age: int) -> datetime.date:
        """A date of birth that makes the person ``age`` today, never in the last fortnight."""
        latest = self._years_before(age) if age else self.today - datetime.timedelta(days=14)
        earliest = self._years_before(age + 1) + datetime.timedelta(days=1)
        return earliest + datetime.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def _years_before(self, years: int) -> datetime.date:
        return self.today.replace(year=self.today.year - years)

    def _identifiers(self, client: Client, age: int) -> None:
        rng = self.rng
        if self.place.jurisdiction == Jurisdiction.ENGLAND:
            if rng.random() < self.NHS_NUMBER_SHARE:
                number = nhs_number(rng)
                while number in self.nhs_numbers:
                    number = nhs_number(rng)
                self.nhs_numbers.add(number)
                client.nhs_number = number
            if 5 <= age < 18 and rng.random() < self.UPN_SHARE:
                started_school = self.today.year - (age - 4)
                client.unique_pupil_number = unique_pupil_number(
                    rng, la_code=self.place.la_code, year_allocated=started_school
                )
        if rng.random() < self.CASE_ID_SHARE:
            client.local_case_id = local_case_id(rng, prefix=self.place.case_id_prefix)

    def _alias(self, person: Person, surname: str, *, first_name: str = "") -> None:
        kind = ClientAlias.Kind.ALIAS if first_name else ClientAlias.Kind.PREVIOUS
        if surname == person.client.surname and not first_name:
            return
        self.result.aliases.append(
            ClientAlias(
                client=person.client, first_name=first_name or person.client.first_name, surname=surname, kind=kind
            )
        )

    def _consent(self, person: Person, *, giver: str) -> None:
        """The legal basis the record is held on; with consent, who gave it and when."""
        rng = self.rng
        client = person.client
        if self.consent_bases and rng.random() < self.CONSENT_SHARE:
            client.legal_basis = rng.choice(self.consent_bases)
            client.consent_given_by = "the client" if person.age >= 13 and rng.random() < 0.3 else giver
            earliest = max(client.date_of_birth, self.today - datetime.timedelta(days=3 * 365))
            client.consent_given_on = earliest + datetime.timedelta(
                days=rng.randint(0, max(0, (self.today - earliest).days - 1))
            )
        else:
            weights = [70, *[30] * (len(self.statutory_bases) - 1)]
            client.legal_basis = rng.choices(self.statutory_bases, weights=weights)[0]
