"""Expired access tokens are cleared from the council's schema; a token still valid, or only just expired, stays."""

import datetime

import pytest
from django.test import Client as Browser
from django.utils import timezone
from django_tenants.utils import schema_context
from oauth2_provider.models import AccessToken

from core.api_clients.services import api_client_tokens_expired_clear
from tenants.models import Council
from tests.core.api_clients.conftest import Team, client_made, token_of

pytestmark = pytest.mark.council_side


def test_tokens_expired_over_an_hour_ago_are_cleared_and_no_others(
    system_a: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    for _ in range(3):
        token_of(system_a, issued)
    with schema_context(council_a.schema_name):
        old, recent, valid = AccessToken.objects.order_by("pk")
        now = timezone.now()
        AccessToken.objects.filter(pk=old.pk).update(expires=now - datetime.timedelta(hours=2))
        AccessToken.objects.filter(pk=recent.pk).update(expires=now - datetime.timedelta(minutes=5))

        assert api_client_tokens_expired_clear() == 1
        assert set(AccessToken.objects.values_list("pk", flat=True)) == {recent.pk, valid.pk}
        assert api_client_tokens_expired_clear() == 0  # running it again changes nothing
