"""The team's daily jobs, in every council in use: remind assignees of tasks due, and ask members with no contact
recorded whether they are still involved. Beat sends the platform tasks (config/settings/base.py); each fans out
to the councils, and each council's task is safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.db import connection

from core.audit.origin import Origin
from core.teamwork.still_involved import involvement_checks_run
from core.teamwork.tasks import team_task_reminders_send
from tenants.fan_out import councils_fan_out
from tenants.models import Domain
from tenants.tasks_base import CouncilTask, PlatformTask

TASK_REMINDERS_COUNCIL = "teamwork.team_task_reminders_council"
CHECKS_COUNCIL = "teamwork.involvement_checks_council"


def council_origin() -> Origin:
    """Where the job's links lead: the council's own site (no request to take it from)."""
    domain = (
        Domain.objects.filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return Origin(base_url=f"{settings.PLATFORM_SCHEME}://{domain}{port}", path="(scheduled job)")


@shared_task(base=CouncilTask, name=TASK_REMINDERS_COUNCIL)
def team_task_reminders_council() -> int:
    """Remind this council's assignees of their tasks due today or overdue. Returns how many tasks."""
    return team_task_reminders_send(origin=council_origin())


@shared_task(base=CouncilTask, name=CHECKS_COUNCIL)
def involvement_checks_council() -> dict[str, int]:
    """Tonight's "still involved?" questions, reminders and escalations in this council."""
    run = involvement_checks_run(origin=council_origin())
    return {"asked": run.asked, "reminded": run.reminded, "escalated": run.escalated}


@shared_task(base=PlatformTask, name="teamwork.team_task_reminders_all")
def team_task_reminders_all() -> int:
    return councils_fan_out(task_name=TASK_REMINDERS_COUNCIL)


@shared_task(base=PlatformTask, name="teamwork.involvement_checks_all")
def involvement_checks_all() -> int:
    return councils_fan_out(task_name=CHECKS_COUNCIL)
