"""Every client endpoint is documented in the OpenAPI schema with its request and response shapes."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.council_side

CLIENT = "/api/v1/clients/{client_id}"


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator(urlconf="config.urls_tenant", api_version="1").get_schema(request=None, public=True)


@pytest.mark.parametrize(
    ("path", "method", "request_component", "success"),
    [
        ("/api/v1/clients/search/", "post", "ClientSearchInput", "200"),
        (f"{CLIENT}/team/", "get", None, "200"),
        (f"{CLIENT}/involvements/", "post", "InvolvementStartInput", "201"),
        (f"{CLIENT}/involvements/mine/", "patch", "PatchedInvolvementUpdateInput", "200"),
        (f"{CLIENT}/involvements/mine/end/", "post", None, "200"),
        (f"{CLIENT}/fhir/care-team/", "get", None, "200"),
    ],
)
def test_client_endpoints_are_documented(
    schema: dict, path: str, method: str, request_component: str | None, success: str
) -> None:
    operation = schema["paths"][path][method]
    assert set(operation["responses"]) >= {success, "403"}
    assert operation["responses"][success]["content"]
    if request_component:
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{request_component}"}
    if "{client_id}" in path:
        assert "404" in operation["responses"]
        [parameter] = [p for p in operation["parameters"] if p["in"] == "path"]
        assert parameter["schema"] == {"type": "string", "format": "uuid"}


def test_only_post_is_documented_for_search(schema: dict) -> None:
    assert set(schema["paths"]["/api/v1/clients/search/"]) == {"post"}


def test_placeholder_member_is_documented_with_only_kind_and_contact(schema: dict) -> None:
    components = schema["components"]["schemas"]
    assert set(components["TeamMemberConfidentialService"]["properties"]) == {"kind", "contact_via"}
    assert components["TeamMember"]["discriminator"]["propertyName"] == "kind"


def test_care_team_is_documented_as_fhir_json(schema: dict) -> None:
    responses = schema["paths"][f"{CLIENT}/fhir/care-team/"]["get"]["responses"]
    assert "application/fhir+json" in responses["200"]["content"]


def test_the_schema_validates_with_no_warning(tmp_path: object) -> None:
    """drf-spectacular's own validation (OpenAPI 3 validator), failing on any warning or error."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--urlconf", "config.urls_tenant", "--file", f"{tmp_path}/s.yml"
    )


def test_search_documents_the_minimum_criteria_and_every_refusal(schema: dict) -> None:
    component = schema["components"]["schemas"]["ClientSearchInput"]
    assert [sorted(branch["required"]) for branch in component["anyOf"]] == [
        ["date_of_birth", "surname"],
        ["identifier"],
        ["first_name", "postcode", "surname"],
    ]
    operation = schema["paths"]["/api/v1/clients/search/"]["post"]
    assert operation["requestBody"]["required"] is True
    assert set(operation["responses"]) == {"200", "400", "403", "415", "429"}


def test_fhir_refusals_are_documented_as_operation_outcomes(schema: dict) -> None:
    responses = schema["paths"][f"{CLIENT}/fhir/care-team/"]["get"]["responses"]
    for code in ("403", "404"):
        outcome = responses[code]["content"]["application/fhir+json"]["schema"]
        assert outcome["properties"]["resourceType"]["enum"] == ["OperationOutcome"]
