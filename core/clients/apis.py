"""Client API (``/api/v1/clients/...``): search, adding a client, the team around a client, joining and
keeping an involvement current, inviting a colleague, and the team as a FHIR R4 CareTeam.

Thin views: parse and allow-list the input, call one recorded read or one service, serialise. Reads go
through ``core.clients.recorded`` so that every search and every view of a team is audited and
searching is rate-limited, exactly as on the pages. What a viewer may see is decided by the
visibility policy alone: a sensitive involvement reaches the API as a placeholder with two keys,
``kind`` and ``contact_via``, and nothing else.

Input serializers refuse any field they do not declare (DP-4): ``practitioner_id``, ``client_id``,
``council``, ``is_lead`` on a join and the like answer 400, and are never applied.
"""

import datetime
import hashlib
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.audit.models import AuditAction, AuditOutcome
from core.audit.services.events import audit_record
from core.clients.fhir import FHIR_MEDIA_TYPE, care_team_resource
from core.clients.forms import invite_candidates
from core.clients.models import Client, Involvement, TeamInvitation
from core.clients.recorded import SearchRateExceeded, client_search_recorded, team_view_recorded
from core.clients.selectors import SearchCriteria, SearchCriteriaError
from core.clients.services import (
    NewClient,
    client_create,
    involvement_end,
    involvement_start,
    involvement_update,
    team_invite,
)
from core.clients.views.add import DUPLICATES_SHOWN_KEY
from core.clients.views.search import last_search, last_search_forget, last_search_remember
from core.directory.models import Practitioner
from core.directory.selectors import practitioner_for_user
from core.governance.models import LegalBasis
from core.governance.visibility import MemberView

# The clients found by the viewer's last search (a list of client id strings). The search page sets
# the same key: a practitioner may join only a team whose client they have just found (or been invited to).
SEARCH_HITS_SESSION_KEY = "patchwork_last_search_hits"


# --- Shared pieces -------------------------------------------------------------------------------


class _AllowListedSerializer(serializers.Serializer):
    """Input that names a field the endpoint does not take is refused, never silently applied."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: ["This field is not accepted."] for key in unknown})
        return super().to_internal_value(data)


@extend_schema_serializer(component_name="ClientApiError")
class _ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


NOT_FOUND = OpenApiResponse(_ErrorSerializer, description="No such client, or the viewer may not see it.")
FORBIDDEN = OpenApiResponse(_ErrorSerializer, description="Not signed in with both factors.")
INVALID = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: field name → list of messages.")


def _viewer(request: Request) -> Practitioner:
    practitioner = practitioner_for_user(user=request.user)
    if practitioner is None:
        raise exceptions.PermissionDenied("Only practitioners can use the client API.")
    return practitioner


def _not_found(*, request: Request, client_id: UUID, reason: str) -> exceptions.NotFound:
    """A refusal that never reveals whether the client exists; recorded like every denial (AUD-1)."""
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        request=request,
        object_type="client",
        object_id=client_id,
        reason=reason,
    )
    return exceptions.NotFound()


@contextmanager
def _service_errors() -> Iterator[None]:
    """A service's ValidationError becomes a 400 with the same field messages."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise serializers.ValidationError(detail) from error


# Reads the selectors do not offer yet (reported): which client a viewer may join, and their own
# current involvement. Both answer None rather than reveal anything.


def _client_to_join(*, viewer: Practitioner, client_id: UUID, recent_hits: list[str]) -> Client | None:
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        return None
    if str(client.pk) in recent_hits:
        return client
    invited = TeamInvitation.objects.filter(client=client, answered_at__isnull=True).filter(
        Q(invitee=viewer) | Q(invitee__isnull=True, invitee_email__iexact=viewer.user.email)
    )
    return client if invited.exists() else None


def _own_current_involvement(*, viewer: Practitioner, client_id: UUID) -> Involvement | None:
    return (
        Involvement.objects.select_related("client")
        .filter(client_id=client_id, practitioner=viewer, ended_on__isnull=True)
        .first()
    )


