"""The API's documentation page (/api/v1/docs/): made on the server from the same OpenAPI schema as
/api/v1/schema/, readable without JavaScript, and shown only to whoever could read the docs before: a person
signed in with both factors at the council's site."""

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator

from config.api_docs import HTTP_METHODS, documentation_of
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.api_clients.conftest import call, client_made, system_a, token_of  # noqa: F401
from tests.core.clients_api.conftest import Team, practitioner, team  # noqa: F401
from tests.factories import TEST_PASSWORD, PractitionerFactory

pytestmark = pytest.mark.council_side

DOCS = "/api/v1/docs/"


def _schema() -> dict[str, Any]:
    return SchemaGenerator(api_version="1", urlconf="config.urls_tenant").get_schema(request=None, public=True)


class _Page(HTMLParser):
    """The headings of operations (``<h3 id=…>``), every table's rows as text, and the scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.html_lang: str | None = None
        self._heading: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "script":
            self.scripts.append(attributes)
        elif tag == "h3" and attributes.get("id", "").startswith("operation-"):
            self._heading = attributes["id"]
            self.headings[self._heading] = ""
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._heading = None
        elif tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self.headings[self._heading] += data
        if self._cell is not None:
            self._cell.append(data)


def _read(response: Any) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


@pytest.fixture
def signed_in(client_a: Client, council_a: Council) -> Client:
    with schema_context(council_a.schema_name):
        reader = PractitionerFactory(user__email="reader@alpha.example")
    sign_in(client_a, reader.user, council_a)
    return client_a


def test_the_page_lists_every_operation_of_the_schema_without_javascript(signed_in: Client) -> None:
    response = signed_in.get(DOCS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = _read(response)
    expected = {
        f"{method.upper()} {path}"
        for path, methods in _schema()["paths"].items()
        for method in methods
        if method in HTTP_METHODS
    }
    assert expected
    assert {" ".join(text.split()) for text in page.headings.values()} == expected
    html = response.content.decode()
    for anchor in page.headings:
        assert f'href="#{anchor}"' in html, f"no contents link to {anchor}"
    # Nothing is drawn by a script: the only one is the site's own module file, no inline script at all.
    assert [script.get("src") for script in page.scripts] == ["/static/js/app.js"]
    assert (page.html_lang or "").lower() == "en-gb"


def test_a_request_field_is_shown_with_its_constraints(signed_in: Client) -> None:
    schema = _schema()
    body = schema["paths"]["/api/v1/clients/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    fields = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    first_name = fields["properties"]["first_name"]
    rows = _read(signed_in.get(DOCS)).rows
    row = next(
        row for row in rows if row[0] == "first_name" and f"At most {first_name['maxLength']} characters" in row[3]
    )
    assert row[1] == "string"
    assert row[2] == ("Yes" if "first_name" in fields["required"] else "No")
    assert f"Matches the pattern {first_name['pattern']}" in row[3]


def test_parameters_and_answers_are_in_tables_with_captions_and_scoped_headers(signed_in: Client) -> None:
    html = signed_in.get(DOCS).content.decode()
    tables = re.findall(r"<table\b.*?</table>", html, flags=re.S)
    assert tables
    for table in tables:
        assert '<caption class="govuk-table__caption' in table
        assert re.search(r"<th\b(?![^>]*\bscope=)", table) is None, table[:200]
    rows = _read(signed_in.get(DOCS)).rows
    # A path parameter of the team operation; an answer's fields down to the members of a list, by their kind.
    assert ["client_id", "path", "Yes", "string (uuid)", ""] in rows
    assert ["current[].name when kind is “practitioner”", "string", "Yes", ""] in rows
    assert any(row[0].startswith("current[].contact_via when kind is “confidential_service”") for row in rows)


def test_it_explains_both_ways_to_authenticate_and_links_to_the_raw_schema_and_fhir(signed_in: Client) -> None:
    html = signed_in.get(DOCS).content.decode()
    schemes = _schema()["components"]["securitySchemes"]
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] in html
    for scope in flow["scopes"]:
        assert f"<code>{scope}</code>" in html
    assert "Patchwork-Practitioner" in html
    assert "client_credentials" in html
    assert 'href="/api/v1/schema/"' in html
    assert 'href="https://hl7.org/fhir/R4/careteam.html"' in html
    raw = signed_in.get("/api/v1/schema/?format=json")
    assert raw.status_code == 200
    assert raw.json()["paths"].keys() == _schema()["paths"].keys()


def test_anyone_not_signed_in_with_both_factors_is_refused(client_a: Client, council_a: Council) -> None:
    anonymous = client_a.get(DOCS)
    assert anonymous.status_code == 403
    assert anonymous.json() == {"detail": "Sign in with your password and second factor first."}
    with schema_context(council_a.schema_name):
        halfway = PractitionerFactory(user__email="halfway@alpha.example")
    assert client_a.post("/sign-in/", {"email": halfway.user.email, "password": TEST_PASSWORD}).status_code == 302
    after_password = client_a.get(DOCS)
    assert after_password.status_code == 403
    assert "/api/v1/clients/" not in after_password.content.decode()


def test_an_api_client_may_not_read_the_page(system_a: Client, council_a: Council, team: Team) -> None:  # noqa: F811
    token = token_of(system_a, client_made(council_a, team.children))
    response = call(system_a, "get", DOCS, token=token, practitioner=team.member)
    assert response.status_code == 403
    assert response.json() == {"detail": "API clients may not use this route."}


def test_a_schema_that_refers_to_itself_is_listed_once_and_named_where_it_recurs() -> None:
    node = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "maxLength": 10},
            "parent": {"$ref": "#/components/schemas/Node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    }
    schema = {
        "info": {"title": "Trees", "version": "1"},
        "paths": {
            "/nodes/": {
                "post": {
                    "operationId": "node_create",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}},
                    "responses": {"201": {"description": "Made"}},
                }
            }
        },
        "components": {"schemas": {"Node": node}},
    }
    [operation] = documentation_of(schema).operations
    assert operation.request_body is not None
    names = [field.name for field in operation.request_body.fields]
    assert names == ["name", "parent", "children"]
    parent = operation.request_body.fields[1]
    assert parent.type == "object (Node)"
    assert "Has the fields of Node, listed above" in parent.constraints
    assert operation.request_body.fields[2].type == "array of object (Node)"


def test_descriptions_are_escaped_and_only_code_and_addresses_become_markup() -> None:
    schema = {
        "info": {
            "title": "T",
            "version": "1",
            "description": "<script>alert(1)</script> `code` https://example.org/a.",
        },
        "paths": {},
    }
    shown = str(documentation_of(schema).description)
    assert "<script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert '<code class="patchwork-wrap">code</code>' in shown
    assert '<a class="govuk-link patchwork-wrap" href="https://example.org/a">https://example.org/a</a>.' in shown
