"""Reads about clients. Everything that can reveal a client or an involvement takes the viewer and
goes through the visibility policy (core/governance/visibility.py)."""

import datetime
import re
from dataclasses import dataclass, field
from functools import partial
from uuid import UUID

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest, Replace, Upper
from django.utils import timezone

from core.clients.consent import ConsentSummary, consent_summary_annotations, consent_summary_of
from core.clients.identifiers import identifier_hint, search_identifier_check
from core.clients.models import (
    BreakGlassAccess,
    Client,
    ClientAlias,
    Consent,
    FamilyMember,
    Involvement,
    JoinRequest,
    TeamActivity,
    TeamInvitation,
)
from core.clients.postcodes import council_jurisdiction
from core.compiled_queries import CompiledQuery, Many
from core.directory.models import Agency, ApprovalState, Practitioner
from core.governance.rules import FamilyTeams, Rules, SearchMinimum, SensitiveMode
from core.governance.selectors import rules_current, rules_current_annotation, rules_of
from core.governance.visibility import (
    CONFIDENTIAL_SERVICE,
    NO_CONSENT,
    ConsentCover,
    Detail,
    MemberView,
    Policy,
    policy_for,
)

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


def _current_agencies() -> ArrayAgg:
    """The distinct agencies currently involved (ids): the policy decides which of them the viewer may count."""
    return ArrayAgg(
        "involvements__practitioner__agency",
        filter=Q(involvements__ended_on__isnull=True),
        distinct=True,
        default=Value([]),
    )


def _current_sensitive_agencies() -> ArrayAgg:
    return ArrayAgg(
        "involvements__practitioner__agency",
        filter=Q(involvements__ended_on__isnull=True, involvements__practitioner__agency__is_sensitive=True),
        distinct=True,
        default=Value([]),
    )


def _viewer_involved(viewer_id: object) -> Count:
    return Count("involvements", filter=Q(involvements__ended_on__isnull=True, involvements__practitioner_id=viewer_id))


HIT_FIELDS = ("pk", "first_name", "surname", "date_of_birth", "postcode", "agency_ids", "sensitive_agency_ids", "mine")


def _hit_annotations(viewer_id: object) -> dict[str, object]:
    return {
        "agency_ids": _current_agencies(),
        "sensitive_agency_ids": _current_sensitive_agencies(),
        "mine": _viewer_involved(viewer_id),
    }


def _row_agencies(row: dict) -> list[Agency]:
    """The row's current agencies as the policy reads them (id and whether sensitive), without a query."""
    sensitive = set(row["sensitive_agency_ids"])
    return [Agency(pk=agency_id, is_sensitive=agency_id in sensitive) for agency_id in row["agency_ids"]]


def _consent_annotations(client: str) -> dict[str, object]:
    """What the current consents of the client at ``client`` (a path to its id) cover, as two annotations
    read with the row: no query of their own. ``_consent_cover`` reads them back."""
    current = Consent.objects.filter(client=OuterRef(client), withdrawn_on__isnull=True)
    services = Consent.services.through.objects.filter(
        consent__client=OuterRef(client), consent__withdrawn_on__isnull=True
    )
    return {
        "consent_all_services": Exists(current.filter(covers_all_services=True)),
        "consent_service_ids": ArraySubquery(services.values("agency_id")),
    }


def _consent_cover(row: object) -> ConsentCover:
    """The ``ConsentCover`` of a row annotated by ``_consent_annotations``."""
    covers_all = getattr(row, "consent_all_services", False)
    service_ids = getattr(row, "consent_service_ids", None) or []
    if not covers_all and not service_ids:
        return NO_CONSENT
    return ConsentCover(all_services=covers_all, agency_ids=frozenset(str(agency_id) for agency_id in service_ids))


def _consent_matters(policy: Policy) -> bool:
    """Whether any service is shown only with consent: otherwise no consent changes what anyone sees."""
    return any(service.mode is SensitiveMode.WITH_CONSENT for service in policy.rules.sensitive_services.values())


