"""Pages every site has, signed in or not: the accessibility statement and the privacy notice."""

import pytest
from django.test import Client

from tenants.models import Council

pytestmark = pytest.mark.platform_side


@pytest.mark.parametrize(
    ("path", "heading"), [("/accessibility/", "Accessibility statement"), ("/privacy/", "Privacy")]
)
def test_platform_and_council_sites_publish_the_statements(
    platform_client: Client, client_a: Client, council_a: Council, path: str, heading: str
) -> None:
    for client in (platform_client, client_a):
        response = client.get(path)
        assert response.status_code == 200
        assert heading in response.content.decode()
    assert f"{council_a.name} is the controller" in client_a.get("/privacy/").content.decode()


def test_a_councils_statement_names_the_council_and_its_own_jurisdictions_enforcement(
    client_a: Client, client_b: Client, council_a: Council, council_b: Council
) -> None:
    english = client_a.get("/accessibility/").content.decode()
    assert f"Accessibility statement for {council_a.name}" in english
    assert "Equality and Human Rights Commission" in english
    assert "Australian Human Rights Commission" not in english

    victorian = client_b.get("/accessibility/").content.decode()
    assert f"Accessibility statement for {council_b.name}" in victorian
    assert "Australian Human Rights Commission" in victorian
    assert "Equal Opportunity Act 2010 (Victoria)" in victorian
    assert "Equality and Human Rights Commission" not in victorian


def test_the_platforms_statement_gives_every_jurisdictions_enforcement_and_what_is_not_yet_accessible(
    platform_client: Client,
) -> None:
    from config.accessibility import KNOWN_ISSUES

    page = platform_client.get("/accessibility/").content.decode()
    assert "Equality and Human Rights Commission" in page
    assert "Australian Human Rights Commission" in page
    assert "partially compliant" in page
    for issue in KNOWN_ISSUES:
        assert issue.criteria in page
    assert 'href="mailto:accessibility@patchwork.example"' in page
    assert "WCAG" in page
    assert "390 pixels" in page


def test_the_statement_reads_nothing_from_a_councils_schema(
    client_a: Client, council_a: Council, django_assert_max_num_queries
) -> None:
    """It must load for anyone, even when the council's own tables cannot be read: no query of its own."""
    client_a.get("/accessibility/")  # the council's host resolved once and remembered
    with django_assert_max_num_queries(0):
        assert client_a.get("/accessibility/").status_code == 200
