"""The team around a client through the API, as JSON and as a FHIR R4 CareTeam: the same visibility policy."""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.audit.origin import Origin
from core.clients.apis.common import (
    FORBIDDEN,
    NOT_FOUND,
    TeamMemberField,
    viewer_of,
)
from core.clients.fhir import FHIR_MEDIA_TYPE, care_team_resource
from core.clients.recorded import team_view_recorded


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
            local_case_id = serializers.CharField(allow_blank=True)

        @extend_schema_serializer(component_name="ClientTeamFamilyMember")
        class FamilyMemberSerializer(serializers.Serializer):
            client_id = serializers.UUIDField()
            first_name = serializers.CharField()
            surname = serializers.CharField()
            date_of_birth = serializers.DateField(allow_null=True)
            relationship = serializers.CharField()
            members = serializers.ListField(child=TeamMemberField())

        client = ClientSerializer()
        legal_basis = serializers.CharField(help_text="The legal basis for holding the client's record.")
        current = serializers.ListField(child=TeamMemberField())
        previous = serializers.ListField(child=TeamMemberField())
        family_name = serializers.CharField(allow_null=True)
        family = FamilyMemberSerializer(many=True)

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


class CareTeamFhirDetailApi(APIView):
    """The team around a client as a FHIR R4 CareTeam, through the same visibility policy as the team."""

    renderer_classes = [FhirJsonRenderer, JSONRenderer]

    @extend_schema(
        operation_id="client_fhir_care_team_retrieve",
        responses={
            (200, FHIR_MEDIA_TYPE): OpenApiResponse(CARE_TEAM_SCHEMA, description="A FHIR R4 CareTeam."),
            (403, FHIR_MEDIA_TYPE): FORBIDDEN,
            (404, FHIR_MEDIA_TYPE): NOT_FOUND,
        },
    )
    def get(self, request: Request, client_id: UUID) -> Response:
        team = team_view_recorded(viewer=viewer_of(request), client_id=client_id, origin=Origin.from_request(request))
        return Response(care_team_resource(team=team))