def consent_covers(client_ids: list[object]) -> dict[object, ConsentCover]:
    """What each client's current consents cover, in one query (clients without consent are left out)."""
    rows = Consent.objects.filter(client_id__in=client_ids, withdrawn_on__isnull=True).values_list(
        "client_id", "covers_all_services", "services"
    )
    everything: dict[object, bool] = {}
    services: dict[object, set[str]] = {}
    for client_id, covers_all, service_id in rows:
        everything[client_id] = everything.get(client_id, False) or covers_all
        listed = services.setdefault(client_id, set())
        if service_id is not None:
            listed.add(str(service_id))
    return {
        client_id: ConsentCover(all_services=covers_all, agency_ids=frozenset(services[client_id]))
        for client_id, covers_all in everything.items()
    }


def _needs_consent(policy: Policy, row: dict) -> bool:
    """Whether what the viewer may count of this hit depends on the client's consent."""
    return any(
        policy.rules.sensitive_service(agency_id).mode is SensitiveMode.WITH_CONSENT
        for agency_id in row["sensitive_agency_ids"]
    )


def _hits(policy: Policy, rows: list[dict]) -> list["SearchHit"]:
    """Rows as search hits, "agencies involved" counted through the policy. Consents are read (one query)
    only for hits with a service shown with consent."""
    asking = [row["pk"] for row in rows if _needs_consent(policy, row)]
    covers = consent_covers(asking) if asking else {}
    return [
        SearchHit(
            client_id=row["pk"],
            first_name=row["first_name"],
            surname=row["surname"],
            date_of_birth=row["date_of_birth"],
            postcode_district=_district(row["postcode"]),
            agencies_involved=policy.agencies_counted(_row_agencies(row), covers.get(row["pk"], NO_CONSENT)),
            viewer_in_team=row["mine"] > 0,
        )
        for row in rows
    ]


def normalise_postcode(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode).upper()


def client_search(*, viewer: Practitioner, criteria: SearchCriteria) -> SearchResult:
    kind = criteria.check()
    compiled = _SEARCHES.get(kind)
    if compiled is None:
        rows = list(client_search_rows(viewer=viewer, criteria=criteria))
    else:  # the same query, compiled once
        rows = compiled.rows(**_search_values(viewer, criteria, kind))
    if len(rows) > min(criteria.rules.result_cap, RESULT_CAP):  # the council's cap, never above 20
        return SearchResult(hits=[], too_many=True, criteria_kind=kind)
    hits = _hits(Policy(viewer=viewer, rules=criteria.rules), rows)  # the rules this search already read
    return SearchResult(hits=hits, too_many=False, criteria_kind=kind)


def client_search_rows(*, viewer: Practitioner, criteria: SearchCriteria) -> QuerySet[Client]:
    """The one query a search runs (at most RESULT_CAP + 1 rows). The benchmark runs its SQL directly.
    A client withheld from search (consent withdrawn) or restricted (Art 18) is found only by their current team."""
    kind = criteria.check()
    return _search_queryset(kind, **_search_values(viewer, criteria, kind))


def _search_values(viewer: Practitioner, criteria: SearchCriteria, kind: str) -> dict[str, object]:
    """What ``_search_queryset`` takes for a search of this kind (``SearchCriteria.check``)."""
    if kind == "identifier":
        value = search_identifier_check(criteria.identifier, jurisdiction=council_jurisdiction())
        return {"viewer_id": viewer.pk, "identifier": value, "identifier_upper": value.upper()}
    values: dict[str, object] = {"viewer_id": viewer.pk, "surname": criteria.surname.strip()}
    if kind == "surname+dob":
        return values | {"date_of_birth": criteria.date_of_birth}
    return values | {"first_name": criteria.first_name.strip(), "postcode": normalise_postcode(criteria.postcode)}


