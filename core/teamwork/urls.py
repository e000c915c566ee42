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
from core.teamwork.views.still_involved import still_involved_answer
from core.teamwork.views.tasks import team_task_give, team_task_mark_done
from core.teamwork.views.team import client_team

urlpatterns = [
    path("clients/<uuid:client_id>/", client_team, name="client-team"),
    path("clients/<uuid:client_id>/messages/new/", team_message_new, name="team-message-new"),
    path("clients/<uuid:client_id>/meetings/new/", meeting_new, name="meeting-new"),
    path("clients/<uuid:client_id>/meetings/<uuid:meeting_id>/", meeting_detail, name="meeting"),
    path("clients/<uuid:client_id>/meetings/<uuid:meeting_id>/change/", meeting_change_page, name="meeting-change"),
    path("clients/<uuid:client_id>/meetings/<uuid:meeting_id>/cancel/", meeting_cancel_page, name="meeting-cancel"),
    path("clients/<uuid:client_id>/meetings/<uuid:meeting_id>/reply/", meeting_reply_page, name="meeting-reply"),
    path("clients/<uuid:client_id>/tasks/new/", team_task_give, name="team-task-give"),
    path("clients/<uuid:client_id>/tasks/<uuid:task_id>/done/", team_task_mark_done, name="team-task-done"),
    path("still-involved/<str:token>/", still_involved_answer, name="still-involved-answer"),
]
