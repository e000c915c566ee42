"""Reads about clients. Everything that can reveal a client or an involvement takes the viewer and
goes through the visibility policy (core/governance/visibility.py)."""

import datetime
import re
from dataclasses import dataclass, field
from uuid import UUID

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Greatest, Replace, Upper

from core.clients.identifiers import identifier_hint, search_identifier_check
from core.clients.models import Client, ClientAlias, FamilyMember, Involvement, TeamActivity, TeamInvitation
from core.clients.postcodes import council_jurisdiction
from core.directory.models import ApprovalState, Practitioner
from core.governance.rules import Rules, SearchMinimum
from core.governance.selectors import rules_current
from core.governance.visibility import MemberView, Policy, policy_for

RESULT_CAP = 20
SIMILARITY_WITH_DATE_OF_BIRTH = 0.2  # the date narrows the field: typos and transpositions still match
SIMILARITY_WITHOUT_DATE_OF_BIRTH = 0.4


class SearchCriteriaError(ValueError):
    """The criteria are below the council's minimum: a search needs more to go on."""


@dataclass(frozen=True)
class SearchCriteria:
    surname: str = ""
    first_name: str = ""
    date_of_birth: datetime.date | None = None
    postcode: str = ""
    identifier: str = ""

    def check(self, rules: Rules | None = None) -> str:
        """Which minimum is met ("identifier", "surname+dob", "name+postcode"), or raise. The council's
        minimum (``Rules.search_minimum``) is read once and kept with the criteria: the query and the cap that
        follow use the same rules, and a search reads them once."""
        if rules is not None:
            object.__setattr__(self, "_rules", rules)
        strict = self.rules.search_minimum == SearchMinimum.STRICT
        if self.identifier.strip():
            try:  # a mistyped NHS number or UPN would find nobody: say so rather than "no match"
                search_identifier_check(self.identifier, jurisdiction=council_jurisdiction())
            except ValidationError as error:
                raise SearchCriteriaError(error.messages[0]) from error
            return "identifier"
        if strict:
            if self.surname.strip() and self.first_name.strip() and self.date_of_birth:
                return "surname+dob"
            raise SearchCriteriaError(
                "Enter a surname, first name and date of birth, or an identifier "
                f"({identifier_hint(council_jurisdiction())}): the council needs one of these to search."
            )
        if self.surname.strip() and self.date_of_birth:
            return "surname+dob"
        if self.surname.strip() and self.first_name.strip() and self.postcode.strip():
            return "name+postcode"
        raise SearchCriteriaError(
            "Enter a surname and date of birth, or an identifier "
            f"({identifier_hint(council_jurisdiction())}), or a surname, first name and postcode."
        )

    @property
    def rules(self) -> Rules:
        """The council's rules this search is held to: those given to ``check``, or the rules in force."""
        if "_rules" not in self.__dict__:
            object.__setattr__(self, "_rules", rules_current())
        return self.__dict__["_rules"]


@dataclass(frozen=True)
class SearchHit:
    """Only what identifies the person: never the team."""

    client_id: UUID
    first_name: str
    surname: str
    date_of_birth: datetime.date | None
    postcode_district: str
    agencies_involved: int
    viewer_in_team: bool


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    too_many: bool
    criteria_kind: str


def _agencies_involved() -> Count:
    return Count("involvements__practitioner__agency", filter=Q(involvements__ended_on__isnull=True), distinct=True)


def _viewer_involved(viewer: Practitioner) -> Count:
    return Count("involvements", filter=Q(involvements__ended_on__isnull=True, involvements__practitioner=viewer))


def normalise_postcode(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode).upper()


def client_search(*, viewer: Practitioner, criteria: SearchCriteria) -> SearchResult:
    kind = criteria.check()
    rows = list(client_search_rows(viewer=viewer, criteria=criteria))
    if len(rows) > min(criteria.rules.result_cap, RESULT_CAP):  # the council's cap, never above 20
        return SearchResult(hits=[], too_many=True, criteria_kind=kind)
    hits = [
        SearchHit(
            client_id=row["pk"],
            first_name=row["first_name"],
            surname=row["surname"],
            date_of_birth=row["date_of_birth"],
            postcode_district=_district(row["postcode"]),
            agencies_involved=row["agencies_involved"],
            viewer_in_team=row["mine"] > 0,
        )
        for row in rows
    ]
    return SearchResult(hits=hits, too_many=False, criteria_kind=kind)


