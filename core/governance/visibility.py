"""The one visibility policy: what a viewer may see of a client, an involvement or a team.

Every read path — pages, the API, the FHIR view, the network diagram, the dashboard, the directory,
search hits and their counts, emails and exports — asks this module, given the council's rules
(``core/governance/rules.py``), and nothing else decides. Rules are data, never ``if council == ...``.

Rules, in order:
1. **Team membership gates detail.** Only a practitioner with a *current* involvement, or one who opened
   the team by break-glass for a time, sees the team. Outside it, a client is at most a search hit (name,
   date of birth, postcode district, how many agencies are involved) — never who they are. A client whose
   consent was withdrawn is not even a hit for anyone outside the team.
2. **Sensitive services.** An involvement of an agency the council marks sensitive (its involvement is
   itself sensitive information: substance misuse, sexual health, a refuge) is seen in full by its own
   agency and by the agencies the rulebook lists for it. Anyone else — a break-glass viewer too — sees
   it as the rulebook's mode says: *hidden* (nothing, not counted), *placeholder* (only "a confidential
   service is involved" and the gateway contact: no name, agency, role or dates), or *visible with
   consent* (in full where the client's current consent covers the service, otherwise nothing).
3. **Former members hold no current role.** A previously involved practitioner keeps their role in
   the case and the dates they were involved, but is never shown as lead professional.
4. **The teams around the family** are shown as the rulebook says: in full (through rules 2 and 3),
   agencies only (no names or contacts), or not at all.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from django.db.models import Q

from core.directory.models import Agency, ApprovalState, Practitioner
from core.governance.rules import FamilyTeams, Rules, SensitiveMode
from core.governance.selectors import rules_current

PLACEHOLDER_LABEL = "A confidential service is involved"
CONFIDENTIAL_SERVICE = "A confidential service"


class Detail(Enum):
    FULL = "full"
    PLACEHOLDER = "placeholder"
    HIDDEN = "hidden"  # absent: not shown, not counted, not named


class Involvement(Protocol):
    """What the policy reads of an involvement (``core.clients.models.Involvement``). The clients app sits
    above governance and hands its involvements in; this module never imports it."""

    pk: object
    practitioner_id: object
    practitioner: Practitioner
    role: str
    is_lead: bool
    started_on: datetime.date
    ended_on: datetime.date | None
    last_contact_on: datetime.date | None
    next_contact_on: datetime.date | None
    join_reason: str


@dataclass(frozen=True)
class ConsentCover:
    """Which services shown only with consent a client's current consent covers (the clients app reads it
    from the client's consent records and hands it in)."""

    all_services: bool = False
    agency_ids: frozenset[str] = frozenset()

    def covers(self, agency_id: object) -> bool:
        return self.all_services or str(agency_id) in self.agency_ids


NO_CONSENT = ConsentCover()


@dataclass(frozen=True)
class MemberView:
    """One involvement as the viewer may see it. Placeholder views carry no identifying fields."""

    detail: Detail
    involvement_id: object | None = None
    practitioner_id: object | None = None
    name: str | None = None
    job_title: str | None = None
    agency: str | None = None
    agency_id: object | None = None
    agency_type: str | None = None
    role: str | None = None
    is_lead: bool = False
    email: str | None = None
    mobile: str | None = None
    landline: str | None = None
    preferred_contact: str | None = None
    started_on: object | None = None
    ended_on: object | None = None
    last_contact_on: object | None = None
    next_contact_on: object | None = None
    join_reason: str | None = None
    gateway_contact: str | None = None
    is_viewer: bool = False
    agency_suspended: bool = False  # the council has suspended the agency: its practitioner cannot sign in

    @property
    def is_placeholder(self) -> bool:
        return self.detail is Detail.PLACEHOLDER


