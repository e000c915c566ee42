"""Team tasks: one member gives another a small task with a due date; the assignee (or whoever gave it) marks it done.

Only current members give tasks, and only to a current member they see in full through the visibility policy
(never a confidential service's placeholder). A task outlives its assignee's involvement: it stays on the team
page as theirs, marked as previously involved. Notices say who gave the task (through the policy) and when it is
due: never the task's text, never the client.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import dateformat, timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Involvement
from core.clients.selectors import consent_covers
from core.directory.models import Practitioner
from core.governance.rules import SensitiveMode
from core.governance.selectors import rules_current_annotation, rules_of
from core.governance.visibility import NO_CONSENT, ConsentCover, Detail, Policy, policy_for
from core.inbox.models import NoticeKind
from core.inbox.services.notices import notices_send
from core.teamwork.models import TASK_MOST, TeamTask

DUE_WITHIN_DAYS = 365


class TeamTaskNotFound(ObjectDoesNotExist):
    """No such task in this team, or the asker is not in the team: the page says "not found"."""


@dataclass(frozen=True)
class AssigneeChoice:
    practitioner_id: uuid.UUID
    label: str  # "Nia Nurse, School nurse, Alpha Primary School"; "(you)" for the viewer


@dataclass(frozen=True)
class TaskShown:
    """An open task as a member of the team may see it: names through the visibility policy."""

    id: uuid.UUID
    description: str
    due_on: datetime.date
    overdue: bool
    due_today: bool
    assignee: str  # "you", a name, or "A confidential service"
    assignee_previously_involved: bool
    assigned_by: str | None  # None: the viewer may not learn who (their own task, given by a hidden member)
    can_mark_done: bool


@dataclass(frozen=True)
class MyTask:
    """One of the viewer's own open tasks, for the home page."""

    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    description: str
    due_on: datetime.date
    overdue: bool
    due_today: bool


def _current_members(client_id: object) -> list[Involvement]:
    return list(
        Involvement.objects.filter(client_id=client_id, ended_on__isnull=True)
        .select_related("practitioner__user", "practitioner__agency")
        .order_by("-is_lead", "started_on", "pk")
    )


def _consent_of(client_id: object) -> ConsentCover:
    """What the client's current consent covers, for the visibility policy. One query."""
    return consent_covers([client_id]).get(uuid.UUID(str(client_id)), NO_CONSENT)


def _seen_in_full(policy: Policy, practitioner: Practitioner, consent: ConsentCover) -> bool:
    return practitioner.pk == policy.viewer.pk or policy.practitioner_detail(practitioner, consent) is Detail.FULL


def task_assignees_for(*, viewer: Practitioner, client_id: object) -> list[AssigneeChoice]:
    """The current members the viewer may give a task to: those they see in full (themselves included). Empty
    for anyone not in the team. Three queries."""
    members = _current_members(client_id)
    if not any(member.practitioner_id == viewer.pk for member in members):
        return []
    policy = policy_for(viewer)
    consent = _consent_of(client_id)
    choices = []
    for member in members:
        practitioner = member.practitioner
        if not _seen_in_full(policy, practitioner, consent):
            continue
        you = " (you)" if practitioner.pk == viewer.pk else ""
        parts = [f"{practitioner.user.full_name}{you}", member.role, practitioner.agency.name]
        choices.append(AssigneeChoice(practitioner_id=practitioner.pk, label=", ".join(part for part in parts if part)))
    return choices


