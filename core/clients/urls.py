"""Client pages: find, add, the team around the client, join, keep your involvement current, invite."""

from django.urls import path

from core.clients.views.add import client_add
from core.clients.views.break_glass import (
    break_glass_end_page,
    break_glass_review_page,
    break_glass_reviews_page,
    client_break_glass,
)
from core.clients.views.consent import consent_page, consent_withdraw_page
from core.clients.views.correct import client_correct_page
from core.clients.views.involvement import (
    client_join,
    involvement_end_page,
    involvement_update_page,
    team_invite_page,
)
from core.clients.views.join_requests import join_request_page
from core.clients.views.search import client_search_page

urlpatterns = [
    path("clients/search/", client_search_page, name="client-search"),
    path("clients/new/", client_add, name="client-add"),
    path("clients/<uuid:client_id>/correct/", client_correct_page, name="client-correct"),
    path("clients/<uuid:client_id>/join/", client_join, name="client-join"),
    path("clients/<uuid:client_id>/my-involvement/", involvement_update_page, name="involvement-update"),
    path("clients/<uuid:client_id>/my-involvement/end/", involvement_end_page, name="involvement-end"),
    path("clients/<uuid:client_id>/invite/", team_invite_page, name="team-invite"),
    path("clients/<uuid:client_id>/consent/", consent_page, name="client-consent"),
    path(
        "clients/<uuid:client_id>/consent/<uuid:consent_id>/withdraw/", consent_withdraw_page, name="consent-withdraw"
    ),
    path("clients/<uuid:client_id>/join-requests/<uuid:request_id>/", join_request_page, name="client-join-request"),
    path("clients/<uuid:client_id>/break-glass/", client_break_glass, name="client-break-glass"),
    path("break-glass/<uuid:access_id>/end/", break_glass_end_page, name="break-glass-end"),
    path("break-glass/reviews/", break_glass_reviews_page, name="break-glass-reviews"),
    path("break-glass/reviews/<uuid:access_id>/", break_glass_review_page, name="break-glass-review"),
]
