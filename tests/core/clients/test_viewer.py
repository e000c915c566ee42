"""Who is asking: the practitioner of the signed-in user, read once."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.clients.views.viewer import viewer_for
from tenants.models import Council
from tests.core.clients.conftest import Team
from tests.factories import UserFactory

pytestmark = pytest.mark.council_side


def test_a_practitioner_read_with_the_user_is_used_without_a_query(
    council_a: Council, team: Team, django_assert_num_queries: object
) -> None:
    with schema_context(council_a.schema_name):
        request = RequestFactory().get("/")
        request.user = User.objects.select_related("practitioner__agency").get(pk=team.member.user_id)
        with django_assert_num_queries(0):  # type: ignore[operator]
            viewer = viewer_for(request)
        assert viewer == team.member
        assert viewer.agency.name == "Alpha Children's Services"
        assert viewer.user is request.user


def test_otherwise_the_practitioner_is_read_with_its_agency_in_one_query(
    council_a: Council, team: Team, django_assert_num_queries: object
) -> None:
    with schema_context(council_a.schema_name):
        request = RequestFactory().get("/")
        request.user = User.objects.get(pk=team.member.user_id)
        with django_assert_num_queries(1):  # type: ignore[operator]
            viewer = viewer_for(request)
            assert viewer.agency.name == "Alpha Children's Services"
        assert request.user.practitioner == team.member  # the navigation reads it from the user


def test_a_user_who_is_no_practitioner_is_refused_either_way(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        user = UserFactory()
        for read in (User.objects.select_related("practitioner__agency"), User.objects.all()):
            request = RequestFactory().get("/")
            request.user = read.get(pk=user.pk)
            with pytest.raises(PermissionDenied):
                viewer_for(request)
