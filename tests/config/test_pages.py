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
