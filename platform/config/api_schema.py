"""The OpenAPI schema says what every API endpoint really answers and takes (``DEFAULT_SCHEMA_CLASS``):
the refusals every API view can give (400, 403, 404, 415) with their bodies, and text that is not blank
(after trimming) and holds no control character where the serializers require so. Schemathesis holds the API
to it (tests/core/clients_api/test_schemathesis.py).

Kept apart from ``config.api``: DRF imports the parser while it loads its settings, before drf-spectacular
may be imported.
"""

from collections.abc import Mapping
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

# Text a serializer takes: no control character but tab, line feed and carriage return (the request is
# refused before any view runs: config.control_characters); where blank is not allowed, at least one
# character that is neither white space (DRF trims it) nor such a control character.
_ALLOWED = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
TEXT_PATTERN = rf"^{_ALLOWED}*$"
NON_BLANK_TEXT_PATTERN = rf"^{_ALLOWED}*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{_ALLOWED}*$"


class AllowListedSerializer(serializers.Serializer):
    """API input that names a field the endpoint does not take is refused (400), never silently applied or
    ignored (SECURITY.md DP-4). The schema says so: ``additionalProperties: false``."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: ["This field is not accepted."] for key in unknown})
        return super().to_internal_value(data)


@extend_schema_serializer(component_name="ApiError")
class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


INVALID_INPUT_SCHEMA = {
    "type": "object",
    "description": 'Field name → list of messages ("non_field_errors" for the whole input), or "detail".',
    "additionalProperties": True,
}

STANDARD_ERRORS = {
    "400": "Invalid input: malformed JSON, a field that is not accepted, a value that is not valid, or a "
    "control character in the address.",
    "403": "Not signed in with both factors, or not allowed to do this.",
    "404": "No such resource, or the viewer may not see it.",
    "415": "The body is not JSON (Content-Type: application/json).",
}


class PatchworkAutoSchema(AutoSchema):
    """drf-spectacular's schema, completed with what every API view answers and requires."""

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        plain_text = (
            direction == "request"
            and type(field) is serializers.CharField
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and not {"format", "pattern", "enum"} & set(schema)
        )
        if plain_text:
            schema["pattern"] = TEXT_PATTERN if field.allow_blank else NON_BLANK_TEXT_PATTERN
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> Any:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, AllowListedSerializer):
            schema["additionalProperties"] = False
        return schema

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        if "requestBody" in operation and getattr(self.get_request_serializer(), "fields", None):
            operation["requestBody"]["required"] = True  # only an input that takes nothing may be left out
        responses = operation.setdefault("responses", {})
        media_types = {media for response in responses.values() for media in response.get("content", {})}
        error_ref = {"$ref": self.resolve_serializer(ApiErrorSerializer, "response").ref["$ref"]}
        codes = ["403"]
        parameters = operation.get("parameters", [])
        if any(parameter["in"] == "path" for parameter in parameters):
            codes.append("404")
        codes.append("400")  # any request: a control character in its address is refused before any view runs
        if "requestBody" in operation:
            codes.append("415")
        for code in codes:
            if code in responses:
                continue
            schema = INVALID_INPUT_SCHEMA if code == "400" else error_ref
            content = {media: {"schema": schema} for media in media_types if "json" in media} or {
                "application/json": {"schema": schema}
            }
            responses[code] = {"content": content, "description": STANDARD_ERRORS[code]}
        return operation
