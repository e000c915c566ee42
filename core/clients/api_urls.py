"""Client API routes under /api/v1/ (search, add, team, involvements, invitations, FHIR CareTeam). No personal data in
any URL: clients are named by their opaque id, and searching is a POST."""

from django.urls import path

from core.clients.apis.add import ClientCreateApi
from core.clients.apis.correct import ClientCorrectApi
from core.clients.apis.involvement import (
    InvolvementEndApi,
    InvolvementStartApi,
    InvolvementUpdateApi,
    TeamInvitationCreateApi,
)
from core.clients.apis.search import ClientSearchApi
from core.clients.apis.team import CareTeamFhirDetailApi, ClientTeamDetailApi

urlpatterns = [
    path("clients/", ClientCreateApi.as_view(), name="client-create"),
    path("clients/search/", ClientSearchApi.as_view(), name="client-search"),
    path("clients/<uuid:client_id>/", ClientCorrectApi.as_view(), name="client-correct"),
    path("clients/<uuid:client_id>/team/", ClientTeamDetailApi.as_view(), name="client-team"),
    path("clients/<uuid:client_id>/involvements/", InvolvementStartApi.as_view(), name="client-involvement-start"),
    path("clients/<uuid:client_id>/involvements/mine/", InvolvementUpdateApi.as_view(), name="client-involvement-mine"),
    path(
        "clients/<uuid:client_id>/involvements/mine/end/",
        InvolvementEndApi.as_view(),
        name="client-involvement-mine-end",
    ),
    path(
        "clients/<uuid:client_id>/invitations/", TeamInvitationCreateApi.as_view(), name="client-team-invitation-create"
    ),
    path("clients/<uuid:client_id>/fhir/care-team/", CareTeamFhirDetailApi.as_view(), name="client-fhir-care-team"),
]
