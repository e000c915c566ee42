"""The API's documentation page (``/api/v1/docs/``): the OpenAPI schema drf-spectacular serves at
``/api/v1/schema/``, read once per process and written out as a plain GOV.UK page that needs no JavaScript.

The schema does not change while the process runs, so it is generated once (``api_documentation``) and only
the template is rendered per request. Who may read the page is decided where it is routed, as for every page:
a person signed in with both factors (core/accounts/access.py); API clients may not (core/api_clients/scopes.py).

Every text of the schema is escaped; only inline code (backticks), web addresses and ``*`` lists are turned
into markup.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from drf_spectacular.generators import SchemaGenerator

from core.api_clients.middleware import PRACTITIONER_HEADER

SCHEMA_URLCONF = "config.urls_tenant"
HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
# How deep nested objects are listed: deeper ones are named, not expanded.
MAX_DEPTH = 4
# Paragraphs inside a table cell take the table's own (smaller on a phone) text size.
TABLE_PARAGRAPH = "govuk-!-margin-top-0 govuk-!-margin-bottom-2"

Schema = dict[str, Any]


@dataclass(frozen=True)
class Field:
    """One row of a field table: ``results[].agency.name`` and what it holds."""

    name: str
    type: str
    required: bool
    constraints: tuple[SafeString, ...]
    description: SafeString
    variant: str = ""


@dataclass(frozen=True)
class Body:
    """A request body, or one answer's content, for one or more media types that share a schema."""

    media_types: tuple[str, ...]
    type: str
    notes: tuple[SafeString, ...]
    description: SafeString
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    type: str
    constraints: tuple[SafeString, ...]
    description: SafeString


