"""The team page, and what keeps the team connected: messages, meetings, tasks, "still involved?"."""

from django.urls import path

from core.teamwork.views.still_involved import still_involved_answer
from core.teamwork.views.tasks import team_task_give, team_task_mark_done
from core.teamwork.views.team import client_team

urlpatterns = [
    path("clients/<uuid:client_id>/", client_team, name="client-team"),
    path("clients/<uuid:client_id>/tasks/new/", team_task_give, name="team-task-give"),
    path("clients/<uuid:client_id>/tasks/<uuid:task_id>/done/", team_task_mark_done, name="team-task-done"),
    path("still-involved/<str:token>/", still_involved_answer, name="still-involved-answer"),
]
