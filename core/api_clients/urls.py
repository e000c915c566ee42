"""An agency's API clients (council administration) and the token endpoint API clients call."""

from django.urls import path

from core.accounts.access import public_page
from core.api_clients import views
from core.api_clients.token import TOKEN_PATH, ApiClientTokenView

urlpatterns = [
    path(
        "administration/agencies/<uuid:agency_id>/api-clients/",
        views.api_client_list,
        name="api-clients",
    ),
    path(
        "administration/agencies/<uuid:agency_id>/api-clients/<uuid:api_client_id>/rotate/",
        views.api_client_rotate_page,
        name="api-client-rotate",
    ),
    path(
        "administration/agencies/<uuid:agency_id>/api-clients/<uuid:api_client_id>/revoke/",
        views.api_client_revoke_page,
        name="api-client-revoke",
    ),
    # Public: the client proves itself with its id and secret; the view refuses everything else (and audits it).
    path(TOKEN_PATH.lstrip("/"), public_page(ApiClientTokenView.as_view()), name="api-client-token"),
]
