"""Who works with whom: the team around each client, planned in memory within the database's rules.

At most one current involvement per client and practitioner (``one_current_involvement``), at most one
current lead professional per client (``one_current_lead``), and ended involvements end after they start.
Siblings mostly share their family-facing workers (the same social worker for the whole household).
"""

import datetime
import random
from dataclasses import dataclass

from core.clients.models import Involvement
from demo.households import Person
from demo.jobs import ADULT, age_band
from demo.staff import Staff

# Why a practitioner joined a team, by how senior their workforce is in the case (0: anyone; 1, 2: leads).
JOIN_REASONS: dict[int, tuple[str, ...]] = {
    0: (
        "Referred by the school",
        "Referral from the family's GP",
        "Concerns raised at a team around the family meeting",
        "Asked to join by the lead professional",
        "Self-referral",
        "Follow-up after an incident",
    ),
    1: ("Child protection enquiry (section 47)", "Child in need assessment", "Allocated after a strategy meeting"),
    2: ("Early help assessment agreed with the family", "Step-down from children's social care"),
}

FAMILY_KINDS = frozenset(
    {
        "social-care",
        "child-protection",
        "early-help",
        "family-services",
        "family-support",
        "housing",
        "public-housing",
        "health-visiting",
        "maternal-child-health",
    }
)
SAME_AGENCY_PENALTY = 0.1

CHILD_TEAM_SIZES = ((0, 1, 2, 3, 4, 5, 6), (4, 14, 24, 24, 16, 11, 7))
ADULT_TEAM_SIZES = ((0, 1, 2, 3), (25, 40, 25, 10))
CHILD_ENDED = ((0, 1, 2, 3), (35, 35, 20, 10))
ADULT_ENDED = ((0, 1, 2), (60, 30, 10))


@dataclass
class Planned:
    person: Person
    staff: Staff
    involvement: Involvement

    @property
    def is_current(self) -> bool:
        return self.involvement.ended_on is None


