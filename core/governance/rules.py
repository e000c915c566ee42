"""A council's rulebook: its information-governance rules as data, within bounds the code enforces.

A ``Rules`` value is immutable; every change is a new ``RulebookVersion`` (models.py) holding the whole
rule set as JSON. ``Rules.from_json`` reads a stored version and ``Rules.to_json`` writes one; values
outside the safe bounds are refused (``RulesError``) however they arrive — a form, an import, a
hand-edited row. Agency ids are kept as strings (UUIDs in their canonical form).
"""

import datetime
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class RulesError(ValueError):
    """A rule outside what the code allows. ``field`` names the rule; the message says what is allowed."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


class SensitiveMode(StrEnum):
    """How a sensitive service's involvement appears to practitioners of other agencies."""

    HIDDEN = "hidden"  # nothing: no placeholder, not counted
    PLACEHOLDER = "placeholder"  # "a confidential service is involved" and the gateway contact
    WITH_CONSENT = "with-consent"  # in full where the client's consent covers the service; otherwise nothing


SENSITIVE_MODE_LABELS = {
    SensitiveMode.HIDDEN: "Hidden: others see nothing, not even that a confidential service is involved",
    SensitiveMode.PLACEHOLDER: 'Placeholder: others see "a confidential service is involved" and its gateway contact',
    SensitiveMode.WITH_CONSENT: (
        "Visible with consent: others see it in full where the client consented, otherwise nothing"
    ),
}


class FamilyTeams(StrEnum):
    """What a client's page shows of the teams around the client's family members."""

    FULL = "full"  # names and contacts, through the same policy as the client's own team
    AGENCIES = "agencies"  # which agencies are involved: no names, no contacts
    NONE = "none"  # nothing of the family members' teams


FAMILY_TEAMS_LABELS = {
    FamilyTeams.FULL: "In full: names and contacts of the practitioners around each family member",
    FamilyTeams.AGENCIES: "Agencies only: which agencies work with each family member, no names or contacts",
    FamilyTeams.NONE: "Not at all: the family members are listed without their teams",
}


class SearchMinimum(StrEnum):
    """The least a search must give before it runs."""

    STANDARD = "standard"  # an identifier; or surname and date of birth; or surname, first name and postcode
    STRICT = "strict"  # an identifier; or surname, first name and date of birth


SEARCH_MINIMUM_LABELS = {
    SearchMinimum.STANDARD: "An identifier; or a surname and date of birth; or a surname, first name and postcode",
    SearchMinimum.STRICT: "An identifier; or a surname, first name and date of birth",
}

RESULT_CAP_MAX = 20  # never above: a search is to find one person, not to browse
RESULT_CAP_MIN = 1
SEARCHES_PER_HOUR_MIN = 10
SEARCHES_PER_HOUR_MAX = 300
BREAK_GLASS_MINUTES_MIN = 15
BREAK_GLASS_MINUTES_MAX = 24 * 60
REASON_MAX_LENGTH = 120
ROLE_NAME_MAX_LENGTH = 80
# Retention periods, in whole years. Nothing is kept for ever, nothing goes within a year; the audit trail
# and the sign-in records never below a year whatever else changes (the database refuses it too:
# core/audit/migrations/0013).
RETENTION_YEARS_MIN = 1
RETENTION_YEARS_MAX = 50


class RetentionKind(StrEnum):
    """The kinds of record the retention schedule gives a period to (docs/adr/0016-retention-and-erasure.md)."""

    CLIENTS = "clients"  # a client with no current involvement: since the last involvement ended, or since added
    INVOLVEMENTS = "involvements"  # an ended involvement of a client still being worked with: since it ended
    TEAM_ACTIVITY = "team_activity"  # what changed in a team: since it was recorded
    AUDIT = "audit"  # the audit trail, but for the sign-in records: since the event
    SIGN_IN = "sign_in"  # sign-in, sign-out, failed and locked-out events, and ended sessions: since then


RETENTION_KIND_LABELS = {
    RetentionKind.CLIENTS: "Clients with no current involvement, from when their last involvement ended",
    RetentionKind.INVOLVEMENTS: "Ended involvements, from when they ended",
    RetentionKind.TEAM_ACTIVITY: "Team activity, from when it was recorded",
    RetentionKind.AUDIT: "The audit trail, from each event",
    RetentionKind.SIGN_IN: "Sign-in records, from each sign-in or session",
}


@dataclass(frozen=True)
class RetentionPeriods:
    """How many years each kind of record is kept (the council's retention schedule)."""

    clients: int
    involvements: int
    team_activity: int
    audit: int
    sign_in: int

    def __post_init__(self) -> None:
        for kind in RetentionKind:
            _bounded(f"retention.{kind}", getattr(self, kind), RETENTION_YEARS_MIN, RETENTION_YEARS_MAX, "years")

    def years(self, kind: "RetentionKind | str") -> int:
        return int(getattr(self, str(kind)))

    def to_json(self) -> dict[str, int]:
        return {str(kind): self.years(kind) for kind in RetentionKind}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RetentionPeriods":
        return cls(**{str(kind): int(data[str(kind)]) for kind in RetentionKind})


