"""Find a client through the API: minimum criteria, capped, rate-limited and audited, as on the page."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import NON_BLANK_TEXT_PATTERN, AllowListedSerializer
from core.audit.origin import Origin
from core.clients.apis.common import (
    INVALID,
    DateOfBirthField,
    ErrorSerializer,
    PostcodeField,
    viewer_of,
)
from core.clients.identifiers import search_identifier_check
from core.clients.postcodes import council_jurisdiction
from core.clients.recorded import SearchRateExceeded, client_search_recorded
from core.clients.search_session import search_remember
from core.clients.selectors import (
    SearchCriteria,
    SearchCriteriaError,
)


@extend_schema_serializer(component_name="ClientSearchHit")
class SearchHitSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="client_id")
    first_name = serializers.CharField()
    surname = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    postcode_district = serializers.CharField(allow_blank=True)
    agencies_involved = serializers.IntegerField()
    in_team = serializers.BooleanField(source="viewer_in_team")


class ClientSearchApi(APIView):
    """Find a client. Needs the council's minimum criteria; capped, rate-limited and audited (AZ-3, AUD-1).

    Answers only what identifies a person, never the team.
    """

    @extend_schema_serializer(component_name="ClientSearchInput")
    class InputSerializer(AllowListedSerializer):
        surname = serializers.CharField(required=False, allow_blank=True, max_length=100)
        first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
        date_of_birth = DateOfBirthField(required=False, allow_null=True)
        postcode = PostcodeField(default="")
        identifier = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=40,
            help_text="NHS number, Unique Pupil Number or case number in an English council; Victorian Student "
            "Number or case number in a Victorian one. A mistyped NHS number or UPN (its check fails) is refused.",
        )

        def validate_identifier(self, value: str) -> str:
            try:
                search_identifier_check(value, jurisdiction=council_jurisdiction())
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from error
            return value

    @extend_schema_serializer(component_name="ClientSearchOutput")
    class OutputSerializer(serializers.Serializer):
        too_many = serializers.BooleanField(help_text="More than 20 matched: refine the search. No results then.")
        results = SearchHitSerializer(many=True, source="hits")

    @extend_schema(
        operation_id="clients_search",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: INVALID,
            403: OpenApiResponse(ErrorSerializer, description="Not signed in with both factors, or not yet verified."),
            429: OpenApiResponse(ErrorSerializer, description="Too many searches: wait a few minutes."),
        },
    )
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        if viewer.verified_at is None:  # as on the search page: searching waits for the agency's verification
            raise exceptions.PermissionDenied("Your agency manager has not verified your account yet.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criteria = SearchCriteria(**serializer.validated_data)
        try:
            result = client_search_recorded(viewer=viewer, criteria=criteria, origin=Origin.from_request(request))
        except SearchCriteriaError as error:
            raise serializers.ValidationError({"non_field_errors": [str(error)]}) from error
        except SearchRateExceeded as error:
            raise exceptions.Throttled(detail=str(error)) from error
        search_remember(request.session, result.hits, criteria)  # as the search page does: adding needs a search first
        return Response(self.OutputSerializer(result).data)


NON_BLANK = {"type": "string", "pattern": NON_BLANK_TEXT_PATTERN}


class ClientSearchInputSchema(OpenApiSerializerExtension):
    """The council's minimum criteria in the schema (``SearchCriteria.check``): a search needs a surname and a
    date of birth, or an identifier, or a surname, a first name and a postcode, none of them blank."""

    target_class = ClientSearchApi.InputSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["anyOf"] = [
            {
                "required": ["surname", "date_of_birth"],
                "properties": {"surname": NON_BLANK, "date_of_birth": {"type": "string", "format": "date"}},
            },
            {"required": ["identifier"], "properties": {"identifier": NON_BLANK}},
            {
                "required": ["surname", "first_name", "postcode"],
                "properties": {"surname": NON_BLANK, "first_name": NON_BLANK, "postcode": NON_BLANK},
            },
        ]
        return schema
