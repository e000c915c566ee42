"""What every client API view shares: allow-listed input, error answers, who is asking, team members."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.request import Request

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin, signed_in_user_id
from core.audit.services.events import audit_record
from core.clients.dates_of_birth import date_of_birth_check
from core.clients.identifiers import LONGEST_INPUT as IDENTIFIER_LONGEST_INPUT
from core.clients.identifiers import NHS_NUMBER, UNIQUE_PUPIL_NUMBER, VICTORIAN_STUDENT_NUMBER, identifier_clean
from core.clients.postcodes import LONGEST_INPUT, council_jurisdiction, postcode_clean
from core.directory.models import Practitioner
from core.directory.selectors import practitioner_for_user
from core.governance.visibility import MemberView


class PostcodeField(serializers.CharField):
    """A postcode of the council's jurisdiction (``core.clients.postcodes``), answered normalised."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", LONGEST_INPUT)
        kwargs.setdefault(
            "help_text", "A UK postcode for an English council, a 4-digit Victorian postcode for a Victorian one."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return postcode_clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class IdentifierField(serializers.CharField):
    """One of the council's identifiers (``core.clients.identifiers``), answered compact. A council refuses an
    identifier its jurisdiction does not record (a Victorian council: NHS number and UPN; an English council:
    the Victorian Student Number)."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.identifier = name
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", IDENTIFIER_LONGEST_INPUT)
        kwargs.setdefault("help_text", IDENTIFIER_HELP[name])
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return identifier_clean(self.identifier, value, jurisdiction=council_jurisdiction())
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


IDENTIFIER_HELP = {
    NHS_NUMBER: "England only: 10 digits, the last a modulus-11 check digit.",
    UNIQUE_PUPIL_NUMBER: "England only: 13 characters, the first a check letter (DfE).",
    VICTORIAN_STUDENT_NUMBER: "Victoria only: 9 digits.",
}


class DateOfBirthField(serializers.DateField):
    """A date of birth a person can have: not in the future, not more than 120 years ago."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        try:
            return date_of_birth_check(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


@extend_schema_serializer(component_name="ClientApiError")
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such client, or the viewer may not see it.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not signed in with both factors.")
INVALID = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: field name → list of messages.")


def viewer_of(request: Request) -> Practitioner:
    practitioner = practitioner_for_user(user=request.user)
    if practitioner is None:
        raise exceptions.PermissionDenied("Only practitioners can use the client API.")
    return practitioner


def not_found(*, request: Request, client_id: UUID, reason: str) -> exceptions.NotFound:
    """A refusal that never reveals whether the client exists; recorded like every denial (AUD-1)."""
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=Origin.from_request(request),
        actor_id=signed_in_user_id(request),
        object_type="client",
        object_id=client_id,
        reason=reason,
    )
    return exceptions.NotFound()


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's ValidationError becomes a 400 with the same field messages."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise serializers.ValidationError(detail) from error


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
    join_reason = serializers.CharField(allow_blank=True, help_text="Why they joined the team.")
    agency_suspended = serializers.BooleanField(
        help_text="The council has suspended their agency: they cannot sign in until it is approved again."
    )

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