# Asking practitioners whether they are still involved (core/teamwork/still_involved.py): after how many days with
# no contact recorded, and how long to wait for an answer before reminding them (and as long again before the lead
# professional is told). Not sooner than a fortnight (a team member is not nagged), not later than a year.
STILL_INVOLVED_AFTER_DAYS_MIN = 14
STILL_INVOLVED_AFTER_DAYS_MAX = 365
STILL_INVOLVED_REMINDER_DAYS_MIN = 2
STILL_INVOLVED_REMINDER_DAYS_MAX = 30


@dataclass(frozen=True)
class StillInvolvedAsking:
    """When a member with no contact recorded is asked whether they are still involved, and reminded."""

    after_days: int
    reminder_days: int

    def __post_init__(self) -> None:
        _bounded(
            "still_involved.after_days",
            self.after_days,
            STILL_INVOLVED_AFTER_DAYS_MIN,
            STILL_INVOLVED_AFTER_DAYS_MAX,
            "days",
        )
        _bounded(
            "still_involved.reminder_days",
            self.reminder_days,
            STILL_INVOLVED_REMINDER_DAYS_MIN,
            STILL_INVOLVED_REMINDER_DAYS_MAX,
            "days",
        )

    def to_json(self) -> dict[str, int]:
        return {"after_days": self.after_days, "reminder_days": self.reminder_days}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "StillInvolvedAsking":
        return cls(after_days=int(data["after_days"]), reminder_days=int(data["reminder_days"]))


@dataclass(frozen=True)
class SensitiveService:
    """One sensitive agency's rule: its mode, and the agencies whose staff see its involvements in full."""

    mode: SensitiveMode = SensitiveMode.PLACEHOLDER
    seen_in_full_by: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BreakGlassRole:
    """A group the council lets open a team it is not in (a MASH, an out-of-hours duty team)."""

    key: str
    name: str


@dataclass(frozen=True)
class AlertThresholds:
    """When the anomaly job raises an alert for the privacy officer (per practitioner, per day unless said)."""

    searches_without_involvement: int = 15  # searches in a day of which none led to joining a team
    burst_searches: int = 20  # searches within ten minutes
    distinct_clients_viewed: int = 25  # different clients' teams (or family pages) viewed in a day
    working_day_starts: datetime.time = datetime.time(7, 0)
    working_day_ends: datetime.time = datetime.time(19, 0)
    out_of_hours_searches: int = 3  # searches outside the working day (council's time)