def client_search_rows(*, viewer: Practitioner, criteria: SearchCriteria):
    """The one query a search runs (at most RESULT_CAP + 1 rows). The benchmark runs its SQL directly."""
    kind = criteria.check()
    clients = Client.objects.all()
    if kind == "identifier":
        value = search_identifier_check(criteria.identifier, jurisdiction=council_jurisdiction())
        clients = clients.filter(
            Q(nhs_number=value)
            | Q(unique_pupil_number=value.upper())
            | Q(victorian_student_number=value)
            | Q(local_case_id=value)
        )
    else:
        surname = criteria.surname.strip()
        threshold = SIMILARITY_WITH_DATE_OF_BIRTH if kind == "surname+dob" else SIMILARITY_WITHOUT_DATE_OF_BIRTH
        if kind == "surname+dob":
            clients = clients.filter(date_of_birth=criteria.date_of_birth)
        else:
            clients = clients.annotate(normalised_postcode=Replace(Upper("postcode"), Value(" "), Value(""))).filter(
                normalised_postcode=normalise_postcode(criteria.postcode)
            )
            clients = clients.filter(
                Q(first_name__trigram_similar=criteria.first_name.strip())
                | Q(first_name__istartswith=criteria.first_name.strip()[:1])
            )
        alias_ids = (
            ClientAlias.objects.filter(client__in=clients.values("pk"))  # the same narrowing (date or postcode)
            .annotate(score=Greatest(TrigramSimilarity("surname", surname), TrigramWordSimilarity(surname, "surname")))
            .filter(score__gte=threshold)
            .values("client_id")
        )
        clients = clients.annotate(
            score=Greatest(TrigramSimilarity("surname", surname), TrigramWordSimilarity(surname, "surname"))
        ).filter(Q(score__gte=threshold) | Q(pk__in=alias_ids))
    return (
        clients.annotate(agencies_involved=_agencies_involved(), mine=_viewer_involved(viewer))
        .order_by("surname", "first_name", "pk")
        .values("pk", "first_name", "surname", "date_of_birth", "postcode", "agencies_involved", "mine")[
            : RESULT_CAP + 1
        ]
    )


def _district(postcode: str) -> str:
    postcode = postcode.strip()
    return postcode.split(" ")[0] if " " in postcode else postcode


def client_hit(*, viewer: Practitioner, client_id: object) -> SearchHit | None:
    """One client as a search hit (for the join page): the same minimum a search shows."""
    row = (
        Client.objects.filter(pk=client_id)
        .annotate(agencies_involved=_agencies_involved(), mine=_viewer_involved(viewer))
        .values("pk", "first_name", "surname", "date_of_birth", "postcode", "agencies_involved", "mine")
        .first()
    )
    if row is None:
        return None
    return SearchHit(
        client_id=row["pk"],
        first_name=row["first_name"],
        surname=row["surname"],
        date_of_birth=row["date_of_birth"],
        postcode_district=_district(row["postcode"]),
        agencies_involved=row["agencies_involved"],
        viewer_in_team=row["mine"] > 0,
    )


@dataclass(frozen=True)
class FamilyMemberView:
    client_id: UUID
    first_name: str
    surname: str
    date_of_birth: datetime.date | None
    relationship: str
    members: list[MemberView]


@dataclass(frozen=True)
class TeamView:
    client: Client
    current: list[MemberView]
    previous: list[MemberView]
    family_name: str | None
    family: list[FamilyMemberView] = field(default_factory=list)
    own_involvement: Involvement | None = None
    legal_basis: str = ""

    @property
    def lead(self) -> MemberView | None:
        return next((member for member in self.current if member.is_lead), None)


def _involvements() -> Prefetch:
    return Prefetch(
        "involvements",
        queryset=Involvement.objects.select_related("practitioner__user", "practitioner__agency").order_by(
            "-is_lead", "started_on", "pk"
        ),
    )


def _views(policy: Policy, involvements: list[Involvement]) -> list[MemberView]:
    return policy.members(involvements)


def team_for_client(*, viewer: Practitioner, client_id: object) -> TeamView | None:
    """The team around the client, or None when there is no such client or the viewer is not in its
    team (the caller answers 404 either way: existence is never revealed). Query count is constant."""
    client = (
        Client.objects.select_related("legal_basis")
        .prefetch_related(
            _involvements(),
            Prefetch(
                "family_memberships",
                queryset=FamilyMember.objects.select_related("family").prefetch_related(
                    Prefetch(
                        "family__members",
                        queryset=FamilyMember.objects.select_related("client").prefetch_related(
                            Prefetch(
                                "client__involvements",
                                queryset=Involvement.objects.filter(ended_on__isnull=True)
                                .select_related("practitioner__user", "practitioner__agency")
                                .order_by("-is_lead", "started_on", "pk"),
                            )
                        ),
                    )
                ),
            ),
        )
        .filter(pk=client_id)
        .first()
    )
    if client is None:
        return None
    involvements = list(client.involvements.all())
    policy = policy_for(viewer)
    if not policy.in_team(involvements):
        return None
    current = [inv for inv in involvements if inv.ended_on is None]
    previous = [inv for inv in involvements if inv.ended_on is not None]
    own = next((inv for inv in current if inv.practitioner_id == viewer.pk), None)
    memberships = list(client.family_memberships.all())
    family_name = memberships[0].family.name if memberships else None
    family = [
        FamilyMemberView(
            client_id=member.client.pk,
            first_name=member.client.first_name,
            surname=member.client.surname,
            date_of_birth=member.client.date_of_birth,
            relationship=member.get_relationship_display(),
            members=_views(policy, list(member.client.involvements.all())),
        )
        for membership in memberships
        for member in membership.family.members.all()
        if member.client_id != client.pk
    ]
    return TeamView(
        client=client,
        current=_views(policy, current),
        previous=_views(policy, sorted(previous, key=lambda inv: inv.ended_on, reverse=True)),
        family_name=family_name,
        family=family,
        own_involvement=own,
        legal_basis=client.legal_basis.title,
    )


