"""Rotating SECRET_KEY (docs/runbooks/rotate-secrets.md) keeps printed backup codes working while the old key is a
fallback, and only then: codes are kept as keyed hashes, so the key that hashed them must still be known."""

import pytest
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from core.accounts.models import BackupCode, BackupCodeDevice
from tenants.models import Council
from tests.conftest import host_of
from tests.core.accounts.helpers import code_step, give_backup_code, password_step
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.council_side

OLD_KEY = "the-key-before-the-rotation-" + "x" * 40
NEW_KEY = "the-key-after-the-rotation-" + "y" * 40
CODE = "rotate42k"


@pytest.fixture
def practitioner_with_a_code_made_under_the_old_key(council_a: Council):
    with schema_context(council_a.schema_name):
        user = PractitionerFactory(user__email="kim@agency.example").user
    with override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[]):
        give_backup_code(user, council_a, CODE)
    return user


def _remaining_codes(council: Council, user) -> int:
    with schema_context(council.schema_name):
        return BackupCode.objects.filter(device__in=BackupCodeDevice.objects.filter(user=user)).count()


def test_a_backup_code_still_signs_in_after_a_rotation_that_keeps_the_old_key_as_fallback(
    council_a: Council, practitioner_with_a_code_made_under_the_old_key
) -> None:
    user = practitioner_with_a_code_made_under_the_old_key
    client = Client(HTTP_HOST=host_of(council_a))
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        password_step(client, user.email)
        response = code_step(client, CODE)
    assert response.status_code == 302
    assert response.url == "/"
    assert _remaining_codes(council_a, user) == 0  # used up, as any backup code is


def test_once_the_old_key_is_dropped_its_backup_codes_are_refused_and_kept(
    council_a: Council, practitioner_with_a_code_made_under_the_old_key
) -> None:
    user = practitioner_with_a_code_made_under_the_old_key
    client = Client(HTTP_HOST=host_of(council_a))
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        password_step(client, user.email)
        response = code_step(client, CODE)
    assert response.status_code == 200  # the code page again, with its error
    assert "/sign-in/code/" in response.request["PATH_INFO"]
    assert _remaining_codes(council_a, user) == 1  # nothing used up
