from django.apps import AppConfig


class TeamworkConfig(AppConfig):
    """Keeping the team connected: messages, meetings, tasks, and asking whether members are still involved."""

    name = "core.teamwork"
    label = "teamwork"
    verbose_name = "Teamwork"

    def ready(self) -> None:
        # The app's Celery tasks live in jobs.py (tasks.py is the team tasks themselves): register them.
        import core.teamwork.jobs  # noqa: F401
