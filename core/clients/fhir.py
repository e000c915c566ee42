"""The team around a client as an HL7 FHIR R4 CareTeam resource (``application/fhir+json``).

Built only from what the visibility policy already let the viewer see (``TeamView`` from
``team_view_recorded``, its ``MemberView``s and nothing else): nothing here reads past it. An involvement
the policy hides is not there at all; one it shows as a placeholder becomes a participant with no member
and no organisation — only "Confidential service" and its gateway contact — and the resource is then
labelled restricted (``meta.security`` v3-Confidentiality ``R``).

Notes on the mapping:
* ``subject`` refers to a contained Patient carrying the identifying minimum (name, date of birth,
  NHS number or Victorian Student Number when there is one). The NHS number has its NHS England system
  URI; the VSN has none published (neither the VCAA nor HL7 AU Base defines one), so it carries Patchwork's own
  ``urn:patchwork:fhir:identifier:victorian-student-number``.
* Current members are participants with ``period.start``; previously involved practitioners with
  ``period.end`` too, their role in the case as text and never "Lead professional" (the policy gives
  a former member no current role). Placeholders carry no dates (the policy hides them), so only current ones are
  included: a date-less "previously involved confidential service" cannot be told apart from a current one.
* The CareTeam's ``period.start`` is the earliest start the viewer may see — never a hidden one.
* The family's teams are not part of this client's CareTeam.
"""

import datetime
from typing import Any

from core.clients.selectors import TeamView
from core.governance.visibility import PLACEHOLDER_LABEL, MemberView

FHIR_MEDIA_TYPE = "application/fhir+json"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
LOINC_SYSTEM = "http://loinc.org"
CARE_COORDINATION_CODE = "LA27976-2"
CARE_COORDINATION_DISPLAY = "Longitudinal care-coordination focused care team"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
VICTORIAN_STUDENT_NUMBER_SYSTEM = "urn:patchwork:fhir:identifier:victorian-student-number"
GATEWAY_CONTACT_EXTENSION = "urn:patchwork:fhir:extension:gateway-contact"
CONFIDENTIAL_SERVICE_ROLE = "Confidential service"
LEAD_PROFESSIONAL_ROLE = "Lead professional"
PATIENT_CONTAINED_ID = "patient"

Resource = dict[str, Any]


def _date(value: object) -> str | None:
    return value.isoformat() if isinstance(value, datetime.date) else None


def _period(start: object, end: object = None) -> Resource:
    period = {"start": _date(start), "end": _date(end)}
    return {key: value for key, value in period.items() if value}


def _patient(team: TeamView) -> Resource:
    client = team.client
    patient: Resource = {
        "resourceType": "Patient",
        "id": PATIENT_CONTAINED_ID,
        "name": [{"use": "official", "family": client.surname, "given": [client.first_name]}],
    }
    identifiers = [
        {"system": system, "value": value}
        for system, value in (
            (NHS_NUMBER_SYSTEM, client.nhs_number),
            (VICTORIAN_STUDENT_NUMBER_SYSTEM, client.victorian_student_number),
        )
        if value
    ]
    if identifiers:
        patient["identifier"] = identifiers
    if client.date_of_birth:
        patient["birthDate"] = client.date_of_birth.isoformat()
    return patient


def _participant(member: MemberView) -> Resource:
    if member.is_placeholder:
        return {
            "extension": [{"url": GATEWAY_CONTACT_EXTENSION, "valueString": member.gateway_contact or ""}],
            "role": [{"text": CONFIDENTIAL_SERVICE_ROLE}],
        }
    roles = [{"text": member.role}]
    if member.is_lead:
        roles.append({"text": LEAD_PROFESSIONAL_ROLE})
    participant: Resource = {
        "role": roles,
        "member": {"reference": f"Practitioner/{member.practitioner_id}", "display": member.name},
    }
    if member.agency_id is not None:
        participant["onBehalfOf"] = {"reference": f"Organization/{member.agency_id}", "display": member.agency}
    period = _period(member.started_on, member.ended_on)
    if period:
        participant["period"] = period
    return participant


def care_team_resource(*, team: TeamView) -> Resource:
    """The FHIR R4 CareTeam for a team the viewer may see."""
    members = list(team.current) + [member for member in team.previous if not member.is_placeholder]
    placeholders = [member for member in team.current if member.is_placeholder]
    visible_starts = [member.started_on for member in members if not member.is_placeholder and member.started_on]
    client = team.client
    resource: Resource = {"resourceType": "CareTeam", "id": str(client.pk)}
    if placeholders:
        resource["meta"] = {
            "security": [{"system": CONFIDENTIALITY_SYSTEM, "code": "R", "display": "restricted"}],
        }
    resource |= {
        "contained": [_patient(team)],
        "status": "active",
        "category": [
            {"coding": [{"system": LOINC_SYSTEM, "code": CARE_COORDINATION_CODE, "display": CARE_COORDINATION_DISPLAY}]}
        ],
        "subject": {"reference": f"#{PATIENT_CONTAINED_ID}", "display": f"{client.first_name} {client.surname}"},
    }
    if visible_starts:
        resource["period"] = _period(min(visible_starts))
    if members:  # FHIR allows no empty arrays; the viewer is always a member, so this is a formality
        resource["participant"] = [_participant(member) for member in members]
    if placeholders:
        resource["note"] = [
            {"text": f"{PLACEHOLDER_LABEL} — contact via {member.gateway_contact}."} for member in placeholders
        ]
    return resource


# HTTP status of a refusal → the FHIR issue type (https://hl7.org/fhir/R4/valueset-issue-type.html).
ISSUE_CODE_FOR_STATUS = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    415: "not-supported",
    429: "throttled",
}


def operation_outcome_resource(*, status: int, diagnostics: str) -> Resource:
    """A FHIR R4 OperationOutcome for a refusal or an error: one issue, severity error."""
    code = ISSUE_CODE_FOR_STATUS.get(status, "processing" if status < 500 else "exception")
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }
