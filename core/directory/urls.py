from django.urls import path

from core.accounts.access import public_page
from core.directory import views

urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/invite/", views.invite, name="invite"),
    path(
        "team/practitioners/<uuid:practitioner_id>/<slug:action>/",
        views.practitioner_action,
        name="practitioner-action",
    ),
    path("invitations/<str:token>/", public_page(views.invitation_open), name="invitation"),
]