@dataclass(frozen=True)
class Answer:
    status: str
    title: str
    description: SafeString
    bodies: tuple[Body, ...]


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    description: SafeString
    parameters: tuple[Parameter, ...]
    request_body: Body | None
    request_body_required: bool
    answers: tuple[Answer, ...]
    # None: API clients may not call it; an empty tuple: any API client may; else the scopes it needs.
    client_scopes: tuple[str, ...] | None
    fhir: bool

    @property
    def title(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Tag:
    name: str
    title: str
    description: SafeString
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Scope:
    name: str
    description: str


@dataclass(frozen=True)
class ClientCredentials:
    description: SafeString
    token_url: str
    scopes: tuple[Scope, ...]


@dataclass(frozen=True)
class Documentation:
    title: str
    version: str
    description: SafeString
    tags: tuple[Tag, ...]
    session_cookie: str
    client_credentials: ClientCredentials | None
    fhir_operations: tuple[Operation, ...]
    fhir_links: tuple[str, ...]

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(operation for tag in self.tags for operation in tag.operations)


# --- Text --------------------------------------------------------------------------------------------------

_CODE = re.compile(r"``(.+?)``|`([^`]+)`")
_URL = re.compile(r"https?://[^\s<>()\"']*[^\s<>()\"'.,;:]")


def _linked(text: str) -> SafeString:
    parts: list[SafeString] = []
    position = 0
    for match in _URL.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(format_html('<a class="govuk-link patchwork-wrap" href="{0}">{0}</a>', match.group(0)))
        position = match.end()
    parts.append(escape(text[position:]))
    return _joined(parts)


def _inline(text: str) -> SafeString:
    parts: list[SafeString] = []
    position = 0
    for match in _CODE.finditer(text):
        parts.append(_linked(text[position : match.start()]))
        parts.append(format_html('<code class="patchwork-wrap">{}</code>', match.group(1) or match.group(2)))
        position = match.end()
    parts.append(_linked(text[position:]))
    return _joined(parts)


def _joined(parts: list[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _text(text: str | None, *, paragraph: str = "govuk-body") -> SafeString:
    """A schema's description as paragraphs (blank lines between) and bullet lists (lines starting ``* ``)."""
    blocks: list[SafeString] = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith(("* ", "- ")) for line in lines):
            items = format_html_join("", "<li>{}</li>", ((_inline(line[2:]),) for line in lines))
            blocks.append(format_html('<ul class="govuk-list govuk-list--bullet">{}</ul>', items))
        else:
            blocks.append(format_html('<p class="{}">{}</p>', paragraph, _inline(" ".join(lines))))
    return _joined(blocks)


def _code(value: Any) -> SafeString:
    shown = "null" if value is None else value if isinstance(value, str) else json.dumps(value)
    return format_html('<code class="patchwork-wrap">{}</code>', shown)


# --- Schemas -----------------------------------------------------------------------------------------------


class _Components:
    def __init__(self, schema: Schema) -> None:
        self.schemas: dict[str, Schema] = schema.get("components", {}).get("schemas", {})

    def resolve(self, schema: Schema) -> tuple[Schema, str]:
        """The schema a ``$ref`` (or a lone ``allOf`` around one) points to, with the referring schema's own
        keys (description, nullable, readOnly) laid over it; and the component's name ("" when inline)."""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            target = self.schemas.get(name, {})
            own = {key: value for key, value in schema.items() if key != "$ref"}
            resolved, _ = self.resolve(target)
            return {**resolved, **own}, name
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            inner, name = self.resolve(all_of[0])
            own = {key: value for key, value in schema.items() if key != "allOf"}
            return {**inner, **own}, name
        return schema, ""

    def type_of(self, schema: Schema) -> str:
        resolved, name = self.resolve(schema)
        alternatives = resolved.get("oneOf") or resolved.get("anyOf")
        kind = resolved.get("type")
        if isinstance(alternatives, list) and alternatives and not kind:
            if all(self._is_object(alternative) for alternative in alternatives):
                names = [self.resolve(alternative)[1] or "object" for alternative in alternatives]
                shown = f"object: one of {', '.join(names)}"
            else:
                shown = " or ".join(dict.fromkeys(self.type_of(alternative) for alternative in alternatives))
        elif kind == "array":
            shown = f"array of {self.type_of(resolved.get('items', {}))}"
        elif kind == "object" or "properties" in resolved:
            shown = f"object ({name})" if name else "object"
        elif kind:
            shown = f"{kind} ({resolved['format']})" if resolved.get("format") else str(kind)
        elif "enum" in resolved:
            shown = "enumeration"
        else:
            shown = "any"
        return f"{shown} or null" if resolved.get("nullable") else shown

    def _is_object(self, schema: Schema) -> bool:
        resolved, _ = self.resolve(schema)
        return resolved.get("type") == "object" or "properties" in resolved

    def constraints(self, schema: Schema) -> list[SafeString]:
        resolved, _ = self.resolve(schema)
        found: list[SafeString] = []
        alternatives = resolved.get("oneOf") or resolved.get("anyOf")
        if isinstance(alternatives, list) and not all(self._is_object(alternative) for alternative in alternatives):
            for alternative in alternatives:
                inner, _ = self.resolve(alternative)
                if inner.get("type") == "string" and inner.get("maxLength") == 0:
                    found.append(SafeString("Or empty"))
                else:
                    found.extend(self.constraints(inner))
        enum = resolved.get("enum")
        if isinstance(enum, list) and enum:
            found.append(format_html("One of {}", format_html_join(", ", "{}", ((_code(value),) for value in enum))))
        for key, label in (
            ("minLength", "At least {} characters"),
            ("maxLength", "At most {} characters"),
            ("minimum", "At least {}"),
            ("maximum", "At most {}"),
            ("exclusiveMinimum", "More than {}"),
            ("exclusiveMaximum", "Less than {}"),
            ("minItems", "At least {} items"),
            ("maxItems", "At most {} items"),
        ):
            if key in resolved and not (key == "maxLength" and resolved[key] == 0):
                found.append(format_html(label, resolved[key]))
        if "pattern" in resolved:
            found.append(format_html("Matches the pattern {}", _code(resolved["pattern"])))
        if "default" in resolved:
            found.append(format_html("Default {}", _code(json.dumps(resolved["default"]))))
        if resolved.get("additionalProperties") is False:
            found.append(SafeString("No other field is accepted"))
        return list(dict.fromkeys(found))

    def notes(self, schema: Schema) -> list[SafeString]:
        """What a whole body requires beyond its fields: sets of fields one of which must be sent, other fields
        refused, or keys that vary."""
        resolved, _ = self.resolve(schema)
        found: list[SafeString] = []
        alternatives = resolved.get("anyOf") or resolved.get("oneOf") or []
        sets = [alternative.get("required") for alternative in alternatives if isinstance(alternative, dict)]
        if sets and all(sets):
            shown = format_html_join(
                "",
                "<li>{}</li>",
                ((format_html_join(" and ", "{}", ((_code(name),) for name in names)),) for names in sets),
            )
            found.append(
                format_html(
                    'Send at least one of these sets of fields:<ul class="govuk-list govuk-list--bullet">{}</ul>', shown
                )
            )
        if resolved.get("additionalProperties") is False:
            found.append(SafeString("A field not listed here is refused (400)."))
        elif resolved.get("additionalProperties") not in (None, False) and not resolved.get("properties"):
            found.append(SafeString("An object whose keys vary: see the description."))
        return found

    def fields(
        self, schema: Schema, *, prefix: str, depth: int, trail: tuple[str, ...], variant: str = ""
    ) -> list[Field]:
        """A row for each property of an object, then the rows of what it holds, to ``MAX_DEPTH``; a component
        already being listed above is named, not listed again (a schema may refer to itself)."""
        resolved, _ = self.resolve(schema)
        required = set(resolved.get("required", []))
        rows: list[Field] = []
        for name, property_schema in resolved.get("properties", {}).items():
            inner, component = self.resolve(property_schema)
            constraints = self.constraints(property_schema)
            repeated = bool(component) and component in trail
            if repeated:
                constraints.append(format_html("Has the fields of {}, listed above", component))
            rows.append(
                Field(
                    name=f"{prefix}{name}",
                    type=self.type_of(property_schema),
                    required=name in required,
                    constraints=tuple(constraints),
                    description=_text(inner.get("description"), paragraph=TABLE_PARAGRAPH),
                    variant=variant,
                )
            )
            if not repeated:
                rows.extend(
                    self.children(
                        property_schema,
                        prefix=f"{prefix}{name}",
                        depth=depth + 1,
                        trail=(*trail, component) if component else trail,
                        variant=variant,
                    )
                )
        return rows

    def children(self, schema: Schema, *, prefix: str, depth: int, trail: tuple[str, ...], variant: str) -> list[Field]:
        if depth > MAX_DEPTH:
            return []
        resolved, component = self.resolve(schema)
        if component and component not in trail:
            trail = (*trail, component)
        if resolved.get("type") == "array":
            items, item_component = self.resolve(resolved.get("items", {}))
            if item_component and item_component in trail:
                return []
            item_trail = (*trail, item_component) if item_component else trail
            return self.children(items, prefix=f"{prefix}[]", depth=depth, trail=item_trail, variant=variant)
        alternatives = resolved.get("oneOf") or resolved.get("anyOf")
        if isinstance(alternatives, list) and alternatives and all(self._is_object(one) for one in alternatives):
            rows: list[Field] = []
            discriminator = resolved.get("discriminator") or {}
            key = discriminator.get("propertyName")
            mapped = {ref.rsplit("/", 1)[-1]: value for value, ref in (discriminator.get("mapping") or {}).items()}
            for alternative in alternatives:
                inner, name = self.resolve(alternative)
                if name and name in trail:
                    continue
                label = name or "one form"
                value = mapped.get(name)
                if key and value is None:
                    value = (self.resolve(inner.get("properties", {}).get(key, {}))[0].get("enum") or [None])[0]
                if key and value is not None:
                    label = f"when {key} is “{value}”"
                rows.extend(
                    self.fields(
                        inner,
                        prefix=f"{prefix}.",
                        depth=depth,
                        trail=(*trail, name) if name else trail,
                        variant=label,
                    )
                )
            return rows
        if resolved.get("properties"):
            return self.fields(resolved, prefix=f"{prefix}.", depth=depth, trail=trail, variant=variant)
        return []

    def body(self, media_types: tuple[str, ...], schema: Schema) -> Body:
        resolved, component = self.resolve(schema)
        trail = (component,) if component else ()
        if resolved.get("properties"):
            rows = self.fields(resolved, prefix="", depth=1, trail=trail)
        else:
            rows = self.children(resolved, prefix="", depth=1, trail=trail, variant="")
        return Body(
            media_types=media_types,
            type=self.type_of(schema),
            notes=tuple(self.notes(schema)),
            description=_text(resolved.get("description")),
            fields=tuple(rows),
        )

    def bodies(self, content: dict[str, Any]) -> tuple[Body, ...]:
        """One body per distinct schema, naming every media type that answers it."""
        grouped: dict[str, tuple[tuple[str, ...], Schema]] = {}
        for media_type, media in content.items():
            schema = media.get("schema", {})
            key = json.dumps(schema, sort_keys=True)
            media_types, _ = grouped.get(key, ((), schema))
            grouped[key] = ((*media_types, media_type), schema)
        return tuple(self.body(media_types, schema) for media_types, schema in grouped.values())


def _status_title(status: str) -> str:
    try:
        return f"{status} {HTTPStatus(int(status)).phrase}"
    except ValueError:
        return "Any other status" if status == "default" else status


def _client_scopes(operation: Schema) -> tuple[str, ...] | None:
    for requirement in operation.get("security", []):
        if "oauth2" in requirement:
            return tuple(requirement["oauth2"])
    return None


def _operation(components: _Components, path: str, method: str, operation: Schema) -> Operation:
    parameters = tuple(
        Parameter(
            name=parameter["name"],
            location=parameter.get("in", ""),
            required=bool(parameter.get("required")),
            type=components.type_of(parameter.get("schema", {})),
            constraints=tuple(components.constraints(parameter.get("schema", {}))),
            description=_text(parameter.get("description"), paragraph=TABLE_PARAGRAPH),
        )
        for parameter in (components.resolve(one)[0] for one in operation.get("parameters", []))
    )
    request_body, _ = components.resolve(operation.get("requestBody", {}))
    bodies = components.bodies(request_body.get("content", {}))
    answers = tuple(
        Answer(
            status=status,
            title=_status_title(status),
            description=_text(answer.get("description")),
            bodies=components.bodies(answer.get("content", {})),
        )
        for status, answer in sorted(operation.get("responses", {}).items())
    )
    media_types = {media for answer in operation.get("responses", {}).values() for media in answer.get("content", {})}
    anchor = operation.get("operationId") or f"{method}-{path}"
    return Operation(
        anchor="operation-" + re.sub(r"[^A-Za-z0-9_-]+", "-", anchor).strip("-"),
        method=method.upper(),
        path=path,
        description=_text(
            "\n\n".join(part for part in (operation.get("summary"), operation.get("description")) if part)
        ),
        parameters=parameters,
        request_body=bodies[0] if bodies else None,
        request_body_required=bool(request_body.get("required")),
        answers=answers,
        client_scopes=_client_scopes(operation),
        fhir=any("fhir" in media for media in media_types),
    )


def documentation_of(schema: Schema) -> Documentation:
    """What the page shows of an OpenAPI 3 schema."""
    components = _Components(schema)
    declared = {tag["name"]: tag for tag in schema.get("tags", []) if isinstance(tag, dict) and "name" in tag}
    by_tag: dict[str, list[Operation]] = {name: [] for name in declared}
    for path, methods in schema.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in methods:
                operation = _operation(components, path, method, methods[method])
                tag = (methods[method].get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append(operation)
    tags = tuple(
        Tag(
            name=name,
            title=name.replace("_", " ").replace("-", " ").capitalize(),
            description=_text(declared.get(name, {}).get("description")),
            operations=tuple(operations),
        )
        for name, operations in by_tag.items()
        if operations
    )
    schemes = schema.get("components", {}).get("securitySchemes", {})
    session_cookie = next(
        (
            scheme.get("name", "")
            for scheme in schemes.values()
            if scheme.get("type") == "apiKey" and scheme.get("in") == "cookie"
        ),
        "",
    )
    client_credentials = None
    for scheme in schemes.values():
        flow = scheme.get("flows", {}).get("clientCredentials") if scheme.get("type") == "oauth2" else None
        if flow:
            client_credentials = ClientCredentials(
                description=_text(scheme.get("description")),
                token_url=flow.get("tokenUrl", ""),
                scopes=tuple(Scope(name, description) for name, description in flow.get("scopes", {}).items()),
            )
            break
    fhir_operations = tuple(operation for tag in tags for operation in tag.operations if operation.fhir)
    fhir_links = tuple(
        dict.fromkeys(re.findall(r"https?://hl7\.org/fhir/[^\s<>()\"']*[^\s<>()\"'.,;:]", json.dumps(schema)))
    )
    info = schema.get("info", {})
    return Documentation(
        title=info.get("title", "API"),
        version=str(info.get("version", "")),
        description=_text(info.get("description"), paragraph="govuk-body-l"),
        tags=tags,
        session_cookie=session_cookie,
        client_credentials=client_credentials,
        fhir_operations=fhir_operations,
        fhir_links=fhir_links,
    )


@cache
def api_schema() -> Schema:
    """The schema ``/api/v1/schema/`` serves, generated once per process (it changes only with the code)."""
    return SchemaGenerator(api_version="1", urlconf=SCHEMA_URLCONF).get_schema(request=None, public=True)


@cache
def api_documentation() -> Documentation:
    return documentation_of(api_schema())


def _rate_limit() -> str:
    count, _, period = str(settings.API_CLIENT_RATE_LIMIT).partition("/")
    periods = {"s": "second", "m": "minute", "h": "hour", "d": "day"}
    return f"{count} calls a {periods.get(period[:1], period)}"


def api_docs(request: HttpRequest) -> HttpResponse:
    token_seconds = settings.OAUTH2_PROVIDER.get("ACCESS_TOKEN_EXPIRE_SECONDS", 0)
    return render(
        request,
        "api/docs.html",
        {
            "documentation": api_documentation(),
            "practitioner_header": PRACTITIONER_HEADER,
            "rate_limit": _rate_limit(),
            "token_minutes": token_seconds // 60,
        },
    )
