"""What each page of support access shows, read in the council's schema through the council's own selectors.

Called only by ``support.services.pages`` once the grant is checked, inside the council's schema. Everything is
read into plain values here, before the schema is left, so nothing lazy reaches the page template (which renders
on the platform's side). No page reads a client: support never sees a child's record.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.accounts.models import BackupCodeDevice
from core.council.selectors import ChecklistItem, RulesShown, council_governance, council_setup_checklist, rules_shown
from core.directory.models import Practitioner
from core.directory.selectors import accounts_filtered, agencies_for_administration
from core.governance.selectors import rules_current
from tenants.models import Council

ACCOUNTS_PAGE_SIZE = 50


@dataclass(frozen=True)
class AccountRow:
    name: str
    email: str
    agency: str
    role: str
    state: str
    second_factor: str
    last_sign_in: datetime.datetime | None


@dataclass(frozen=True)
class PeoplePage:
    accounts: list[AccountRow]
    count: int
    number: int
    pages: int

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


@dataclass(frozen=True)
class AgencyRow:
    name: str
    kind: str
    state: str
    sensitive: bool
    practitioners: int


@dataclass(frozen=True)
class AgenciesPage:
    agencies: list[AgencyRow]


@dataclass(frozen=True)
class SettingsPage:
    profile: list[tuple[str, str]]
    checklist: list[ChecklistItem]
    rules: RulesShown


def _role(person: Practitioner) -> str:
    roles = []
    if person.is_council_admin:
        roles.append("Council administrator")
    if person.is_agency_manager:
        roles.append("Agency manager")
    if person.is_privacy_officer:
        roles.append("Privacy officer")
    return ", ".join(roles) or "Practitioner"


def _state(person: Practitioner, now: datetime.datetime) -> str:
    if not person.user.is_active:
        return "Deactivated"
    if person.user.locked_until and person.user.locked_until > now:
        return "Locked"
    if not person.verified_at:
        return "Not verified"
    return "Active"


def _second_factor(person: Practitioner) -> str:
    if person.has_authenticator:  # type: ignore[attr-defined]
        return "Authenticator app"
    if person.has_backup_codes:  # type: ignore[attr-defined]
        return "Backup codes only"
    return "Not set up"


def people_page(*, number: object, now: datetime.datetime) -> PeoplePage:
    """The council's accounts, a page at a time (a large council has 20,000): two queries, whatever the page."""
    people = accounts_filtered(Practitioner.objects.select_related("user", "agency"), now=now).annotate(
        has_authenticator=Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)),
        has_backup_codes=Exists(BackupCodeDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)),
    )
    page = Paginator(people, ACCOUNTS_PAGE_SIZE).get_page(number)
    return PeoplePage(
        accounts=[
            AccountRow(
                name=person.user.full_name,
                email=person.user.email,
                agency=person.agency.name,
                role=_role(person),
                state=_state(person, now),
                second_factor=_second_factor(person),
                last_sign_in=person.user.last_login,
            )
            for person in page.object_list
        ],
        count=page.paginator.count,
        number=page.number,
        pages=page.paginator.num_pages,
    )


def agencies_page() -> AgenciesPage:
    """Every agency of the council with its state and how many practitioners it has: one query."""
    return AgenciesPage(
        agencies=[
            AgencyRow(
                name=agency.name,
                kind=agency.get_agency_type_display(),
                state=agency.get_approval_state_display(),
                sensitive=agency.is_sensitive,
                practitioners=agency.practitioner_count,  # type: ignore[attr-defined]
            )
            for agency in agencies_for_administration()
        ]
    )


def settings_page(*, council: Council) -> SettingsPage:
    """The council's profile, its set-up checklist and its rules in words: a handful of queries."""
    governance = council_governance()
    profile = [
        ("Name", council.name),
        ("Status", council.get_status_display()),
        ("Jurisdiction", council.get_jurisdiction_display()),
        ("Time zone", council.time_zone),
        ("Header colour", council.brand_colour),
        ("Support contact", governance.support_contact or "Not given"),
        ("DPIA reference", governance.dpia_reference or "Not given"),
        ("Data Protection Officer", governance.dpo_name or "Not given"),
    ]
    return SettingsPage(
        profile=profile,
        checklist=list(council_setup_checklist().items),
        rules=rules_shown(rules_current()),
    )