@dataclass(frozen=True)
class Policy:
    """The policy for one viewer under the council's rules in force. Build it once per request
    (``policy_for``) and ask it everything; it makes no query of its own."""

    viewer: Practitioner
    rules: Rules

    # Rule 1 ------------------------------------------------------------------------------------------

    def in_team(self, involvements: Iterable[Involvement]) -> bool:
        """Over involvements already loaded for the client: does the viewer hold a current one?"""
        return any(inv.practitioner_id == self.viewer.pk and inv.ended_on is None for inv in involvements)

    def team_open(self, *, in_team: bool, break_glass: bool) -> bool:
        """May the viewer see the team: a member, or through a break-glass access still running while the
        viewer still holds a break-glass role the rules in force hold (a role taken away, or taken out of the
        rules, closes the team at once)."""
        return in_team or (break_glass and self.holds_break_glass_role())

    def holds_break_glass_role(self) -> bool:
        key = self.viewer.break_glass_role
        return bool(key) and self.rules.break_glass_role(key) is not None

    # Rule 2 ------------------------------------------------------------------------------------------

    def sees_agency_in_full(self, agency: Agency) -> bool:
        """Whether the viewer sees this agency's involvements in full whatever the client consented to."""
        if not agency.is_sensitive or agency.pk == self.viewer.agency_id:
            return True
        return str(self.viewer.agency_id) in self.rules.sensitive_service(agency.pk).seen_in_full_by

    def agency_detail(self, agency: Agency, consent: ConsentCover = NO_CONSENT) -> Detail:
        """How the viewer sees an involvement of ``agency`` for a client whose consent is ``consent``."""
        if self.sees_agency_in_full(agency):
            return Detail.FULL
        mode = self.rules.sensitive_service(agency.pk).mode
        if mode is SensitiveMode.PLACEHOLDER:
            return Detail.PLACEHOLDER
        if mode is SensitiveMode.WITH_CONSENT and consent.covers(agency.pk):
            return Detail.FULL
        return Detail.HIDDEN

    def practitioner_detail(self, practitioner: Practitioner, consent: ConsentCover = NO_CONSENT) -> Detail:
        """Rule 2 for a practitioner in a team context (activity, invitations). Needs ``agency`` loaded."""
        return self.agency_detail(practitioner.agency, consent)

    def practitioner_named(self, practitioner: Practitioner, consent: ConsentCover = NO_CONSENT) -> str | None:
        """Who did something, as the viewer may be told: "Amy Collier (Staffordshire Children's Services)",
        "A confidential service", or None when the viewer may not learn that anyone did (hidden). Needs the
        practitioner's ``user`` and ``agency`` loaded."""
        detail = self.practitioner_detail(practitioner, consent)
        if detail is Detail.HIDDEN:
            return None
        if detail is Detail.PLACEHOLDER:
            return CONFIDENTIAL_SERVICE
        return f"{practitioner.user.full_name} ({practitioner.agency.name})"

    def member_view(self, involvement: Involvement, consent: ConsentCover = NO_CONSENT) -> MemberView | None:
        """The involvement through the policy, or None when it is hidden from the viewer. Needs the
        practitioner, its user and agency loaded."""
        practitioner = involvement.practitioner
        detail = self.agency_detail(practitioner.agency, consent)
        if detail is Detail.HIDDEN:
            return None
        if detail is Detail.PLACEHOLDER:
            return MemberView(detail=Detail.PLACEHOLDER, gateway_contact=practitioner.agency.gateway_contact)
        user = practitioner.user
        return MemberView(
            detail=Detail.FULL,
            involvement_id=involvement.pk,
            practitioner_id=practitioner.pk,
            name=user.full_name,
            job_title=practitioner.job_title,
            agency=practitioner.agency.name,
            agency_id=practitioner.agency_id,
            agency_type=practitioner.agency.get_agency_type_display(),
            role=involvement.role,
            is_lead=involvement.is_lead and involvement.ended_on is None,  # rule 3
            email=user.email,
            mobile=practitioner.mobile,
            landline=practitioner.landline,
            preferred_contact=practitioner.get_preferred_contact_display(),
            started_on=involvement.started_on,
            ended_on=involvement.ended_on,
            last_contact_on=involvement.last_contact_on,
            next_contact_on=involvement.next_contact_on,
            join_reason=involvement.join_reason,
            is_viewer=practitioner.pk == self.viewer.pk,
            agency_suspended=practitioner.agency.approval_state == ApprovalState.SUSPENDED,
        )

    def members(self, involvements: Iterable[Involvement], consent: ConsentCover = NO_CONSENT) -> list[MemberView]:
        """Members through the policy: hidden ones left out, and a sensitive agency shown as a placeholder
        appears once however many of its practitioners are involved (their number is sensitive too)."""
        views: list[MemberView] = []
        placeholders: set[str | None] = set()
        for involvement in involvements:
            view = self.member_view(involvement, consent)
            if view is None:
                continue
            if view.is_placeholder:
                if view.gateway_contact in placeholders:
                    continue
                placeholders.add(view.gateway_contact)
            views.append(view)
        return views

    def agencies_named(self, agencies: Iterable[Agency], consent: ConsentCover = NO_CONSENT) -> list[str]:
        """The agencies around someone, without names or contacts of people (a family member's team when the
        rulebook shows agencies only): each agency the viewer sees in full by name, once; "A confidential
        service" once for any shown as a placeholder; hidden ones absent."""
        names: list[str] = []
        placeholder = False
        for agency in agencies:
            detail = self.agency_detail(agency, consent)
            if detail is Detail.FULL and agency.name not in names:
                names.append(agency.name)
            elif detail is Detail.PLACEHOLDER:
                placeholder = True
        return [*names, CONFIDENTIAL_SERVICE] if placeholder else names

    def agencies_counted(self, agencies: Iterable[Agency], consent: ConsentCover = NO_CONSENT) -> int:
        """How many agencies a search hit says are involved: every agency the viewer would see at all
        (in full or as a placeholder), once; hidden ones are not counted."""
        return len({agency.pk for agency in agencies if self.agency_detail(agency, consent) is not Detail.HIDDEN})

    def staff_listed_filter(self, prefix: str = "") -> Q:
        """A filter on practitioners (``prefix`` leads to the practitioner, e.g. ``"practitioner__"``): those
        whose agency's staff the viewer may see listed (phonebook, invite picker). A sensitive agency's
        staff are listed only to its own verified staff and to the agencies the rulebook lists for it:
        listing them to others would reveal who works there."""
        return self.agencies_staff_listed_filter(f"{prefix}agency__")

    def agencies_staff_listed_filter(self, prefix: str = "") -> Q:
        """The same rule as a filter on agencies (``prefix`` leads to the agency): those whose staff the
        viewer may see listed, e.g. the agencies a phonebook search may be narrowed to."""
        allowed = Q(**{f"{prefix}is_sensitive": False})
        if self.viewer.verified_at is not None:
            allowed |= Q(**{f"{prefix}pk": self.viewer.agency_id})
            listed_for_viewer = [
                agency_id
                for agency_id, service in self.rules.sensitive_services.items()
                if str(self.viewer.agency_id) in service.seen_in_full_by
            ]
            if listed_for_viewer:
                allowed |= Q(**{f"{prefix}pk__in": listed_for_viewer})
        return allowed

    def agency_staff_hidden(self, agency: Agency) -> bool:
        """On an agency's directory page: are its people hidden from the viewer?"""
        if not agency.is_sensitive:
            return False
        if self.viewer.verified_at is None:
            return True
        return not self.sees_agency_in_full(agency)

    # Rule 4 ------------------------------------------------------------------------------------------

    @property
    def family_teams(self) -> FamilyTeams:
        return self.rules.family_teams


def policy_for(viewer: Practitioner) -> Policy:
    """The policy for ``viewer`` under the rules in force (one query: the newest rulebook version)."""
    return Policy(viewer=viewer, rules=rules_current())