def _search_queryset(
    kind: str,
    *,
    viewer_id: object,
    identifier: str = "",
    identifier_upper: str = "",
    surname: str = "",
    date_of_birth: datetime.date | None = None,
    first_name: str = "",
    postcode: str = "",
) -> QuerySet[Client]:
    clients = Client.objects.filter(
        Q(withheld_from_search_since__isnull=True, restricted_since__isnull=True)
        | Exists(Involvement.objects.filter(client=OuterRef("pk"), practitioner_id=viewer_id, ended_on__isnull=True))
    )
    if kind == "identifier":
        clients = clients.filter(
            Q(nhs_number=identifier)
            | Q(unique_pupil_number=identifier_upper)
            | Q(victorian_student_number=identifier)
            | Q(local_case_id=identifier)
        )
    else:
        threshold = SIMILARITY_WITH_DATE_OF_BIRTH if kind == "surname+dob" else SIMILARITY_WITHOUT_DATE_OF_BIRTH
        if kind == "surname+dob":
            clients = clients.filter(date_of_birth=date_of_birth)
        else:
            clients = clients.annotate(normalised_postcode=Replace(Upper("postcode"), Value(" "), Value(""))).filter(
                normalised_postcode=postcode
            )
            clients = clients.filter(
                Q(first_name__trigram_similar=first_name) | Q(first_name__istartswith=first_name[:1])
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
        clients.annotate(**_hit_annotations(viewer_id))
        .order_by("surname", "first_name", "pk")
        .values(*HIT_FIELDS)[: RESULT_CAP + 1]
    )


_TEXT = CharField()
# The searches compiled once (a name and postcode search matches a first initial with LIKE: the ORM builds it).
_SEARCHES = {
    "identifier": CompiledQuery(
        partial(_search_queryset, "identifier"),
        viewer_id=Practitioner._meta.pk,
        identifier=_TEXT,
        identifier_upper=_TEXT,
    ),
    "surname+dob": CompiledQuery(
        partial(_search_queryset, "surname+dob"),
        viewer_id=Practitioner._meta.pk,
        surname=_TEXT,
        date_of_birth=Client._meta.get_field("date_of_birth"),
    ),
}


def _district(postcode: str) -> str:
    postcode = postcode.strip()
    return postcode.split(" ")[0] if " " in postcode else postcode


def client_hit(*, viewer: Practitioner, client_id: object) -> SearchHit | None:
    """One client as a search hit (for the join page): the same minimum a search shows."""
    row = Client.objects.filter(pk=client_id).annotate(**_hit_annotations(viewer.pk)).values(*HIT_FIELDS).first()
    if row is None:
        return None
    return _hits(policy_for(viewer), [row])[0]


@dataclass(frozen=True)
class FamilyMemberView:
    """A family member listed with the client, and as much of their team as the rulebook shows: in full
    (``members``, through the policy), agencies only (``agencies``: no names or contacts), or nothing."""

    client_id: UUID
    first_name: str
    surname: str
    date_of_birth: datetime.date | None
    relationship: str
    members: list[MemberView] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    viewer_in_team: bool = False


@dataclass(frozen=True)
class JoinRequestWaiting:
    request: JoinRequest
    asker: str  # as the viewer may be told (the visibility policy)


@dataclass(frozen=True)
class TeamView:
    client: Client
    current: list[MemberView]
    previous: list[MemberView]
    family_name: str | None
    family: list[FamilyMemberView] = field(default_factory=list)
    own_involvement: Involvement | None = None
    legal_basis: str = ""
    family_teams: FamilyTeams = FamilyTeams.AGENCIES
    break_glass: BreakGlassAccess | None = None  # the viewer is not in the team: they opened it in an emergency
    consent_summary: ConsentSummary | None = None  # for members of the team only
    # The requests to join the team that wait for a decision (when asked for), and whether the viewer decides.
    join_requests: list[JoinRequestWaiting] = field(default_factory=list)
    decides_join_requests: bool = False
    # The policy the team was read with and what the client's consent covers: whatever the page adds to the
    # team (its messages, meetings) names people the same way, without reading the rules again.
    policy: Policy | None = None
    consent: ConsentCover = NO_CONSENT

    @property
    def lead(self) -> MemberView | None:
        return next((member for member in self.current if member.is_lead), None)


