"""Join a team, keep my involvement current, leave it, and invite a colleague, through the API."""

from typing import Any
from uuid import UUID

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import AllowListedSerializer
from core.audit.origin import Origin
from core.clients.apis.common import (
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    InvolvementOutputSerializer,
    not_found,
    service_errors,
    viewer_of,
)
from core.clients.joining import join_needs_approval, join_request_create
from core.clients.search_session import search_hit_recent
from core.clients.selectors import client_to_join, invite_candidates, involvement_current
from core.clients.services import (
    involvement_end,
    involvement_start,
    involvement_update,
    team_invite,
)


@extend_schema_serializer(component_name="JoinRequest")
class JoinRequestOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    client_id = serializers.UUIDField()
    role = serializers.CharField()
    reason = serializers.CharField()
    decision = serializers.CharField(help_text='"pending" until the lead professional decides.')
    requested_at = serializers.DateTimeField()


class InvolvementStartApi(APIView):
    """Join a client's team with a reason: only a client found in the viewer's last search, or one
    they were invited to (404 otherwise, and nothing is created). The team is told.

    Where the council's rules want the lead professional's approval, this asks to join instead: the answer is
    202 with the request, and the viewer joins when the lead professional approves it (on the team's page)."""

    @extend_schema_serializer(component_name="InvolvementStartInput")
    class InputSerializer(AllowListedSerializer):
        role = serializers.CharField(max_length=120, help_text='Your role in the case, e.g. "School nurse".')
        reason = serializers.CharField(max_length=300, help_text="Why you are joining this team.")

    @extend_schema(
        operation_id="client_involvement_start",
        request=InputSerializer,
        responses={
            201: InvolvementOutputSerializer,
            202: OpenApiResponse(
                JoinRequestOutputSerializer,
                description="The council needs the lead professional's approval: this is the request made.",
            ),
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, client_id: UUID) -> Response:
        viewer = viewer_of(request)
        found = search_hit_recent(request.session, client_id)
        client = client_to_join(viewer=viewer, client_id=client_id, found_in_last_search=found)
        if client is None:
            raise not_found(request=request, client_id=client_id, reason="join without a search hit or invitation")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            if join_needs_approval():
                asked = join_request_create(
                    viewer=viewer, client=client, origin=Origin.from_request(request), **serializer.validated_data
                )
                return Response(JoinRequestOutputSerializer(asked).data, status=status.HTTP_202_ACCEPTED)
            involvement = involvement_start(
                viewer=viewer, client=client, origin=Origin.from_request(request), **serializer.validated_data
            )
        return Response(InvolvementOutputSerializer(involvement).data, status=status.HTTP_201_CREATED)


class InvolvementUpdateApi(APIView):
    """Keep my own current involvement up to date. Fields left out keep their value; a date may be null."""

    @extend_schema_serializer(component_name="InvolvementUpdateInput")
    class InputSerializer(AllowListedSerializer):
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
        viewer = viewer_of(request)
        involvement = involvement_current(viewer=viewer, client_id=client_id)
        if involvement is None:
            raise not_found(request=request, client_id=client_id, reason="no current involvement to update")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        with service_errors():
            involvement = involvement_update(
                viewer=viewer,
                involvement=involvement,
                role=changes.get("role", involvement.role),
                is_lead=changes.get("is_lead", involvement.is_lead),
                last_contact_on=changes.get("last_contact_on", involvement.last_contact_on),
                next_contact_on=changes.get("next_contact_on", involvement.next_contact_on),
                origin=Origin.from_request(request),
            )
        return Response(InvolvementOutputSerializer(involvement).data)


class InvolvementEndApi(APIView):
    """End my own current involvement: I become "previously involved" and no longer see the team."""

    @extend_schema_serializer(component_name="InvolvementEndInput")
    class InputSerializer(AllowListedSerializer):
        """Takes nothing: send ``{}`` or no body."""

    @extend_schema(
        operation_id="client_involvement_mine_end",
        request=InputSerializer,
        responses={200: InvolvementOutputSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, client_id: UUID) -> Response:
        viewer = viewer_of(request)
        involvement = involvement_current(viewer=viewer, client_id=client_id)
        if involvement is None:
            raise not_found(request=request, client_id=client_id, reason="no current involvement to end")
        self.InputSerializer(data=request.data or {}).is_valid(raise_exception=True)
        with service_errors():
            involvement = involvement_end(viewer=viewer, involvement=involvement, origin=Origin.from_request(request))
        return Response(InvolvementOutputSerializer(involvement).data)


class TeamInvitationCreateApi(APIView):
    """Invite a colleague to the team: a registered one by id (someone the viewer could choose on the invite
    page), or someone not yet registered by work email. Only current members invite (404 otherwise, audited)."""

    @extend_schema_serializer(component_name="TeamInvitationInput")
    class InputSerializer(AllowListedSerializer):
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
        viewer = viewer_of(request)
        involvement = involvement_current(viewer=viewer, client_id=client_id)
        if involvement is None:
            raise not_found(request=request, client_id=client_id, reason="invite: not in the team, or no such client")
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
        with service_errors():
            invitation = team_invite(
                viewer=viewer,
                client=involvement.client,
                invitee=invitee,
                email=serializer.validated_data.get("email", ""),
                origin=Origin.from_request(request),
            )
        return Response(self.OutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvolvementUpdateInputSchema(OpenApiSerializerExtension):
    """At least one field to change (``{}`` is refused)."""

    target_class = InvolvementUpdateApi.InputSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        return auto_schema._map_serializer(self.target, direction, bypass_extensions=True) | {"minProperties": 1}


class TeamInvitationInputSchema(OpenApiSerializerExtension):
    """Exactly one of ``practitioner_id`` and ``email``."""

    target_class = TeamInvitationCreateApi.InputSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["oneOf"] = [
            {"required": ["practitioner_id"], "not": {"required": ["email"]}},
            {"required": ["email"], "not": {"required": ["practitioner_id"]}},
        ]
        return schema
