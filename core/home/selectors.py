"""What the practitioner's home page shows: their clients, what changed in their teams, what is next,
and the teams they have been invited to join."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from core.accounts.models import User
from core.clients.models import Involvement, TeamInvitation
from core.clients.selectors import Dashboard, consent_covers, dashboard_for
from core.directory.models import Practitioner
from core.directory.selectors import practitioner_for_user
from core.governance.visibility import NO_CONSENT, policy_for
from core.teamwork.still_involved import CheckShown, involvement_checks_open_for
from core.teamwork.tasks import MyTask, my_tasks_for


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation to join a client's team: who asked (through the visibility policy) and the client,
    as much as a search hit would show."""

    client_id: object
    first_name: str
    surname: str
    date_of_birth: datetime.date | None
    invited_by: str | None  # None: the policy hides who invited them
    invited_at: datetime.datetime


@dataclass(frozen=True)
class HomePage:
    practitioner: Practitioner | None
    dashboard: Dashboard | None = None
    invitations: list[PendingInvitation] = field(default_factory=list)
    tasks: list[MyTask] = field(default_factory=list)  # my open tasks, due soonest first
    checks: list[CheckShown] = field(default_factory=list)  # "are you still involved?" questions waiting for me


def team_invitations_pending(*, viewer: Practitioner) -> list[PendingInvitation]:
    """Unanswered invitations to the viewer (or to their work email), one per client, newest first;
    none for teams the viewer is already in."""
    in_teams = Involvement.objects.filter(practitioner=viewer, ended_on__isnull=True).values("client_id")
    invitations = (
        TeamInvitation.objects.filter(
            Q(invitee=viewer) | Q(invitee__isnull=True, invitee_email__iexact=viewer.user.email),
            answered_at__isnull=True,
        )
        .exclude(client_id__in=in_teams)
        .select_related("client", "invited_by__user", "invited_by__agency")
        .order_by("-created_at")
    )
    invitations = list(invitations)
    if not invitations:
        return []
    policy = policy_for(viewer)
    covers = consent_covers(list({invitation.client_id for invitation in invitations}))
    pending: dict[object, PendingInvitation] = {}
    for invitation in invitations:
        if invitation.client_id in pending:
            continue
        pending[invitation.client_id] = PendingInvitation(
            client_id=invitation.client_id,
            first_name=invitation.client.first_name,
            surname=invitation.client.surname,
            date_of_birth=invitation.client.date_of_birth,
            invited_by=policy.practitioner_named(invitation.invited_by, covers.get(invitation.client_id, NO_CONSENT)),
            invited_at=invitation.created_at,
        )
    return list(pending.values())


def home_page_for(*, user: User, today: datetime.date) -> HomePage:
    practitioner = practitioner_for_user(user=user)
    if practitioner is None:
        return HomePage(practitioner=None)
    return HomePage(
        practitioner=practitioner,
        dashboard=dashboard_for(viewer=practitioner, today=today),
        invitations=team_invitations_pending(viewer=practitioner),
        tasks=my_tasks_for(viewer=practitioner, today=today),
        checks=involvement_checks_open_for(viewer=practitioner),
    )
