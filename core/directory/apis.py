"""Directory API (``/api/v1/practitioners/...``, ``/api/v1/agencies/``): the phonebook, for practitioners.

The same reads as the directory pages (``core.directory.selectors``), so the same rule decides who is
listed: verified, active people of approved agencies, and the staff of a sensitive agency only to that
agency's own verified staff. Anyone the viewer may not see is 404, exactly like an id that never existed.
A sensitive agency is listed with its gateway contact in place of its own contact details.
"""

from typing import Any
from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import AllowListedSerializer
from core.directory.listing import staff_listing_for
from core.directory.models import Agency, Practitioner
from core.directory.selectors import (
    account_summary,
    agencies_listed,
    agencies_searchable_by,
    practitioner_for_user,
    practitioner_profile_get,
    practitioner_search,
)


@extend_schema_serializer(component_name="DirectoryApiError")
class _ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


FORBIDDEN = OpenApiResponse(_ErrorSerializer, description="Not signed in with both factors, or not a practitioner.")
INVALID = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: field name → list of messages.")


def _viewer(request: Request) -> Practitioner:
    practitioner = practitioner_for_user(user=request.user)
    if practitioner is None:
        raise exceptions.PermissionDenied("Only practitioners use the directory.")
    return practitioner


@extend_schema_serializer(component_name="DirectoryPractitioner")
class PractitionerOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="user.full_name")
    job_title = serializers.CharField()
    agency_id = serializers.UUIDField()
    agency = serializers.CharField(source="agency.name")
    email = serializers.EmailField(source="user.email")
    mobile = serializers.CharField(allow_blank=True)
    landline = serializers.CharField(allow_blank=True)
    preferred_contact = serializers.CharField()


class PractitionerListApi(APIView):
    """Find colleagues by name, job title, expertise or agency name (``q``), by agency, or both."""

    @extend_schema_serializer(component_name="PractitionerSearchInput")
    class InputSerializer(AllowListedSerializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
        agency = serializers.UUIDField(required=False, allow_null=True, default=None)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs["q"].strip() and attrs["agency"] is None:
                raise serializers.ValidationError({"q": ["Enter a name, job title or expertise, or an agency."]})
            return attrs

    @extend_schema_serializer(component_name="PractitionerSearchOutput")
    class OutputSerializer(serializers.Serializer):
        more = serializers.BooleanField(help_text="More matched than are listed: narrow the search.")
        results = PractitionerOutputSerializer(many=True, source="practitioners")

    @extend_schema(
        operation_id="practitioners_search",
        parameters=[
            OpenApiParameter("q", str, description="Words of a name, job title, expertise or agency name."),
            OpenApiParameter("agency", OpenApiTypes.UUID, description="Only this agency's staff."),
        ],
        responses={200: OutputSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        viewer = _viewer(request)
        serializer = self.InputSerializer(data=request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        agency_id = serializer.validated_data["agency"]
        listing = staff_listing_for(viewer)
        searchable = agencies_searchable_by(viewer=viewer, listing=listing)
        if agency_id is not None and not searchable.filter(pk=agency_id).exists():
            # As on the directory page: an agency whose staff the viewer may not search is not a choice.
            raise serializers.ValidationError({"agency": ["Select an agency from the list."]})
        result = practitioner_search(
            viewer=viewer, query=serializer.validated_data["q"], agency_id=agency_id, listing=listing
        )
        return Response(self.OutputSerializer(result).data)


class PractitionerDetailApi(APIView):
    """A colleague's profile, if the viewer may find them in the directory (or their own); 404 otherwise."""

    @extend_schema_serializer(component_name="DirectoryPractitionerProfile")
    class OutputSerializer(PractitionerOutputSerializer):
        agency_type = serializers.CharField(source="agency.agency_type")
        expertise = serializers.CharField(allow_blank=True)
        availability = serializers.CharField(allow_blank=True)

    @extend_schema(
        operation_id="practitioner_retrieve",
        responses={
            200: OutputSerializer,
            403: FORBIDDEN,
            404: OpenApiResponse(_ErrorSerializer, description="No such practitioner, or the viewer may not see them."),
        },
    )
    def get(self, request: Request, practitioner_id: UUID) -> Response:
        found = practitioner_profile_get(viewer=_viewer(request), practitioner_id=practitioner_id)
        if found is None:
            raise exceptions.NotFound()
        return Response(self.OutputSerializer(found).data)


@extend_schema_serializer(component_name="DirectoryAgency")
class AgencyOutputSerializer(serializers.Serializer):
    kind = serializers.SerializerMethodField()
    id = serializers.UUIDField()
    name = serializers.CharField()
    agency_type = serializers.CharField()
    services = serializers.CharField(allow_blank=True)
    contact_email = serializers.EmailField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)

    @extend_schema_field({"type": "string", "pattern": "^agency$", "description": 'Always "agency".'})
    def get_kind(self, agency: Agency) -> str:
        return "agency"


@extend_schema_serializer(component_name="DirectoryConfidentialAgency")
class ConfidentialAgencyOutputSerializer(serializers.Serializer):
    """A sensitive agency: how to reach it through its gateway. Never its own contact details or its staff."""

    kind = serializers.SerializerMethodField()
    id = serializers.UUIDField()
    name = serializers.CharField()
    agency_type = serializers.CharField()
    services = serializers.CharField(allow_blank=True)
    contact_via = serializers.CharField(source="gateway_contact")

    @extend_schema_field(
        {"type": "string", "pattern": "^confidential_service$", "description": 'Always "confidential_service".'}
    )
    def get_kind(self, agency: Agency) -> str:
        return "confidential_service"


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="DirectoryAgencyEntry",
        serializers={"agency": AgencyOutputSerializer, "confidential_service": ConfidentialAgencyOutputSerializer},
        resource_type_field_name="kind",
    )
)
class AgencyEntryField(serializers.Field):
    """One agency, serialised by whether the visibility policy hides its staff from the viewer (a sensitive
    agency seen from outside: reached through its gateway contact)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Agency) -> dict[str, Any]:
        if self.context["listing"].agency_staff_hidden(value):
            return dict(ConfidentialAgencyOutputSerializer(value).data)
        return dict(AgencyOutputSerializer(value).data)


class AgencyListApi(APIView):
    """The council's approved agencies, by name."""

    @extend_schema_serializer(component_name="DirectoryAgencies")
    class OutputSerializer(serializers.Serializer):
        results = serializers.ListField(child=AgencyEntryField())

    @extend_schema(operation_id="agencies_list", responses={200: OutputSerializer, 403: FORBIDDEN})
    def get(self, request: Request) -> Response:
        listing = staff_listing_for(_viewer(request))
        return Response(self.OutputSerializer({"results": list(agencies_listed())}, context={"listing": listing}).data)


class MeApi(APIView):
    """Who I am signed in as, and in which council and agency."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        first_name = serializers.CharField()
        last_name = serializers.CharField()
        email = serializers.EmailField()
        council = serializers.CharField()
        agency = serializers.CharField(allow_null=True)
        job_title = serializers.CharField(allow_null=True)

    @extend_schema(responses=OutputSerializer, operation_id="me_retrieve")
    def get(self, request: Request) -> Response:
        summary = account_summary(user=request.user, council_name=request.council.name)
        return Response(self.OutputSerializer(summary).data)
