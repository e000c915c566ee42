"""The council's agencies and the practitioners who work for them, built in memory (saved by populate)."""

import datetime
import random
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from core.accounts.models import User
from core.directory.models import Agency, ApprovalState, ContactMethod, Practitioner
from demo.jobs import Job, Workforce, workforce
from demo.people import NameMaker, email_local_part
from demo.phones import PhoneBook, e164
from demo.places import AgencySpec, DemoPerson, Place
from tenants.jurisdictions import defaults_for

MOBILE_FIRST_KINDS = frozenset({"police-neighbourhood", "police-protection", "fire", "youth"})


@dataclass
class Staff:
    """A practitioner being built, with what the planner needs to know about their work."""

    user: User
    practitioner: Practitioner
    spec: AgencySpec
    workforce: Workforce
    job: Job
    demo: DemoPerson | None = None

    @property
    def is_manager(self) -> bool:
        return self.practitioner.is_agency_manager

    @property
    def load(self) -> float:
        """How much of the agency's casework this person carries, relative to colleagues."""
        if self.demo and self.demo.is_council_admin:
            return 0.0
        return 0.1 if self.is_manager else 1.0


def build_agencies(place: Place) -> dict[str, Agency]:
    return {
        spec.key: Agency(
            name=spec.name,
            agency_type=spec.agency_type,
            services=spec.services,
            contact_email=f"{spec.mailbox}@{spec.domain}",
            contact_phone=spec.phone,
            email_domains=[spec.domain],
            is_sensitive=spec.is_sensitive,
            gateway_contact=spec.gateway_contact,
            approval_state=ApprovalState.APPROVED,
        )
        for spec in place.agencies
    }


def demo_email(person: DemoPerson, place: Place) -> str:
    domain = next(spec.domain for spec in place.agencies if spec.key == person.agency)
    return f"{email_local_part(person.first_name, person.last_name)}@{domain}"


class StaffBuilder:
    def __init__(
        self,
        *,
        place: Place,
        agencies: dict[str, Agency],
        rng: random.Random,
        names: NameMaker,
        password_hash: str,
        today: datetime.date,
    ) -> None:
        self.place = place
        self.agencies = agencies
        self.rng = rng
        self.names = names
        self.password_hash = password_hash
        self.today = today
        self.time_zone = zoneinfo.ZoneInfo(defaults_for(place.jurisdiction).time_zone)
        self.emails: set[str] = {demo_email(person, place) for person in place.people}

    def build(self) -> list[Staff]:
        staff: list[Staff] = []
        for spec in self.place.agencies:
            force = workforce(self.place.jurisdiction, spec.kind)
            demos = [person for person in self.place.people if person.agency == spec.key]
            members = [self._demo(person, spec, force) for person in demos]
            needs_manager = not any(person.is_agency_manager for person in demos)
            while len(members) < spec.staff:
                job = force.manager if needs_manager else self.rng.choice(force.staff)
                members.append(self._generated(spec, force, job, is_manager=needs_manager))
                needs_manager = False
            staff.extend(members)
        self._phone(staff)
        return staff

    def _demo(self, person: DemoPerson, spec: AgencySpec, force: Workforce) -> Staff:
        user = self._user(person.first_name, person.last_name, demo_email(person, self.place))
        practitioner = self._practitioner(user, spec, force, person.job_title)
        practitioner.is_agency_manager = person.is_agency_manager
        practitioner.is_council_admin = person.is_council_admin
        return Staff(user, practitioner, spec, force, Job(person.job_title, person.role), demo=person)

    def _generated(self, spec: AgencySpec, force: Workforce, job: Job, *, is_manager: bool) -> Staff:
        while True:
            name = self.names.person(adult=True)
            email = f"{email_local_part(name.first_name, name.surname)}@{spec.domain}"
            if email not in self.emails:
                break
        self.emails.add(email)
        user = self._user(name.first_name, name.surname, email)
        practitioner = self._practitioner(user, spec, force, job.title)
        practitioner.is_agency_manager = is_manager
        return Staff(user, practitioner, spec, force, job)

    def _user(self, first_name: str, last_name: str, email: str) -> User:
        return User(email=email.lower(), first_name=first_name, last_name=last_name, password=self.password_hash)

    def _practitioner(self, user: User, spec: AgencySpec, force: Workforce, job_title: str) -> Practitioner:
        expertise = self.rng.sample(force.expertise, k=self.rng.randint(1, min(3, len(force.expertise))))
        return Practitioner(
            user=user,
            agency=self.agencies[spec.key],
            job_title=job_title,
            expertise=", ".join(expertise),
            availability=self.rng.choice(force.availability),
            verified_at=self._verified_at(),
        )

    def _verified_at(self) -> datetime.datetime:
        day = self.today - datetime.timedelta(days=self.rng.randint(20, 700))
        time = datetime.time(self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45)))
        return timezone.make_aware(datetime.datetime.combine(day, time), self.time_zone)

    def _phone(self, staff: list[Staff]) -> None:
        """Phones and preferred contact; demo people first, so they get a mobile even where numbers are few."""
        taken = tuple(spec.phone for spec in self.place.agencies)
        phones = PhoneBook(jurisdiction=self.place.jurisdiction, rng=self.rng, taken=taken)
        for member in sorted(staff, key=lambda member: member.demo is None):
            practitioner = member.practitioner
            mobile_first = member.spec.kind in MOBILE_FIRST_KINDS
            if member.demo or self.rng.random() < (0.9 if mobile_first else 0.6):
                practitioner.mobile = e164(phones.mobile(), jurisdiction=self.place.jurisdiction)
            if self.rng.random() < (0.4 if mobile_first else 0.8) or not practitioner.mobile:
                practitioner.landline = e164(phones.landline(), jurisdiction=self.place.jurisdiction)
            practitioner.preferred_contact = self._preferred(practitioner, mobile_first=mobile_first)

    def _preferred(self, practitioner: Practitioner, *, mobile_first: bool) -> str:
        methods = [ContactMethod.EMAIL]
        weights = [4.0]
        if practitioner.mobile:
            methods.append(ContactMethod.MOBILE)
            weights.append(8.0 if mobile_first else 4.0)
        if practitioner.landline:
            methods.append(ContactMethod.LANDLINE)
            weights.append(2.0)
        return self.rng.choices(methods, weights=weights)[0]