def team_deciders(current: list[Involvement]) -> list[Practitioner]:
    """Who decides on a request to join a team, given its current involvements (with their practitioners): its
    lead professional, or every current member when it has none."""
    leads = [involvement.practitioner for involvement in current if involvement.is_lead]
    return leads or [involvement.practitioner for involvement in current]


def _team_client_queryset(*, client_id: object, viewer_id: object) -> QuerySet[Client]:
    """The client with what the page reads beside its row, in one query: the rules in force
    (``rules_in_force``), the legal basis, whether the viewer is in the team, whether requests to join wait, the
    consent summary's dates and what the current consent covers."""
    viewer_in_team = Involvement.objects.filter(client=OuterRef("pk"), practitioner_id=viewer_id, ended_on__isnull=True)
    join_requests = JoinRequest.objects.filter(client=OuterRef("pk"), decision=JoinRequest.Decision.PENDING)
    return (
        Client.objects.select_related("legal_basis")
        .annotate(
            rules_in_force=rules_current_annotation(),
            viewer_in_team=Exists(viewer_in_team),
            join_requests_waiting=Exists(join_requests),
            **consent_summary_annotations("pk"),
            **_consent_annotations("pk"),
        )
        .filter(pk=client_id)
        .order_by("pk")[:1]  # as ``first()``
    )


# Compiled once: its annotations cost more to build and compile than the database spends answering it.
_TEAM_CLIENT = CompiledQuery(_team_client_queryset, client_id=Client._meta.pk, viewer_id=Practitioner._meta.pk)


def _team_client(viewer: Practitioner, client_id: object) -> Client | None:
    """``_team_client_queryset``'s client, or None."""
    found = _TEAM_CLIENT.rows(client_id=client_id, viewer_id=viewer.pk)
    return found[0] if found else None


def _family_rows_queryset(with_consent: bool, *, client_id: object) -> QuerySet[FamilyMember]:
    rows = (
        FamilyMember.objects.filter(family__in=FamilyMember.objects.filter(client_id=client_id).values("family_id"))
        .select_related("family", "client")
        .order_by("family__created_at", "family_id", "pk")
    )
    if with_consent:
        rows = rows.annotate(**_consent_annotations("client_id"))
    return rows


_FAMILY_ROWS = CompiledQuery(_family_rows_queryset, client_id=Client._meta.pk)


def _family_rows(policy: Policy, client: Client) -> list[FamilyMember]:
    """The members of every family the client is in (the client's own rows too, which name the family), family
    by family, with each member's client and, when the family's teams are shown and consent matters, what the
    member's current consent covers. One query."""
    with_consent = policy.family_teams is not FamilyTeams.NONE and _consent_matters(policy)
    return _FAMILY_ROWS.rows(shape=(with_consent,), client_id=client.pk)


def _team_involvements_queryset(
    *, client_id: object, relatives: list[object] | None, viewer_id: object | None
) -> QuerySet[Involvement]:
    wanted = Q(client_id=client_id)
    if relatives:
        family = Q(client_id__in=relatives, ended_on__isnull=True)
        if viewer_id is not None:
            family &= Q(practitioner_id=viewer_id)
        wanted |= family
    return (
        Involvement.objects.filter(wanted)
        .select_related("practitioner__user", "practitioner__agency")
        .order_by("-is_lead", "started_on", "pk")
    )


_TEAM_INVOLVEMENTS = CompiledQuery(
    _team_involvements_queryset,
    client_id=Client._meta.pk,
    relatives=Many(Client._meta.pk),
    viewer_id=Practitioner._meta.pk,
)