@dataclass(frozen=True)
class Rules:
    sensitive_services: dict[str, SensitiveService] = field(default_factory=dict)
    search_minimum: SearchMinimum = SearchMinimum.STANDARD
    result_cap: int = RESULT_CAP_MAX
    searches_per_hour: int = 120
    join_needs_lead_approval: bool = False
    family_teams: FamilyTeams = FamilyTeams.AGENCIES
    break_glass_roles: tuple[BreakGlassRole, ...] = ()
    break_glass_reasons: tuple[str, ...] = (
        "Immediate risk of significant harm to a child",
        "Immediate risk of harm to an adult at risk",
        "Out-of-hours emergency placement",
    )
    break_glass_minutes: int = 240
    alerts: AlertThresholds = AlertThresholds()
    # The council's retention schedule; None until its administrator reviews it: the jurisdiction's defaults
    # apply meanwhile (core/governance/defaults.py RETENTION), and going live needs the review.
    retention: RetentionPeriods | None = None
    # When to ask members whether they are still involved; None: the jurisdiction's default
    # (core/governance/defaults.py STILL_INVOLVED) until the administrator sets the council's own.
    still_involved: StillInvolvedAsking | None = None

    def __post_init__(self) -> None:
        _bounded("result_cap", self.result_cap, RESULT_CAP_MIN, RESULT_CAP_MAX, "results")
        _bounded("searches_per_hour", self.searches_per_hour, SEARCHES_PER_HOUR_MIN, SEARCHES_PER_HOUR_MAX, "searches")
        _bounded(
            "break_glass_minutes", self.break_glass_minutes, BREAK_GLASS_MINUTES_MIN, BREAK_GLASS_MINUTES_MAX, "minutes"
        )
        if not self.break_glass_reasons:
            raise RulesError("break_glass_reasons", "Give at least one reason a team may be opened in an emergency")
        for reason in self.break_glass_reasons:
            if not reason.strip() or len(reason) > REASON_MAX_LENGTH:
                raise RulesError(
                    "break_glass_reasons", f"Each reason must be between 1 and {REASON_MAX_LENGTH} characters"
                )
        keys = [role.key for role in self.break_glass_roles]
        if len(keys) != len(set(keys)):
            raise RulesError("break_glass_roles", "Each break-glass role must have its own name")
        for role in self.break_glass_roles:
            if not role.name.strip() or len(role.name) > ROLE_NAME_MAX_LENGTH:
                raise RulesError(
                    "break_glass_roles", f"Each role's name must be between 1 and {ROLE_NAME_MAX_LENGTH} characters"
                )
        thresholds = self.alerts
        for name in (
            "searches_without_involvement",
            "burst_searches",
            "distinct_clients_viewed",
            "out_of_hours_searches",
        ):
            _bounded(f"alerts.{name}", getattr(thresholds, name), 1, 10_000, name.replace("_", " "))
        if thresholds.working_day_starts >= thresholds.working_day_ends:
            raise RulesError("alerts.working_day_ends", "The working day must end after it starts")

    # Reading the rules ------------------------------------------------------------------------------

    def sensitive_service(self, agency_id: object) -> SensitiveService:
        """The rule for a sensitive agency; one the rulebook does not mention is a placeholder."""
        return self.sensitive_services.get(str(agency_id), SensitiveService())

    def break_glass_role(self, key: str) -> BreakGlassRole | None:
        return next((role for role in self.break_glass_roles if role.key == key), None)

    # Changing them: a new value, never the same one changed ---------------------------------------------

    def with_changes(self, **changes: Any) -> "Rules":
        return replace(self, **changes)

    # Storage -----------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "sensitive_services": {
                agency_id: {"mode": str(rule.mode), "seen_in_full_by": sorted(rule.seen_in_full_by)}
                for agency_id, rule in sorted(self.sensitive_services.items())
            },
            "search_minimum": str(self.search_minimum),
            "result_cap": self.result_cap,
            "searches_per_hour": self.searches_per_hour,
            "join_needs_lead_approval": self.join_needs_lead_approval,
            "family_teams": str(self.family_teams),
            "break_glass_roles": [{"key": role.key, "name": role.name} for role in self.break_glass_roles],
            "break_glass_reasons": list(self.break_glass_reasons),
            "break_glass_minutes": self.break_glass_minutes,
            "alerts": {
                "searches_without_involvement": self.alerts.searches_without_involvement,
                "burst_searches": self.alerts.burst_searches,
                "distinct_clients_viewed": self.alerts.distinct_clients_viewed,
                "working_day_starts": self.alerts.working_day_starts.isoformat("minutes"),
                "working_day_ends": self.alerts.working_day_ends.isoformat("minutes"),
                "out_of_hours_searches": self.alerts.out_of_hours_searches,
            },
            "retention": None if self.retention is None else self.retention.to_json(),
            "still_involved": None if self.still_involved is None else self.still_involved.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Rules":
        """A stored rule set; anything missing takes the default (a rule added later reads old versions)."""
        default = cls()
        try:
            alerts = data.get("alerts", {})
            base = AlertThresholds()
            return cls(
                sensitive_services={
                    str(agency_id): SensitiveService(
                        mode=SensitiveMode(rule.get("mode", SensitiveMode.PLACEHOLDER)),
                        seen_in_full_by=frozenset(str(other) for other in rule.get("seen_in_full_by", ())),
                    )
                    for agency_id, rule in data.get("sensitive_services", {}).items()
                },
                search_minimum=SearchMinimum(data.get("search_minimum", default.search_minimum)),
                result_cap=int(data.get("result_cap", default.result_cap)),
                searches_per_hour=int(data.get("searches_per_hour", default.searches_per_hour)),
                join_needs_lead_approval=bool(data.get("join_needs_lead_approval", default.join_needs_lead_approval)),
                family_teams=FamilyTeams(data.get("family_teams", default.family_teams)),
                break_glass_roles=tuple(
                    BreakGlassRole(key=str(role["key"]), name=str(role["name"]))
                    for role in data.get("break_glass_roles", ())
                ),
                break_glass_reasons=tuple(
                    str(reason) for reason in data.get("break_glass_reasons", default.break_glass_reasons)
                ),
                break_glass_minutes=int(data.get("break_glass_minutes", default.break_glass_minutes)),
                alerts=AlertThresholds(
                    searches_without_involvement=int(
                        alerts.get("searches_without_involvement", base.searches_without_involvement)
                    ),
                    burst_searches=int(alerts.get("burst_searches", base.burst_searches)),
                    distinct_clients_viewed=int(alerts.get("distinct_clients_viewed", base.distinct_clients_viewed)),
                    working_day_starts=_time(alerts.get("working_day_starts"), base.working_day_starts),
                    working_day_ends=_time(alerts.get("working_day_ends"), base.working_day_ends),
                    out_of_hours_searches=int(alerts.get("out_of_hours_searches", base.out_of_hours_searches)),
                ),
                retention=RetentionPeriods.from_json(data["retention"]) if data.get("retention") else None,
                still_involved=(
                    StillInvolvedAsking.from_json(data["still_involved"]) if data.get("still_involved") else None
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, RulesError):
                raise
            raise RulesError("rules", f"The stored rulebook cannot be read: {error}") from error


def _time(value: object, default: datetime.time) -> datetime.time:
    return datetime.time.fromisoformat(str(value)) if value else default


def _bounded(name: str, value: int, low: int, high: int, unit: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RulesError(name, f"Enter a whole number of {unit} between {low} and {high}")