def _due_on_checked(due_on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    if due_on is None:
        raise ValidationError({"due_on": "Enter the due date"})
    if due_on < today:
        raise ValidationError({"due_on": "The due date must be today or later"})
    if due_on > today + datetime.timedelta(days=DUE_WITHIN_DAYS):
        raise ValidationError({"due_on": "The due date must be within a year"})
    return due_on


def _description_checked(description: str) -> str:
    description = " ".join(description.split())  # one line: a task is a line, not a plan
    if not description:
        raise ValidationError({"description": "Say what the task is"})
    if len(description) > TASK_MOST:
        raise ValidationError({"description": f"The task must be {TASK_MOST} characters or fewer"})
    return description


def _team_link(client_id: object) -> str:
    return reverse("client-team", kwargs={"client_id": client_id}) + "#team-tasks"


@transaction.atomic
def team_task_assign(
    *,
    actor: Practitioner,
    client_id: uuid.UUID,
    assignee_id: object,
    description: str,
    due_on: datetime.date | None,
    origin: Origin,
) -> TeamTask:
    """Give a current member of the team a task. Only a current member gives one, to a member they see in full.
    The assignee is told (unless they gave it themselves): who gave it and when it is due, no more."""
    members = _current_members(client_id)
    if not any(member.practitioner_id == actor.pk for member in members):
        raise PermissionDenied("Only members of the team can give tasks in it.")
    policy = policy_for(actor)
    consent = _consent_of(client_id)
    errors: dict[str, str] = {}
    assignee = next((m.practitioner for m in members if str(m.practitioner_id) == str(assignee_id)), None)
    if assignee is None or not _seen_in_full(policy, assignee, consent):
        errors["assignee"] = "Choose a current member of the team"
    checked: dict[str, object] = {}
    for name, check, value in (
        ("description", _description_checked, description),
        ("due_on", _due_on_checked, due_on),
    ):
        try:
            checked[name] = check(value)  # type: ignore[operator]
        except ValidationError as error:
            errors[name] = error.message_dict[name][0]
    if errors or assignee is None:
        raise ValidationError(errors)
    task = TeamTask.objects.create(
        client_id=client_id,
        assigned_by=actor,
        assignee=assignee,
        description=checked["description"],
        due_on=checked["due_on"],
    )
    audit_record(
        action=AuditAction.TEAM_TASK_ASSIGNED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="team_task",
        object_id=task.pk,
        related_ids=[client_id, assignee.pk],
    )
    if assignee.pk != actor.pk:
        actor = Practitioner.objects.select_related("user", "agency").get(pk=actor.pk)
        who = Policy(viewer=assignee, rules=policy.rules).practitioner_named(actor, consent)
        due = dateformat.format(task.due_on, "j F Y")
        text = (
            f"{who} gave you a task in the team around one of your clients, due {due}."
            if who
            else f"You have been given a task in the team around one of your clients, due {due}."
        )
        notices_send(
            recipients=[assignee.user],
            kind=NoticeKind.TASK,
            text=text,
            link=_team_link(client_id),
            subject="A task for you in Patchwork",
            origin=origin,
            client_id=client_id,
        )
    return task


@transaction.atomic
def team_task_done(*, actor: Practitioner, client_id: object, task_id: object, origin: Origin) -> TeamTask:
    """Mark a task done: its assignee or whoever gave it, while a current member of the team; once. Whoever
    gave it is told when someone else marks it done.

    ``TeamTaskNotFound`` for a task not in this team or an actor outside it (the page says "not found");
    PermissionDenied for another member; ValidationError when it is already done."""
    if not Involvement.objects.filter(client_id=client_id, practitioner=actor, ended_on__isnull=True).exists():
        raise TeamTaskNotFound
    task = (
        TeamTask.objects.select_for_update(of=("self",))
        .select_related("assigned_by__user", "assigned_by__agency")
        .filter(pk=task_id, client_id=client_id)
        .first()
    )
    if task is None:
        raise TeamTaskNotFound
    if actor.pk not in (task.assignee_id, task.assigned_by_id):
        raise PermissionDenied("Only the member the task was given to, or who gave it, can mark it done.")
    if task.done_at is not None:
        raise ValidationError("This task is already done.")
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["done_at", "done_by"])
    audit_record(
        action=AuditAction.TEAM_TASK_DONE,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="team_task",
        object_id=task.pk,
        related_ids=[client_id],
    )
    if actor.pk != task.assigned_by_id:
        giver = task.assigned_by
        actor = Practitioner.objects.select_related("user", "agency").get(pk=actor.pk)
        consent = _consent_of(client_id)
        who = policy_for(giver).practitioner_named(actor, consent) or "The member you gave it to"
        notices_send(
            recipients=[giver.user],
            kind=NoticeKind.TASK,
            text=f"{who} marked done the task you gave in the team around one of your clients, "
            f"due {dateformat.format(task.due_on, 'j F Y')}.",
            link=_team_link(client_id),
            subject="A task you gave is done",
            origin=origin,
            client_id=task.client_id,
        )
    return task


def _named(policy: Policy, practitioner: Practitioner, consent: ConsentCover) -> str | None:
    if practitioner.pk == policy.viewer.pk:
        return "you"
    return policy.practitioner_named(practitioner, consent)


