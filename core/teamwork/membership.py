"""The current team of a client, as one of its members acts on it: who is in it, and how each is named to whom.

Messages and meetings are for the people currently in the team. A practitioner outside it — another agency's,
a former member, someone who opened the team by break-glass, anyone asking about another council's client — is
told the team does not exist (``NotInTeam``), whatever the reason.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from core.clients.consent import consent_cover
from core.clients.models import Client, Involvement
from core.directory.models import Practitioner
from core.governance.rules import Rules
from core.governance.selectors import rules_current
from core.governance.visibility import ConsentCover, Detail, Policy

A_MEMBER = "A member of the team"
ONLY_MEMBERS = "Choose only people who are in the team now."


class NotInTeam(Exception):
    """The practitioner is not in the client's current team, or there is no such client: answer "not found"."""


@dataclass(frozen=True)
class CurrentTeam:
    """A client's current team (each practitioner with their account and agency), the rules in force and what
    the client's consent covers: everything needed to name members to one another, read once."""

    client: Client
    members: list[Practitioner]
    rules: Rules
    consent: ConsentCover

    def policy(self, viewer: Practitioner) -> Policy:
        return Policy(viewer=viewer, rules=self.rules)

    def member(self, practitioner_id: object) -> Practitioner | None:
        return next((person for person in self.members if str(person.pk) == str(practitioner_id)), None)

    def knows_of(self, viewer: Practitioner, who: Practitioner) -> bool:
        """Whether the policy lets ``viewer`` know that ``who`` is in the team at all (by name, or as a
        confidential service): a message or an invitation from someone hidden from the viewer would reveal them."""
        return self.policy(viewer).practitioner_detail(who, self.consent) is not Detail.HIDDEN

    def reachable_by(self, actor: Practitioner) -> list[Practitioner]:
        """The other members ``actor`` may send to or invite: those who may know ``actor`` is in the team, and
        can sign in (a deactivated account is neither told nor emailed)."""
        return [
            person
            for person in self.members
            if person.pk != actor.pk and person.user.is_active and self.knows_of(person, actor)
        ]

    def choosable_by(self, actor: Practitioner) -> list[Practitioner]:
        """The members ``actor`` may pick by name (to message or invite): those the policy shows them in full and
        who may know of them. A confidential service's practitioner shown to them as a placeholder, or not at all,
        is never offered: choosing them would need to know who they are."""
        policy = self.policy(actor)
        return [
            person
            for person in self.reachable_by(actor)
            if policy.practitioner_detail(person, self.consent) is Detail.FULL
        ]

    def chosen_by(self, actor: Practitioner, ids: Iterable[object], *, field: str) -> list[Practitioner]:
        """The members ``actor`` chose by id, in the team's order; a ValidationError on ``field`` when any id is
        not one they may choose (someone outside the team, another council's practitioner, a placeholder)."""
        wanted = {str(value) for value in ids}
        allowed = {str(person.pk): person for person in self.choosable_by(actor)}
        if not wanted <= set(allowed):
            raise ValidationError({field: ONLY_MEMBERS})
        return [person for key, person in allowed.items() if key in wanted]

    def named_to(self, viewer: Practitioner, who: Practitioner) -> str:
        """``who`` as ``viewer`` may be told: their name and agency, "A confidential service", or "A member of
        the team" when the policy hides them from the viewer altogether."""
        return self.policy(viewer).practitioner_named(who, self.consent) or A_MEMBER

    def shown_in_full_to(self, viewer: Practitioner, who: Practitioner) -> bool:
        return self.policy(viewer).practitioner_detail(who, self.consent) is Detail.FULL


def team_current_for_member(*, actor: Practitioner, client_id: object) -> CurrentTeam:
    """The client's current team, for ``actor`` who must be in it; ``NotInTeam`` otherwise. Three queries,
    whatever the team's size: the current involvements with their practitioners and the client, the rules in
    force, what the client's consent covers."""
    try:
        client_uuid = uuid.UUID(str(client_id))
    except ValueError as error:
        raise NotInTeam from error
    involvements = list(
        Involvement.objects.filter(client_id=client_uuid, ended_on__isnull=True)
        .select_related("client", "practitioner__user", "practitioner__agency")
        .order_by("-is_lead", "started_on", "pk")
    )
    if not any(involvement.practitioner_id == actor.pk for involvement in involvements):
        raise NotInTeam
    client = involvements[0].client
    return CurrentTeam(
        client=client,
        members=[involvement.practitioner for involvement in involvements],
        rules=rules_current(),
        consent=consent_cover(client),
    )
