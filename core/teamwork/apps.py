from django.apps import AppConfig


class TeamworkConfig(AppConfig):
    """Keeping the team connected: messages, meetings, tasks, and asking whether members are still involved."""

    name = "core.teamwork"
    label = "teamwork"
    verbose_name = "Teamwork"
