"""The team page, and what keeps the team connected: messages, meetings, tasks, "still involved?"."""

from django.urls import path

from core.teamwork.views.meetings import (
    meeting_cancel_page,
    meeting_change_page,
    meeting_detail,
    meeting_new,
    meeting_reply_page,
)
from core.teamwork.views.messages import team_message_new
from core.teamwork.views.team import client_team

urlpatterns = [
    path("clients/<uuid:client_id>/", client_team, name="client-team"),
    path("clients/<uuid:client_id>/messages/new/", team_message_new, name="team-message-new"),
    path("clients/<uuid:client_id>/meetings/new/", meeting_new, name="meeting-new"),
    path("clients/<uuid:client_id>/meetings/<uuid:meeting_id>/", meeting_detail, name="meeting"),
    path("clients/<uuid:client_id>/meetings/<uuid:meeting_id>/change/", meeting_change_page, name="meeting-change"),
    path("clients/<uuid:client_id>/meetings/<uuid:meeting_id>/cancel/", meeting_cancel_page, name="meeting-cancel"),
    path("clients/<uuid:client_id>/meetings/<uuid:meeting_id>/reply/", meeting_reply_page, name="meeting-reply"),
]