def _recent_hits(request: Request) -> list[str]:
    hits = request.session.get(SEARCH_HITS_SESSION_KEY, [])
    return [str(hit) for hit in hits] if isinstance(hits, list) else []


# --- Team members: a practitioner in full, or a confidential service as a placeholder -------------


@extend_schema_serializer(component_name="TeamMemberPractitioner")
class PractitionerMemberSerializer(serializers.Serializer):
    kind = serializers.SerializerMethodField()
    involvement_id = serializers.UUIDField()
    practitioner_id = serializers.UUIDField()
    name = serializers.CharField()
    job_title = serializers.CharField()
    agency = serializers.CharField()
    agency_type = serializers.CharField()
    role = serializers.CharField()
    is_lead = serializers.BooleanField()
    email = serializers.EmailField()
    mobile = serializers.CharField(allow_blank=True)
    landline = serializers.CharField(allow_blank=True)
    preferred_contact = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    last_contact_on = serializers.DateField(allow_null=True)
    next_contact_on = serializers.DateField(allow_null=True)

    @extend_schema_field({"type": "string", "enum": ["practitioner"]})
    def get_kind(self, member: MemberView) -> str:
        return "practitioner"


@extend_schema_serializer(component_name="TeamMemberConfidentialService")
class ConfidentialServiceMemberSerializer(serializers.Serializer):
    """A sensitive involvement: that a confidential service is involved, and how to reach it. Nothing else."""

    kind = serializers.SerializerMethodField()
    contact_via = serializers.CharField(source="gateway_contact")

    @extend_schema_field({"type": "string", "enum": ["confidential_service"]})
    def get_kind(self, member: MemberView) -> str:
        return "confidential_service"


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="TeamMember",
        serializers={
            "practitioner": PractitionerMemberSerializer,
            "confidential_service": ConfidentialServiceMemberSerializer,
        },
        resource_type_field_name="kind",
    )
)
class TeamMemberField(serializers.Field):
    """One ``MemberView``, serialised by the kind the visibility policy gave it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: MemberView) -> dict[str, Any]:
        if value.is_placeholder:
            return dict(ConfidentialServiceMemberSerializer(value).data)
        return dict(PractitionerMemberSerializer(value).data)


@extend_schema_serializer(component_name="OwnInvolvement")
class InvolvementOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    client_id = serializers.UUIDField()
    role = serializers.CharField()
    is_lead = serializers.BooleanField()
    reason = serializers.CharField(source="join_reason")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    last_contact_on = serializers.DateField(allow_null=True)
    next_contact_on = serializers.DateField(allow_null=True)


# --- Search --------------------------------------------------------------------------------------


class ClientSearchApi(APIView):
    """Find a client. Needs the council's minimum criteria; capped, rate-limited and audited (AZ-3, AUD-1).

    Answers only what identifies a person, never the team.
    """

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="ClientSearchInput")
    class InputSerializer(_AllowListedSerializer):
        surname = serializers.CharField(required=False, allow_blank=True, max_length=100)
        first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
        date_of_birth = serializers.DateField(required=False, allow_null=True)
        postcode = serializers.CharField(default="", allow_blank=True, max_length=12)
        identifier = serializers.CharField(
            required=False, allow_blank=True, max_length=40, help_text="NHS number, pupil number or case number."
        )

    @extend_schema_serializer(component_name="ClientSearchOutput")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="ClientSearchHit")
        class HitSerializer(serializers.Serializer):
            id = serializers.UUIDField(source="client_id")
            first_name = serializers.CharField()
            surname = serializers.CharField()
            date_of_birth = serializers.DateField(allow_null=True)
            postcode_district = serializers.CharField(allow_blank=True)
            agencies_involved = serializers.IntegerField()
            in_team = serializers.BooleanField(source="viewer_in_team")

        too_many = serializers.BooleanField(help_text="More than 20 matched: refine the search. No results then.")
        results = HitSerializer(many=True, source="hits")

    @extend_schema(
        operation_id="clients_search",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: INVALID,
            403: OpenApiResponse(_ErrorSerializer, description="Not signed in with both factors, or not yet verified."),
            429: OpenApiResponse(_ErrorSerializer, description="Too many searches: wait a few minutes."),
        },
    )
    def post(self, request: Request) -> Response:
        viewer = _viewer(request)
        if viewer.verified_at is None:  # as on the search page: searching waits for the agency's verification
            raise exceptions.PermissionDenied("Your agency manager has not verified your account yet.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criteria = SearchCriteria(**serializer.validated_data)
        try:
            result = client_search_recorded(viewer=viewer, criteria=criteria, request=request)
        except SearchCriteriaError as error:
            raise serializers.ValidationError({"non_field_errors": [str(error)]}) from error
        except SearchRateExceeded as error:
            raise exceptions.Throttled(detail="Too many searches in a short time. Wait a few minutes.") from error
        request.session[SEARCH_HITS_SESSION_KEY] = [str(hit.client_id) for hit in result.hits]
        last_search_remember(request, criteria)  # as the search page does: adding a client needs a search first
        return Response(self.OutputSerializer(result).data)


# --- Adding a client -----------------------------------------------------------------------------


def _duplicate_key(*, surname: str, date_of_birth: datetime.date) -> str:
    """The digest the add page keeps of the details it showed possible matches for (no personal data)."""
    text = f"{surname.strip().lower()}|{date_of_birth.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


@extend_schema_serializer(component_name="ClientPossibleDuplicates")
class PossibleDuplicatesSerializer(serializers.Serializer):
    detail = serializers.CharField()
    too_many = serializers.BooleanField(help_text="More than 20 matched: none is listed.")
    results = ClientSearchApi.OutputSerializer.HitSerializer(many=True, source="hits")


class ClientCreateApi(APIView):
    """Add a client, with the viewer as the first member of the team: as on the add page, only after a
    search in this session, and only once any possible matches (same surname and date of birth) have
    been shown (409) and confirmed as not the person."""

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="ClientCreateInput")
    class InputSerializer(_AllowListedSerializer):
        first_name = serializers.CharField(max_length=100)
        surname = serializers.CharField(max_length=100)
        date_of_birth = serializers.DateField()
        postcode = serializers.CharField(
            default="", allow_blank=True, max_length=10, help_text="Empty if they have no fixed address."
        )
        address_line = serializers.CharField(default="", allow_blank=True, max_length=200)
        town = serializers.CharField(default="", allow_blank=True, max_length=100)
        nhs_number = serializers.CharField(default="", allow_blank=True, max_length=12)
        unique_pupil_number = serializers.CharField(default="", allow_blank=True, max_length=13)
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

        def validate_date_of_birth(self, value: datetime.date) -> datetime.date:
            if value > timezone.localdate():
                raise serializers.ValidationError("Date of birth must be today or in the past.")
            return value

        def validate_nhs_number(self, value: str) -> str:
            value = re.sub(r"\s+", "", value)
            if value and not re.fullmatch(r"\d{10}", value):
                raise serializers.ValidationError("An NHS number is 10 digits.")
            return value

        def validate_unique_pupil_number(self, value: str) -> str:
            value = value.strip().upper()
            if value and not re.fullmatch(r"[A-Z]\d{11}[0-9A-Z]", value):
                raise serializers.ValidationError(
                    "A Unique Pupil Number is a letter, 11 digits and a final letter or digit."
                )
            return value

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
            403: OpenApiResponse(_ErrorSerializer, description="Not signed in with both factors, or not yet verified."),
            409: OpenApiResponse(
                PossibleDuplicatesSerializer,
                description="Possible matches: join one of them, or send again with confirm_not_duplicate.",
            ),
            429: OpenApiResponse(_ErrorSerializer, description="Too many searches: wait a few minutes."),
        },
    )
    def post(self, request: Request) -> Response:
        viewer = _viewer(request)
        if viewer.verified_at is None:  # as on the add page: adding waits for the agency's verification
            raise exceptions.PermissionDenied("Your agency manager has not verified your account yet.")
        if last_search(request) is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Search for the client first: they may already be known."]}
            )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        role = data.pop("role")
        key = _duplicate_key(surname=data["surname"], date_of_birth=data["date_of_birth"])
        if not (data.pop("confirm_not_duplicate") and request.session.get(DUPLICATES_SHOWN_KEY) == key):
            # The duplicate check is a search like any other: audited and rate-limited.
            criteria = SearchCriteria(surname=data["surname"], date_of_birth=data["date_of_birth"])
            try:
                duplicates = client_search_recorded(viewer=viewer, criteria=criteria, request=request)
            except SearchRateExceeded as error:
                raise exceptions.Throttled(detail="Too many searches in a short time. Wait a few minutes.") from error
            if duplicates.hits or duplicates.too_many:
                request.session[SEARCH_HITS_SESSION_KEY] = [str(hit.client_id) for hit in duplicates.hits]
                request.session[DUPLICATES_SHOWN_KEY] = key
                detail = "The client may already be known: join their team, or confirm none of these is them."
                payload = {"detail": detail, "too_many": duplicates.too_many, "hits": duplicates.hits}
                return Response(PossibleDuplicatesSerializer(payload).data, status=status.HTTP_409_CONFLICT)
        with _service_errors():
            client = client_create(viewer=viewer, data=NewClient(**data), role=role, request=request)
        last_search_forget(request)
        request.session.pop(DUPLICATES_SHOWN_KEY, None)
        location = reverse("api-v1:client-team", kwargs={"client_id": client.pk})
        return Response(
            self.OutputSerializer(client).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


# --- The team around a client --------------------------------------------------------------------


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
        team = team_view_recorded(viewer=_viewer(request), client_id=client_id, request=request)
        return Response(self.OutputSerializer(team).data)


# --- Joining and keeping an involvement current --------------------------------------------------


class InvolvementStartApi(APIView):
    """Join a client's team with a reason: only a client found in the viewer's last search, or one
    they were invited to (404 otherwise, and nothing is created). The team is told."""

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="InvolvementStartInput")
    class InputSerializer(_AllowListedSerializer):
        role = serializers.CharField(max_length=120, help_text='Your role in the case, e.g. "School nurse".')
        reason = serializers.CharField(max_length=300, help_text="Why you are joining this team.")

    @extend_schema(
        operation_id="client_involvement_start",
        request=InputSerializer,
        responses={201: InvolvementOutputSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, client_id: UUID) -> Response:
        viewer = _viewer(request)
        client = _client_to_join(viewer=viewer, client_id=client_id, recent_hits=_recent_hits(request))
        if client is None:
            raise _not_found(request=request, client_id=client_id, reason="join without a search hit or invitation")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with _service_errors():
            involvement = involvement_start(viewer=viewer, client=client, request=request, **serializer.validated_data)
        return Response(InvolvementOutputSerializer(involvement).data, status=status.HTTP_201_CREATED)


class InvolvementUpdateApi(APIView):
    """Keep my own current involvement up to date. Fields left out keep their value; a date may be null."""

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="InvolvementUpdateInput")
    class InputSerializer(_AllowListedSerializer):
        role = serializers.CharField(required=False, max_length=120)
        is_lead = serializers.BooleanField(required=False, help_text="Become (or stop being) lead professional.")
        last_contact_on = serializers.DateField(required=False, allow_null=True)
        next_contact_on = serializers.DateField(required=False, allow_null=True)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs:
                raise serializers.ValidationError("Send at least one field to change.")
            return attrs

    @extend_schema(
        operation_id="client_involvement_mine_partial_update",
        request=InputSerializer,
        responses={200: InvolvementOutputSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, client_id: UUID) -> Response:
        viewer = _viewer(request)
        involvement = _own_current_involvement(viewer=viewer, client_id=client_id)
        if involvement is None:
            raise _not_found(request=request, client_id=client_id, reason="no current involvement to update")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        with _service_errors():
            involvement = involvement_update(
                viewer=viewer,
                involvement=involvement,
                role=changes.get("role", involvement.role),
                is_lead=changes.get("is_lead", involvement.is_lead),
                last_contact_on=changes.get("last_contact_on", involvement.last_contact_on),
                next_contact_on=changes.get("next_contact_on", involvement.next_contact_on),
                request=request,
            )
        return Response(InvolvementOutputSerializer(involvement).data)


class InvolvementEndApi(APIView):
    """End my own current involvement: I become "previously involved" and no longer see the team."""

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="InvolvementEndInput")
    class InputSerializer(_AllowListedSerializer):
        """Takes nothing: send ``{}`` or no body."""

    @extend_schema(
        operation_id="client_involvement_mine_end",
        request=InputSerializer,
        responses={200: InvolvementOutputSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, client_id: UUID) -> Response:
        viewer = _viewer(request)
        involvement = _own_current_involvement(viewer=viewer, client_id=client_id)
        if involvement is None:
            raise _not_found(request=request, client_id=client_id, reason="no current involvement to end")
        self.InputSerializer(data=request.data or {}).is_valid(raise_exception=True)
        with _service_errors():
            involvement = involvement_end(viewer=viewer, involvement=involvement, request=request)
        return Response(InvolvementOutputSerializer(involvement).data)


# --- Inviting a colleague to the team ------------------------------------------------------------


class TeamInvitationCreateApi(APIView):
    """Invite a colleague to the team: a registered one by id (someone the viewer could choose on the invite
    page), or someone not yet registered by work email. Only current members invite (404 otherwise, audited)."""

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="TeamInvitationInput")
    class InputSerializer(_AllowListedSerializer):
        practitioner_id = serializers.UUIDField(required=False, help_text="A registered colleague.")
        email = serializers.EmailField(
            required=False, max_length=254, help_text="The work email of someone not yet registered."
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("practitioner_id" in attrs) == bool(attrs.get("email")):
                raise serializers.ValidationError("Send either a practitioner_id or an email: one of them.")
            return attrs

    @extend_schema_serializer(component_name="TeamInvitation")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        client_id = serializers.UUIDField()
        invitee_id = serializers.UUIDField(allow_null=True)
        invitee_email = serializers.EmailField(allow_blank=True, help_text="Only for someone not yet registered.")
        created_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="client_team_invitation_create",
        request=InputSerializer,
        responses={201: OutputSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, client_id: UUID) -> Response:
        viewer = _viewer(request)
        involvement = _own_current_involvement(viewer=viewer, client_id=client_id)
        if involvement is None:
            raise _not_found(request=request, client_id=client_id, reason="invite: not in the team, or no such client")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitee = None
        if "practitioner_id" in serializer.validated_data:
            # Whom the invite page offers: verified, active, not yet in the team; a sensitive agency's staff
            # only to their own agency. Anyone else is "not a colleague you can invite", never "not found".
            candidates = invite_candidates(viewer=viewer, client_id=involvement.client_id)
            invitee = candidates.filter(pk=serializer.validated_data["practitioner_id"]).first()
            if invitee is None:
                raise serializers.ValidationError(
                    {"practitioner_id": ["Choose a colleague from the directory who is not already in the team."]}
                )
        with _service_errors():
            invitation = team_invite(
                viewer=viewer,
                client=involvement.client,
                invitee=invitee,
                email=serializer.validated_data.get("email", ""),
                request=request,
            )
        return Response(self.OutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


# --- FHIR ----------------------------------------------------------------------------------------


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
        team = team_view_recorded(viewer=_viewer(request), client_id=client_id, request=request)
        return Response(care_team_resource(team=team))
