"""The OpenAPI schema says what every API endpoint really answers and takes (``DEFAULT_SCHEMA_CLASS``):
the refusals every API view can give (400, 403, 404, 415) with their bodies, and text that is not blank
(after trimming) and holds no NUL character where the serializers require so. Schemathesis holds the API
to it (tests/core/clients_api/test_schemathesis.py).

Kept apart from ``config.api``: DRF imports the parser while it loads its settings, before drf-spectacular
may be imported.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

# Text a serializer takes: never a NUL character (DRF refuses it); where blank is not allowed, at least one
# character that is neither white space (DRF trims it) nor NUL.
TEXT_PATTERN = r"^[^\x00]*$"
NON_BLANK_TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


@extend_schema_serializer(component_name="ApiError")
class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


INVALID_INPUT_SCHEMA = {
    "type": "object",
    "description": 'Field name → list of messages ("non_field_errors" for the whole input), or "detail".',
    "additionalProperties": True,
}

STANDARD_ERRORS = {
    "400": "Invalid input: malformed JSON, a field that is not accepted, or a value that is not valid.",
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
        if "requestBody" in operation or any(parameter["in"] == "query" for parameter in parameters):
            codes.append("400")
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
