"""The team page, and what keeps the team connected: messages, meetings, tasks, "still involved?"."""

from django.urls import path

from core.teamwork.views.team import client_team

urlpatterns = [
    path("clients/<uuid:client_id>/", client_team, name="client-team"),
]