class TeamPlanner:
    def __init__(self, *, rng: random.Random, staff: list[Staff], today: datetime.date) -> None:
        self.rng = rng
        self.staff = staff
        self.today = today
        kind_counts: dict[str, int] = {}
        agency_loads: dict[str, float] = {}
        for member in staff:
            agency_loads[member.spec.key] = agency_loads.get(member.spec.key, 0.0) + member.load
        for spec in {member.spec.key: member.spec for member in staff}.values():
            kind_counts[spec.kind] = kind_counts.get(spec.kind, 0) + 1
        self._share = {
            id(member): member.load / agency_loads[member.spec.key] / kind_counts[member.spec.kind]
            if agency_loads[member.spec.key]
            else 0.0
            for member in staff
        }
        self.planned: list[Planned] = []
        self._current: dict[int, list[Planned]] = {}  # id(person) → current involvements
        self._household_workers: dict[tuple[int, str], Staff] = {}

    # Planning ---------------------------------------------------------------------------------------------

    def plan(self, people: list[Person], *, big_teams: int) -> list[Planned]:
        children = [person for person in people if 5 <= person.age < 18]
        big = {id(person) for person in self.rng.sample(children, k=min(big_teams, len(children)))}
        for person in people:
            adult = age_band(person.age) == ADULT
            if id(person) in big:
                size = self.rng.randint(10, 15)
            else:
                size = self._draw(ADULT_TEAM_SIZES if adult else CHILD_TEAM_SIZES)
            current = self._pick(person, size, exclude=[])
            for member in current:
                self._add(person, member, current=True)
            history = 0 if self._days_old(person) < 90 else self._draw(ADULT_ENDED if adult else CHILD_ENDED)
            ended = self._pick(person, history, exclude=current)
            for member in ended:
                self._add(person, member, current=False)
            self._choose_lead(person)
        return self.planned

    def _days_old(self, person: Person) -> int:
        return (self.today - person.client.date_of_birth).days

    def _draw(self, sizes: tuple[tuple[int, ...], tuple[int, ...]]) -> int:
        return self.rng.choices(sizes[0], weights=sizes[1])[0]

    def _weight(self, person: Person, member: Staff) -> float:
        return member.workforce.reaches(person.age) * self._share[id(member)]

    def _pick(self, person: Person, count: int, *, exclude: list[Staff]) -> list[Staff]:
        chosen: list[Staff] = []
        agencies: set[str] = set()
        taken = {id(member) for member in exclude}
        while len(chosen) < count:
            candidates: list[Staff] = []
            weights: list[float] = []
            for member in self.staff:
                weight = self._weight(person, member)
                if weight <= 0 or id(member) in taken:
                    continue
                if member.spec.key in agencies:
                    weight *= SAME_AGENCY_PENALTY
                candidates.append(member)
                weights.append(weight)
            if not candidates:
                break
            member = self._household_worker(person, self.rng.choices(candidates, weights=weights)[0], taken)
            chosen.append(member)
            taken.add(id(member))
            agencies.add(member.spec.key)
        return chosen

    def _household_worker(self, person: Person, member: Staff, taken: set[int]) -> Staff:
        """Siblings mostly see the same family-facing worker from an agency."""
        if person.household is None or member.spec.kind not in FAMILY_KINDS:
            return member
        key = (person.household, member.spec.key)
        usual = self._household_workers.setdefault(key, member)
        if id(usual) not in taken and self._weight(person, usual) > 0 and self.rng.random() < 0.8:
            return usual
        return member

    def _add(self, person: Person, member: Staff, *, current: bool, is_lead: bool = False) -> Planned:
        rng = self.rng
        born = person.client.date_of_birth
        earliest = max(born, self.today - datetime.timedelta(days=(3 if current else 5) * 365))
        if current:
            started = self._between(earliest, self.today - datetime.timedelta(days=3))
            ended = None
            recent = max(started, self.today - datetime.timedelta(days=90))
            last = self._between(recent, self.today - datetime.timedelta(days=1)) if rng.random() < 0.9 else None
            upcoming = self.today + datetime.timedelta(days=rng.randint(1, 42)) if rng.random() < 0.5 else None
        else:
            started = self._between(earliest, self.today - datetime.timedelta(days=60))
            ended = self._between(started + datetime.timedelta(days=14), self.today - datetime.timedelta(days=7))
            last = self._between(started, ended)
            upcoming = None
            is_lead = is_lead or (member.workforce.lead_rank in (1, 2) and rng.random() < 0.3)
        reasons = JOIN_REASONS.get(member.workforce.lead_rank, JOIN_REASONS[0])
        involvement = Involvement(
            client=person.client,
            practitioner=member.practitioner,
            role=member.job.role,
            join_reason=reasons[len(self.planned) % len(reasons)],  # not drawn from rng: the rest stays as seeded
            is_lead=is_lead,
            started_on=started,
            ended_on=ended,
            last_contact_on=last,
            next_contact_on=upcoming,
        )
        planned = Planned(person, member, involvement)
        self.planned.append(planned)
        if current:
            self._current.setdefault(id(person), []).append(planned)
        return planned

    def _between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        """A day from ``first`` to ``last``; ``first`` when the range is empty (a very young baby)."""
        return first + datetime.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def _choose_lead(self, person: Person) -> None:
        current = self._current.get(id(person), [])
        leaders = [planned for planned in current if planned.staff.workforce.lead_rank]
        if not leaders:
            return
        adult = age_band(person.age) == ADULT
        chance = 0.35 if adult else (0.8 if len(current) >= 2 else 0.25)
        if self.rng.random() >= chance:
            return
        best = min(leaders, key=lambda planned: (planned.staff.is_manager, planned.staff.workforce.lead_rank))
        best.involvement.is_lead = True

    # Guarantees -------------------------------------------------------------------------------------------

    def ensure_teams(self, member: Staff, people: list[Person], *, teams: int, leads: int) -> None:
        """Put ``member`` into at least ``teams`` teams, lead professional in at least ``leads`` of them."""
        mine = [planned for planned in self.planned if planned.staff is member and planned.is_current]
        candidates = [
            person
            for person in people
            if member.workforce.reaches(person.age)
            and not any(planned.staff.spec.key == member.spec.key for planned in self._current.get(id(person), []))
        ]
        self.rng.shuffle(candidates)
        for person in candidates[: max(0, teams - len(mine))]:
            mine.append(self._add(person, member, current=True, is_lead=not self._lead_of(person) and leads > 0))
        self._ensure_leads(mine, leads)

    def _ensure_leads(self, mine: list[Planned], leads: int) -> None:
        missing = leads - sum(planned.involvement.is_lead for planned in mine)
        for planned in mine:
            if missing <= 0:
                return
            if planned.involvement.is_lead:
                continue
            current_lead = self._lead_of(planned.person)
            if current_lead and current_lead.staff.demo:
                continue  # another demo account's lead stays theirs
            if current_lead:
                current_lead.involvement.is_lead = False
            planned.involvement.is_lead = True
            missing -= 1

    def ensure_agency(self, members: list[Staff], people: list[Person], *, minimum: int) -> None:
        """At least ``minimum`` current involvements for an agency, shared among its caseworkers."""
        keys = {member.spec.key for member in members}
        count = sum(1 for planned in self.planned if planned.is_current and planned.staff.spec.key in keys)
        workers = [member for member in members if not member.is_manager] or members
        candidates = [
            person
            for person in people
            if workers[0].workforce.reaches(person.age)
            and not any(planned.staff.spec.key in keys for planned in self._current.get(id(person), []))
        ]
        self.rng.shuffle(candidates)
        for index, person in enumerate(candidates[: max(0, minimum - count)]):
            self._add(person, workers[index % len(workers)], current=True)

    def _lead_of(self, person: Person) -> Planned | None:
        return next((planned for planned in self._current.get(id(person), []) if planned.involvement.is_lead), None)
