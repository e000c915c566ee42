"""Add a client through the API: only after a search, with the possible-duplicate check of the add page."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import AllowListedSerializer
from core.audit.origin import Origin
from core.clients.apis.common import (
    DateOfBirthField,
    ErrorSerializer,
    IdentifierField,
    PostcodeField,
    service_errors,
    viewer_of,
)
from core.clients.apis.search import SearchHitSerializer
from core.clients.identifiers import NHS_NUMBER, UNIQUE_PUPIL_NUMBER, VICTORIAN_STUDENT_NUMBER
from core.clients.recorded import SearchRateExceeded, client_search_recorded
from core.clients.search_session import (
    duplicates_shown_remember,
    duplicates_were_shown,
    last_search,
    last_search_forget,
    search_hits_remember,
)
from core.clients.selectors import (
    SearchCriteria,
)
from core.clients.services import (
    NewClient,
    client_create,
)
from core.governance.models import LegalBasis


@extend_schema_serializer(component_name="ClientPossibleDuplicates")
class PossibleDuplicatesSerializer(serializers.Serializer):
    detail = serializers.CharField()
    too_many = serializers.BooleanField(help_text="More than 20 matched: none is listed.")
    results = SearchHitSerializer(many=True, source="hits")


class ClientCreateApi(APIView):
    """Add a client, with the viewer as the first member of the team: as on the add page, only after a
    search in this session, and only once any possible matches (same surname and date of birth) have
    been shown (409) and confirmed as not the person."""

    @extend_schema_serializer(component_name="ClientCreateInput")
    class InputSerializer(AllowListedSerializer):
        first_name = serializers.CharField(max_length=100)
        surname = serializers.CharField(max_length=100)
        date_of_birth = DateOfBirthField()
        postcode = PostcodeField(default="")
        address_line = serializers.CharField(default="", allow_blank=True, max_length=200)
        town = serializers.CharField(default="", allow_blank=True, max_length=100)
        nhs_number = IdentifierField(NHS_NUMBER, default="")
        unique_pupil_number = IdentifierField(UNIQUE_PUPIL_NUMBER, default="")
        victorian_student_number = IdentifierField(VICTORIAN_STUDENT_NUMBER, default="")
        local_case_id = serializers.CharField(default="", allow_blank=True, max_length=40)
        legal_basis = serializers.SlugRelatedField(
            slug_field="code",
            queryset=LegalBasis.objects.filter(is_accepted=True),
            help_text="The code of a legal basis the council accepts for new records.",
        )
        consent_given_by = serializers.CharField(
            default="", allow_blank=True, max_length=200, help_text="Only if the basis is consent."
        )
        consent_given_on = serializers.DateField(
            default=None, allow_null=True, help_text="Only if the basis is consent."
        )
        role = serializers.CharField(max_length=120, help_text="Your role with this client.")
        confirm_not_duplicate = serializers.BooleanField(
            default=False,
            help_text="None of the possible matches last answered (409) for this surname and date of birth is the "
            "person: add a new client.",
        )

    @extend_schema_serializer(component_name="ClientCreated")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()

    @extend_schema(
        operation_id="client_create",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Invalid input (field name → list of messages), or no search in this session yet.",
            ),
            403: OpenApiResponse(ErrorSerializer, description="Not signed in with both factors, or not yet verified."),
            409: OpenApiResponse(
                PossibleDuplicatesSerializer,
                description="Possible matches: join one of them, or send again with confirm_not_duplicate.",
            ),
            429: OpenApiResponse(ErrorSerializer, description="Too many searches: wait a few minutes."),
        },
    )
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        if viewer.verified_at is None:  # as on the add page: adding waits for the agency's verification
            raise exceptions.PermissionDenied("Your agency manager has not verified your account yet.")
        if last_search(request.session) is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Search for the client first: they may already be known."]}
            )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        role = data.pop("role")
        who = {"surname": data["surname"], "date_of_birth": data["date_of_birth"]}
        if not (data.pop("confirm_not_duplicate") and duplicates_were_shown(request.session, **who)):
            # The duplicate check is a search like any other: audited and rate-limited.
            criteria = SearchCriteria(surname=data["surname"], date_of_birth=data["date_of_birth"])
            try:
                duplicates = client_search_recorded(
                    viewer=viewer, criteria=criteria, origin=Origin.from_request(request)
                )
            except SearchRateExceeded as error:
                raise exceptions.Throttled(detail=str(error)) from error
            if duplicates.hits or duplicates.too_many:
                search_hits_remember(request.session, duplicates.hits)
                duplicates_shown_remember(request.session, **who)
                detail = "The client may already be known: join their team, or confirm none of these is them."
                payload = {"detail": detail, "too_many": duplicates.too_many, "hits": duplicates.hits}
                return Response(PossibleDuplicatesSerializer(payload).data, status=status.HTTP_409_CONFLICT)
        with service_errors():
            client = client_create(
                viewer=viewer, data=NewClient(**data), role=role, origin=Origin.from_request(request)
            )
        last_search_forget(request.session)
        location = reverse("api-v1:client-team", kwargs={"client_id": client.pk})
        return Response(
            self.OutputSerializer(client).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )
