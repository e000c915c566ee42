"""The team around a client through the API, as JSON and as a FHIR R4 CareTeam: the same visibility policy."""

import json
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from core.audit.origin import Origin
from core.clients.apis.common import (
    FORBIDDEN,
    NOT_FOUND,
    TeamMemberField,
    viewer_of,
)
from core.clients.fhir import FHIR_MEDIA_TYPE, care_team_resource, operation_outcome_resource
from core.clients.recorded import team_view_recorded
from core.clients.selectors import TeamView


class ClientTeamDetailApi(APIView):
    """The team around a client, for a current member of it (404 otherwise). Every view is audited."""

    @extend_schema_serializer(component_name="ClientTeam")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="ClientTeamClient")
        class ClientSerializer(serializers.Serializer):
            id = serializers.UUIDField()
            first_name = serializers.CharField()
            surname = serializers.CharField()
            date_of_birth = serializers.DateField(allow_null=True)
            address_line = serializers.CharField(allow_blank=True)
            town = serializers.CharField(allow_blank=True)
            postcode = serializers.CharField(allow_blank=True)
            nhs_number = serializers.CharField(allow_blank=True)
            unique_pupil_number = serializers.CharField(allow_blank=True)
            victorian_student_number = serializers.CharField(allow_blank=True)
            local_case_id = serializers.CharField(allow_blank=True)

        @extend_schema_serializer(component_name="ClientTeamFamilyMember")
        class FamilyMemberSerializer(serializers.Serializer):
            client_id = serializers.UUIDField()
            first_name = serializers.CharField()
            surname = serializers.CharField()
            date_of_birth = serializers.DateField(allow_null=True)
            relationship = serializers.CharField()
            members = serializers.ListField(
                child=TeamMemberField(), help_text='The team around them, when "family_teams" is "full"; else empty.'
            )
            agencies = serializers.ListField(
                child=serializers.CharField(),
                help_text='The agencies working with them, when "family_teams" is "agencies" (no names or contacts).',
            )

        client = ClientSerializer()
        legal_basis = serializers.CharField(help_text="The legal basis for holding the client's record.")
        current = serializers.ListField(child=TeamMemberField())
        previous = serializers.ListField(child=TeamMemberField())
        family_name = serializers.CharField(allow_null=True)
        family_teams = serializers.ChoiceField(
            choices=["full", "agencies", "none"],
            help_text="How much of the family members' teams the council shows: in full, agencies only, or none.",
        )
        family = FamilyMemberSerializer(many=True)
        opened_by_break_glass = serializers.SerializerMethodField(
            help_text="The viewer is not in the team: they opened it in an emergency, for a time."
        )

        def get_opened_by_break_glass(self, team: TeamView) -> bool:
            return team.break_glass is not None

    @extend_schema(
        operation_id="client_team_retrieve", responses={200: OutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND}
    )
    def get(self, request: Request, client_id: UUID) -> Response:
        team = team_view_recorded(viewer=viewer_of(request), client_id=client_id, origin=Origin.from_request(request))
        return Response(self.OutputSerializer(team).data)


class FhirJsonRenderer(JSONRenderer):
    media_type = FHIR_MEDIA_TYPE
    format = "fhir"


CARE_TEAM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "An HL7 FHIR R4 CareTeam (https://hl7.org/fhir/R4/careteam.html). A sensitive involvement is a "
        'participant with no member and no onBehalfOf, role "Confidential service" and the gateway contact in '
        'an extension; the CareTeam is then labelled meta.security v3-Confidentiality "R".'
    ),
    "required": ["resourceType", "id", "status", "category", "subject"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["CareTeam"]},
        "id": {"type": "string", "format": "uuid"},
        "meta": {"type": "object"},
        "contained": {"type": "array", "items": {"type": "object"}},
        "status": {"type": "string", "enum": ["active"]},
        "category": {"type": "array", "items": {"type": "object"}},
        "subject": {"type": "object"},
        "period": {"type": "object"},
        "participant": {"type": "array", "items": {"type": "object"}},
        "note": {"type": "array", "items": {"type": "object"}},
    },
}


OPERATION_OUTCOME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An HL7 FHIR R4 OperationOutcome (https://hl7.org/fhir/R4/operationoutcome.html): why not.",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"type": "string", "enum": ["error"]},
                    "code": {"type": "string", "description": "not-found, forbidden, not-supported, throttled…"},
                    "diagnostics": {"type": "string"},
                },
            },
        },
    },
}


def fhir_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's answer to a refusal, as a FHIR OperationOutcome instead of ``{"detail": …}``."""
    response = exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = operation_outcome_resource(status=response.status_code, diagnostics=str(detail or exc))
    return response


class CareTeamFhirDetailApi(APIView):
    """The team around a client as a FHIR R4 CareTeam, through the same visibility policy as the team.
    Refusals (no such client, not in the team, not signed in) are FHIR OperationOutcomes."""

    renderer_classes = [FhirJsonRenderer, JSONRenderer]

    def get_exception_handler(self) -> Any:
        return fhir_exception_handler

    @classmethod
    def not_signed_in_response(cls, detail: str) -> HttpResponse:
        """The refusal the access middleware answers before the view runs, in the view's own format."""
        outcome = operation_outcome_resource(status=403, diagnostics=detail)
        return HttpResponse(json.dumps(outcome), status=403, content_type=FHIR_MEDIA_TYPE)

    @extend_schema(
        operation_id="client_fhir_care_team_retrieve",
        responses={
            (200, FHIR_MEDIA_TYPE): OpenApiResponse(CARE_TEAM_SCHEMA, description="A FHIR R4 CareTeam."),
            (200, "application/json"): OpenApiResponse(CARE_TEAM_SCHEMA, description="The same, as plain JSON."),
            (403, FHIR_MEDIA_TYPE): OpenApiResponse(OPERATION_OUTCOME_SCHEMA, description=FORBIDDEN.description),
            (403, "application/json"): OpenApiResponse(OPERATION_OUTCOME_SCHEMA, description=FORBIDDEN.description),
            (404, FHIR_MEDIA_TYPE): OpenApiResponse(OPERATION_OUTCOME_SCHEMA, description=NOT_FOUND.description),
            # A path that is no client id at all never reaches the view: the API's own JSON 404.
            (404, "application/json"): OpenApiResponse(
                {"anyOf": [OPERATION_OUTCOME_SCHEMA, {"$ref": "#/components/schemas/ApiError"}]},
                description=NOT_FOUND.description,
            ),
        },
    )
    def get(self, request: Request, client_id: UUID) -> Response:
        team = team_view_recorded(viewer=viewer_of(request), client_id=client_id, origin=Origin.from_request(request))
        return Response(care_team_resource(team=team))
