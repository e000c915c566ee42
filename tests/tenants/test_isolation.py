"""A row written in one council is invisible from another: through the ORM, over HTTP, in the cache."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from core.directory.models import Agency
from core.governance.models import LegalBasis
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD, AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side


def test_row_written_in_council_a_is_not_visible_in_council_b(council_a: Council, council_b: Council) -> None:
    with schema_context(council_a.schema_name):
        AgencyFactory(name="Alpha Youth Offending Service")
        assert Agency.objects.filter(name="Alpha Youth Offending Service").count() == 1
    with schema_context(council_b.schema_name):
        assert Agency.objects.filter(name="Alpha Youth Offending Service").count() == 0
        assert Agency.objects.count() == 0


def test_each_council_has_its_own_jurisdictions_legal_bases(council_a: Council, council_b: Council) -> None:
    with schema_context(council_a.schema_name):
        codes_a = set(LegalBasis.objects.values_list("code", flat=True))
    with schema_context(council_b.schema_name):
        codes_b = set(LegalBasis.objects.values_list("code", flat=True))
    assert "children-act-2004-s10-s11" in codes_a
    assert "children-act-2004-s10-s11" not in codes_b
    assert "cwsa-2005-part-6a" in codes_b
    assert "cwsa-2005-part-6a" not in codes_a


def test_council_tables_do_not_exist_in_the_public_schema(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name IN ('clients_client', 'directory_agency', 'clients_involvement')"
        )
        assert cursor.fetchone()[0] == 0


def test_council_pages_show_only_that_councils_data(
    council_a: Council, council_b: Council, client_a: Client, client_b: Client
) -> None:
    with schema_context(council_a.schema_name):
        practitioner_a = PractitionerFactory(user__email="sam@alpha.example", agency__name="Alpha Housing")
        AgencyFactory.create_batch(2)
    with schema_context(council_b.schema_name):
        PractitionerFactory(user__email="sam@beta.example", agency__name="Beta Family Services")

    sign_in(client_a, practitioner_a.user, council_a)
    page = client_a.get("/").content.decode()
    assert "Alpha Housing" in page
    assert "Beta Family Services" not in page
    assert practitioner_a.user.first_name in page

    # The same person's session cookie, replayed at council B's host, is meaningless there.
    client_b.cookies = client_a.cookies
    response = client_b.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_council_a_credentials_do_not_work_at_council_b(council_a: Council, client_b: Client) -> None:
    with schema_context(council_a.schema_name):
        PractitionerFactory(user__email="robin@alpha.example")
    response = client_b.post("/sign-in/", {"email": "robin@alpha.example", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct work email and password." in response.content.decode()
    assert "_auth_user_id" not in client_b.session


def test_cache_keys_carry_the_council(council_a: Council, council_b: Council) -> None:
    with schema_context(council_a.schema_name):
        cache.set("team-size", 7)
        key_a = cache.make_key("team-size")
    try:
        with schema_context(council_b.schema_name):
            assert cache.get("team-size") is None
            key_b = cache.make_key("team-size")
        assert key_a != key_b
        assert council_a.schema_name in key_a
        assert council_b.schema_name in key_b
        with schema_context(council_a.schema_name):
            assert cache.get("team-size") == 7
    finally:
        with schema_context(council_a.schema_name):
            cache.delete("team-size")


def test_a_passkey_made_at_council_a_is_unknown_at_council_b(council_a: Council, council_b: Council) -> None:
    """Passkeys live in each council's schema: council B's sign-in cannot find, list or remove council A's."""
    from django_otp_webauthn.models import WebAuthnCredential

    with schema_context(council_a.schema_name):
        user = PractitionerFactory(user__email="robin@alpha.example").user
        WebAuthnCredential.objects.create(
            user=user,
            credential_id=b"alpha-passkey",
            public_key=b"\x00",
            aaguid="00000000-0000-0000-0000-000000000000",
            confirmed=True,
        )
    with schema_context(council_b.schema_name):
        assert not WebAuthnCredential.objects.filter(credential_id_sha256__isnull=False).exists()