def _team_involvements(policy: Policy, client: Client, relatives: set[object]) -> list[Involvement]:
    """In one query: every involvement of the client, current and ended, and the family members' current ones
    — all of them when the rulebook shows the family's teams, otherwise only the viewer's own (to link to a
    team the viewer is in). Lead first, then by start."""
    only_the_viewers = bool(relatives) and policy.family_teams is FamilyTeams.NONE
    return _TEAM_INVOLVEMENTS.rows(
        client_id=client.pk,
        relatives=list(relatives) or None,
        viewer_id=policy.viewer.pk if only_the_viewers else None,
    )


def _family_member_view(policy: Policy, member: FamilyMember, involvements: list[Involvement]) -> FamilyMemberView:
    members: list[MemberView] = []
    agencies: list[str] = []
    consent = _consent_cover(member)
    if policy.family_teams is FamilyTeams.FULL:
        members = policy.members(involvements, consent)
    elif policy.family_teams is FamilyTeams.AGENCIES:
        agencies = policy.agencies_named((inv.practitioner.agency for inv in involvements), consent)
    return FamilyMemberView(
        client_id=member.client.pk,
        first_name=member.client.first_name,
        surname=member.client.surname,
        date_of_birth=member.client.date_of_birth,
        relationship=member.get_relationship_display(),
        members=members,
        agencies=agencies,
        viewer_in_team=policy.in_team(involvements),
    )


def _join_requests_waiting(
    policy: Policy, client: Client, current: list[Involvement]
) -> tuple[list[JoinRequestWaiting], bool]:
    """The requests to join the team that wait for a decision, named as the viewer may be told, and whether the
    viewer decides them. One query, only when the client's row says some wait."""
    if not getattr(client, "join_requests_waiting", False):
        return [], False
    pending = (
        JoinRequest.objects.filter(client=client, decision=JoinRequest.Decision.PENDING)
        .select_related("practitioner__user", "practitioner__agency")
        .order_by("requested_at")
    )
    waiting = [
        JoinRequestWaiting(request=item, asker=policy.practitioner_named(item.practitioner) or CONFIDENTIAL_SERVICE)
        for item in pending
    ]
    return waiting, any(decider.pk == policy.viewer.pk for decider in team_deciders(current))