@dataclass(frozen=True)
class Dashboard:
    my_involvements: list[Involvement]
    recent_activity: list[TeamActivity]
    upcoming: list[Involvement]
    overdue: list[Involvement] = field(default_factory=list)


def dashboard_for(*, viewer: Practitioner, today: datetime.date) -> Dashboard:
    """My clients, recent changes in my teams, my upcoming contacts. Only teams the viewer is in."""
    mine = list(
        Involvement.objects.filter(practitioner=viewer, ended_on__isnull=True)
        .select_related("client")
        .order_by("client__surname", "client__first_name")
    )
    client_ids = [inv.client_id for inv in mine]
    activity = list(
        TeamActivity.objects.filter(client_id__in=client_ids)
        .select_related("client", "actor__user", "actor__agency", "subject__user", "subject__agency")
        .order_by("-occurred_at")[:15]
    )
    # A sensitive agency's activity is shown to outsiders without naming who.
    policy = policy_for(viewer)
    for entry in activity:
        entry.visible_actor = policy.practitioner_named(entry.actor)  # type: ignore[attr-defined]
    upcoming = sorted(
        (inv for inv in mine if inv.next_contact_on and inv.next_contact_on >= today),
        key=lambda inv: inv.next_contact_on,
    )
    # My own missed contacts: a next contact that has passed (``today`` is the council's local date).
    for involvement in mine:
        involvement.is_overdue = bool(  # type: ignore[attr-defined]
            involvement.next_contact_on and involvement.next_contact_on < today
        )
    overdue = sorted((inv for inv in mine if inv.is_overdue), key=lambda inv: inv.next_contact_on)  # type: ignore[attr-defined]
    return Dashboard(my_involvements=mine, recent_activity=activity, upcoming=upcoming[:10], overdue=overdue)


def involvement_current(*, viewer: Practitioner, client_id: object) -> Involvement | None:
    """The viewer's own current involvement with the client, with the client; None for anyone outside the team."""
    return (
        Involvement.objects.select_related("client")
        .filter(client_id=client_id, practitioner=viewer, ended_on__isnull=True)
        .first()
    )


def team_invitation_pending(*, viewer: Practitioner, client_id: object) -> bool:
    """A pending invitation to this client's team, to the viewer or to their work email."""
    return TeamInvitation.objects.filter(
        Q(invitee=viewer) | Q(invitee__isnull=True, invitee_email__iexact=viewer.user.email),
        client_id=client_id,
        answered_at__isnull=True,
    ).exists()


def client_to_join(*, viewer: Practitioner, client_id: object, found_in_last_search: bool) -> Client | None:
    """The client whose team the viewer may ask to join: one their last search found, or whose team they were
    invited to. None otherwise — whether or not the client exists."""
    if not (found_in_last_search or team_invitation_pending(viewer=viewer, client_id=client_id)):
        return None
    return Client.objects.filter(pk=client_id).first()


def invite_candidates(*, viewer: Practitioner, client_id: object) -> QuerySet[Practitioner]:
    """Verified, active colleagues of approved agencies, not already in the team. A sensitive agency's staff
    are offered only to their own agency: offering them to others would reveal who works there."""
    in_team = Involvement.objects.filter(client_id=client_id, ended_on__isnull=True).values("practitioner_id")
    return (
        Practitioner.objects.filter(
            verified_at__isnull=False, user__is_active=True, agency__approval_state=ApprovalState.APPROVED
        )
        .filter(Q(agency__is_sensitive=False) | Q(agency_id=viewer.agency_id))
        .exclude(pk__in=in_team)
        .exclude(pk=viewer.pk)
        .select_related("user", "agency")
        .order_by("user__first_name", "user__last_name", "pk")
    )


INVITE_SEARCH_LIMIT = 20
INVITE_SEARCH_MAX_WORDS = 6


@dataclass(frozen=True)
class InviteSearch:
    candidates: list[Practitioner]
    more: bool  # more matched than are shown: the viewer should narrow the search


def invite_candidates_matching(
    *, viewer: Practitioner, client_id: object, query: str, limit: int = INVITE_SEARCH_LIMIT
) -> InviteSearch:
    """The invite candidates (exactly those of ``invite_candidates``) matching every word of ``query`` in
    their name, work email or agency's name; at most ``limit``, in one query. No words: nobody."""
    words = query.split()[:INVITE_SEARCH_MAX_WORDS]
    if not words:
        return InviteSearch(candidates=[], more=False)
    people = invite_candidates(viewer=viewer, client_id=client_id)
    for word in words:
        people = people.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
            | Q(agency__name__icontains=word)
        )
    found = list(people[: limit + 1])
    return InviteSearch(candidates=found[:limit], more=len(found) > limit)