def team_tasks_for(*, client_id: object, viewer: Practitioner) -> list[TaskShown]:
    """The team's open tasks, due soonest first, as a current member of the team may see them: names through the
    visibility policy; a task of someone the viewer may not see at all is left out (unless it is the viewer's own).
    Empty for anyone not in the team (a break-glass viewer too).

    One query, whatever the number of tasks: the tasks, each with the rules in force, whether the viewer is in the
    team and whether its assignee still is. One more only when a sensitive service is shown with consent (what the
    client's consent covers)."""
    current = Involvement.objects.filter(client_id=client_id, ended_on__isnull=True)
    tasks = list(
        TeamTask.objects.filter(client_id=client_id, done_at__isnull=True)
        .annotate(
            rules_in_force=rules_current_annotation(),
            viewer_in_team=Exists(current.filter(practitioner_id=viewer.pk)),
            assignee_in_team=Exists(current.filter(practitioner_id=OuterRef("assignee_id"))),
        )
        .select_related("assignee__user", "assignee__agency", "assigned_by__user", "assigned_by__agency")
        .order_by("due_on", "created_at")
    )
    if not tasks or not tasks[0].viewer_in_team:  # type: ignore[attr-defined]
        return []
    policy = Policy(viewer=viewer, rules=rules_of(tasks[0].rules_in_force))  # type: ignore[attr-defined]
    with_consent = any(
        service.mode is SensitiveMode.WITH_CONSENT for service in policy.rules.sensitive_services.values()
    )
    consent = _consent_of(client_id) if with_consent else NO_CONSENT
    today = timezone.localdate()
    shown = []
    for task in tasks:
        assignee = _named(policy, task.assignee, consent)
        assigned_by = _named(policy, task.assigned_by, consent)
        own = viewer.pk in (task.assignee_id, task.assigned_by_id)
        if assignee is None or (assigned_by is None and not own):
            continue
        shown.append(
            TaskShown(
                id=task.pk,
                description=task.description,
                due_on=task.due_on,
                overdue=task.due_on < today,
                due_today=task.due_on == today,
                assignee=assignee,
                assignee_previously_involved=not task.assignee_in_team,  # type: ignore[attr-defined]
                assigned_by=assigned_by,
                can_mark_done=own,
            )
        )
    return shown


def my_tasks_for(*, viewer: Practitioner, today: datetime.date) -> list[MyTask]:
    """The viewer's open tasks in the teams they are still in, due soonest first. One query."""
    in_teams = Involvement.objects.filter(practitioner=viewer, ended_on__isnull=True).values("client_id")
    tasks = (
        TeamTask.objects.filter(assignee=viewer, done_at__isnull=True, client_id__in=in_teams)
        .select_related("client")
        .order_by("due_on", "created_at")
    )
    return [
        MyTask(
            id=task.pk,
            client_id=task.client_id,
            client_name=f"{task.client.first_name} {task.client.surname}",
            description=task.description,
            due_on=task.due_on,
            overdue=task.due_on < today,
            due_today=task.due_on == today,
        )
        for task in tasks
    ]


@transaction.atomic
def team_task_reminders_send(*, origin: Origin) -> int:
    """Remind each assignee, once a day, of their open tasks due today or overdue in the teams they are still in.
    Safe to run again: a task reminded today (``reminded_on``) is not taken again, and a second run at the same
    moment skips the tasks the first holds (they are locked while it reminds). The same five queries however many
    tasks are due. Returns how many tasks were reminded of."""
    today = timezone.localdate()
    in_team = Involvement.objects.filter(
        client_id=OuterRef("client_id"), practitioner_id=OuterRef("assignee_id"), ended_on__isnull=True
    )
    tasks = list(
        TeamTask.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(Exists(in_team), done_at__isnull=True, due_on__lte=today, assignee__user__is_active=True)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("assignee__user")
    )
    if not tasks:
        return 0
    TeamTask.objects.filter(pk__in=[task.pk for task in tasks]).update(reminded_on=today)
    notices_send(
        recipients=[task.assignee.user for task in tasks],
        kind=NoticeKind.TASK,
        text="You have a task due today, or overdue, in the team around one or more of your clients.",
        link="/#my-tasks",
        subject="A task of yours is due",
        origin=origin,
    )
    return len(tasks)
