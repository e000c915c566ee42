"""Correct a client's details through the API: a member of the client's current team, allow-listed fields."""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import AllowListedSerializer
from core.audit.origin import Origin
from core.clients.apis.common import (
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    DateOfBirthField,
    IdentifierField,
    PostcodeField,
    not_found,
    service_errors,
    viewer_of,
)
from core.clients.apis.team import ClientTeamDetailApi
from core.clients.identifiers import NHS_NUMBER, UNIQUE_PUPIL_NUMBER, VICTORIAN_STUDENT_NUMBER
from core.clients.selectors import involvement_current
from core.clients.services import client_correct


class ClientCorrectApi(APIView):
    """Correct the details that identify a client. Fields left out keep their value. Only for a current member
    of the client's team (404 otherwise, recorded). The old and new values are recorded in the audit trail."""

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="ClientCorrectInput")
    class InputSerializer(AllowListedSerializer):
        first_name = serializers.CharField(required=False, max_length=100)
        surname = serializers.CharField(required=False, max_length=100)
        date_of_birth = DateOfBirthField(required=False)
        address_line = serializers.CharField(required=False, allow_blank=True, max_length=200)
        town = serializers.CharField(required=False, allow_blank=True, max_length=100)
        postcode = PostcodeField(required=False)
        nhs_number = IdentifierField(NHS_NUMBER, required=False)
        unique_pupil_number = IdentifierField(UNIQUE_PUPIL_NUMBER, required=False)
        victorian_student_number = IdentifierField(VICTORIAN_STUDENT_NUMBER, required=False)
        local_case_id = serializers.CharField(required=False, allow_blank=True, max_length=40)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError("Send at least one field to correct.")
            return attrs

    OutputSerializer = ClientTeamDetailApi.OutputSerializer.ClientSerializer

    @extend_schema(
        operation_id="client_correct",
        request=InputSerializer,
        responses={200: OutputSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, client_id: UUID) -> Response:
        viewer = viewer_of(request)
        involvement = involvement_current(viewer=viewer, client_id=client_id)
        if involvement is None:
            raise not_found(request=request, client_id=client_id, reason="correct: not in the team, or no such client")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            client_correct(
                actor=viewer,
                client=involvement.client,
                changes=dict(serializer.validated_data),
                origin=Origin.from_request(request),
            )
        involvement.client.refresh_from_db()
        return Response(self.OutputSerializer(involvement.client).data)
