"""The one visibility policy: what a viewer may see of a client, an involvement or a team.

Every read path — pages, the API, emails, exports, the FHIR view — asks this module, and nothing
else decides. Council rules plug in here as data (today: which agencies are sensitive, and their
gateway contact), never as ``if council == ...``.

Rules, in order:
1. **Team membership gates detail.** Only a practitioner with a *current* involvement sees the team.
   Outside it, a client is at most a search hit (name, date of birth, postcode district, how many
   agencies are involved) — never who they are.
2. **Sensitive involvements.** An involvement of an agency the council marks sensitive (its
   involvement is itself sensitive information: substance misuse, sexual health, a refuge) is shown
   to practitioners of other agencies only as a placeholder with the agency's gateway contact:
   no name, no agency name, no role, no dates.
3. **Former members hold no current role.** A previously involved practitioner keeps their role in
   the case and the dates they were involved, but is never shown as lead professional.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from core.directory.models import ApprovalState, Practitioner

PLACEHOLDER_LABEL = "A confidential service is involved"


class Detail(Enum):
    FULL = "full"
    PLACEHOLDER = "placeholder"


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


def viewer_in_team(*, viewer: Practitioner, involvements: Iterable[Involvement]) -> bool:
    """Rule 1, over involvements already loaded for the client."""
    return any(inv.practitioner_id == viewer.pk and inv.ended_on is None for inv in involvements)


def practitioner_detail(*, viewer: Practitioner, practitioner: Practitioner) -> Detail:
    """Rule 2 for a practitioner in a team context (activity, invitations). Needs ``agency`` loaded."""
    agency = practitioner.agency
    if agency.is_sensitive and agency.pk != viewer.agency_id:
        return Detail.PLACEHOLDER
    return Detail.FULL


CONFIDENTIAL_SERVICE = "A confidential service"


def practitioner_named(*, viewer: Practitioner, practitioner: Practitioner) -> str:
    """Who did something, as the viewer may be told: "Amy Collier (Staffordshire Children's Services)", or
    "A confidential service" for a sensitive agency's practitioner seen from outside it (rule 2). Needs the
    practitioner's ``user`` and ``agency`` loaded."""
    if practitioner_detail(viewer=viewer, practitioner=practitioner) is Detail.PLACEHOLDER:
        return CONFIDENTIAL_SERVICE
    return f"{practitioner.user.full_name} ({practitioner.agency.name})"


def involvement_detail(*, viewer: Practitioner, involvement: Involvement) -> Detail:
    """Rule 2. Needs ``involvement.practitioner.agency`` loaded."""
    return practitioner_detail(viewer=viewer, practitioner=involvement.practitioner)


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


def member_view(*, viewer: Practitioner, involvement: Involvement) -> MemberView:
    """The involvement through the policy. Needs practitioner, its user and agency loaded."""
    practitioner = involvement.practitioner
    if involvement_detail(viewer=viewer, involvement=involvement) is Detail.PLACEHOLDER:
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
        is_viewer=practitioner.pk == viewer.pk,
        agency_suspended=practitioner.agency.approval_state == ApprovalState.SUSPENDED,
    )