def break_glass_current(*, viewer: Practitioner, client_id: object) -> BreakGlassAccess | None:
    """The viewer's break-glass access to this client's team that is still running, if any."""
    return (
        BreakGlassAccess.objects.filter(
            practitioner=viewer, client_id=client_id, ended_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-opened_at")
        .first()
    )


def team_for_client(*, viewer: Practitioner, client_id: object, with_join_requests: bool = False) -> TeamView | None:
    """The team around the client, or None when there is no such client or the viewer may not open its team
    (neither in it nor holding a running break-glass access): the caller answers 404 either way, existence is
    never revealed. Everything shown goes through the policy; nothing in the result reads the database.

    The query count is constant, whatever the size of the team and the family: the client with the rules in
    force (``_team_client``) and, for a viewer who may open the team, the family (``_family_rows``) and every
    involvement shown (``_team_involvements``). One more for a viewer outside the team holding a
    break-glass role (their access), and one more when requests to join wait and ``with_join_requests``."""
    client = _team_client(viewer, client_id)
    if client is None:
        return None
    rules = rules_of(client.rules_in_force)  # type: ignore[attr-defined]  # read with the client, no query of its own
    policy = Policy(viewer=viewer, rules=rules)
    in_team = client.viewer_in_team  # type: ignore[attr-defined]
    opened = not in_team and policy.holds_break_glass_role()  # no role, no access to look for
    break_glass = break_glass_current(viewer=viewer, client_id=client.pk) if opened else None
    if not policy.team_open(in_team=in_team, break_glass=break_glass is not None):
        return None
    rows = _family_rows(policy, client)
    relatives = [row for row in rows if row.client_id != client.pk]
    involvements = _team_involvements(policy, client, {row.client_id for row in relatives})
    by_client: dict[object, list[Involvement]] = {}
    for involvement in involvements:
        by_client.setdefault(involvement.client_id, []).append(involvement)
    consent = _consent_cover(client)
    own_involvements = by_client.get(client.pk, [])
    current = [inv for inv in own_involvements if inv.ended_on is None]
    previous = [inv for inv in own_involvements if inv.ended_on is not None]
    own = next((inv for inv in current if inv.practitioner_id == viewer.pk), None)
    family_name = rows[0].family.name if rows else None
    family = [_family_member_view(policy, member, by_client.get(member.client_id, [])) for member in relatives]
    waiting, decides = _join_requests_waiting(policy, client, current) if with_join_requests else ([], False)
    summary = None
    if own is not None:
        summary = consent_summary_of(
            client,
            since=client.consent_since,  # type: ignore[attr-defined]
            withdrawn=client.consent_withdrawn,  # type: ignore[attr-defined]
        )
    return TeamView(
        client=client,
        current=policy.members(current, consent),
        previous=policy.members(sorted(previous, key=lambda inv: inv.ended_on, reverse=True), consent),
        family_name=family_name,
        family=family,
        own_involvement=own,
        legal_basis=client.legal_basis.title,
        family_teams=policy.family_teams,
        break_glass=break_glass,
        consent_summary=summary,
        join_requests=waiting,
        decides_join_requests=decides,
        policy=policy,
        consent=consent,
    )


@dataclass(frozen=True)
class Dashboard:
    my_involvements: list[Involvement]
    recent_activity: list[TeamActivity]
    upcoming: list[Involvement]
    overdue: list[Involvement] = field(default_factory=list)


RECENT_ACTIVITY_SHOWN = 15
RECENT_ACTIVITY_READ = 30  # more than are shown: entries the viewer may not see are left out


def _activity_needs_consent(policy: Policy, entry: TeamActivity) -> bool:
    agency = entry.actor.agency
    return (
        policy.agency_detail(agency) is Detail.HIDDEN
        and policy.rules.sensitive_service(agency.pk).mode is SensitiveMode.WITH_CONSENT
    )


def dashboard_for(*, viewer: Practitioner, today: datetime.date) -> Dashboard:
    """My clients, recent changes in my teams, my upcoming contacts. Only teams the viewer is in."""
    mine = list(
        Involvement.objects.filter(practitioner=viewer, ended_on__isnull=True)
        .select_related("client")
        .order_by("client__surname", "client__first_name")
    )
    client_ids = [inv.client_id for inv in mine]
    entries = list(
        TeamActivity.objects.filter(client_id__in=client_ids)
        .select_related("client", "actor__user", "actor__agency", "subject__user", "subject__agency")
        .order_by("-occurred_at")[:RECENT_ACTIVITY_READ]
    )
    # Who did what, through the policy: a confidential service's practitioner is not named to outsiders,
    # and what a hidden one did is not shown at all.
    policy = policy_for(viewer)
    asking = list({entry.client_id for entry in entries if _activity_needs_consent(policy, entry)})
    covers = consent_covers(asking) if asking else {}
    activity = []
    for entry in entries:
        named = policy.practitioner_named(entry.actor, covers.get(entry.client_id, NO_CONSENT))
        if named is None:
            continue
        entry.visible_actor = named  # type: ignore[attr-defined]
        activity.append(entry)
    activity = activity[:RECENT_ACTIVITY_SHOWN]
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
    are offered only to those the policy lists them to: offering them to others would reveal who works there."""
    in_team = Involvement.objects.filter(client_id=client_id, ended_on__isnull=True).values("practitioner_id")
    return (
        Practitioner.objects.filter(
            verified_at__isnull=False, user__is_active=True, agency__approval_state=ApprovalState.APPROVED
        )
        .filter(policy_for(viewer).staff_listed_filter())
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
