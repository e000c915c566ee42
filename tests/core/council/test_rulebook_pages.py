"""The council's rulebook pages: the administrator sees the rules in force and changes one section at a time,
saying why; every change is a new version (who, when, why, what changed), audited; values outside the
code's bounds are refused on the field they belong to, with every value kept, and nothing changes. Anyone
but a council administrator is refused (403, recorded) and changes nothing."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils.html import escape
from django_tenants.utils import schema_context

from core.audit.models import AuditAction
from core.directory.models import Agency, Practitioner
from core.governance.models import RulebookVersion
from core.governance.rules import (
    BreakGlassRole,
    FamilyTeams,
    Rules,
    SearchMinimum,
    SensitiveMode,
)
from core.governance.selectors import rules_current
from tenants.models import Council
from tests.core.accounts.helpers import audit_events
from tests.core.council.conftest import text
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side

REASON = "Agreed at the information governance board, 1 December"


def versions(council: Council) -> list[RulebookVersion]:
    with schema_context(council.schema_name):
        return list(RulebookVersion.objects.order_by("number"))


def rules_of(council: Council) -> Rules:
    with schema_context(council.schema_name):
        return rules_current()


def search_join(**changes: object) -> dict[str, object]:
    return {
        "search_minimum": "standard",
        "result_cap": "20",
        "searches_per_hour": "120",
        "reason": REASON,
    } | changes


@pytest.fixture
def recovery(council_a: Council) -> Agency:
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Recovery Service", is_sensitive=True, gateway_contact="Duty line")


# --- The rules in force -----------------------------------------------------------------------------------------


def test_the_rules_page_shows_the_defaults_and_a_change_link_for_each_section(
    as_admin: Client, recovery: Agency
) -> None:
    page = text(as_admin.get("/administration/rules/"))
    assert "The council has not changed the rules Patchwork starts with." in page
    assert "Alpha Recovery Service" in page
    assert "Placeholder: others see" in page
    assert "Agencies only: which agencies work with each family member" in page
    for link in (
        f"/administration/rules/sensitive-services/{recovery.pk}/",
        "/administration/rules/search-and-join/",
        "/administration/rules/family-teams/",
        "/administration/rules/break-glass/",
        "/administration/rules/alerts/",
        "/administration/rules/history/",
    ):
        assert f'href="{link}"' in page


def test_the_administration_pages_and_the_checklist_link_to_the_rules(as_admin: Client) -> None:
    assert 'href="/administration/rules/"' in text(as_admin.get("/administration/"))
    setup = text(as_admin.get("/administration/setup/"))
    assert 'href="/administration/rules/"' in setup
    assert "The council's rules" not in setup.split('<ul class="govuk-task-list">')[1].split("</ul>")[0]


def test_changing_search_and_join_makes_a_new_version_in_force_at_once_and_audited(
    as_admin: Client, council_a: Council, admin: Practitioner
) -> None:
    response = as_admin.post(
        "/administration/rules/search-and-join/",
        search_join(search_minimum="strict", result_cap="5", searches_per_hour="60", join_needs_lead_approval="on"),
    )
    assert response.status_code == 302
    assert response.url == "/administration/rules/"
    [version] = versions(council_a)
    assert version.number == 1
    assert version.reason == REASON
    assert version.changed_by_id == admin.pk
    assert "Most results a search shows: 5 (was 20)" in version.changes
    rules = rules_of(council_a)
    assert (rules.search_minimum, rules.result_cap, rules.searches_per_hour, rules.join_needs_lead_approval) == (
        SearchMinimum.STRICT,
        5,
        60,
        True,
    )
    [event] = audit_events(council_a, action=AuditAction.RULEBOOK_CHANGED)
    assert event.actor_id == admin.user_id
    assert event.reason == REASON
    page = text(as_admin.get("/administration/rules/"))
    assert "Version 1, in force since" in page
    assert escape(admin.user.full_name) in page
    assert REASON in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"result_cap": "21"}, "result_cap", "Enter a whole number of results between 1 and 20"),
        ({"result_cap": "0"}, "result_cap", "Enter a whole number of results between 1 and 20"),
        ({"searches_per_hour": "9"}, "searches_per_hour", "Enter a whole number of searches between 10 and 300"),
        ({"searches_per_hour": "301"}, "searches_per_hour", "Enter a whole number of searches between 10 and 300"),
        ({"result_cap": "ten"}, "result_cap", "Enter a whole number"),
        ({"search_minimum": "anything"}, "search_minimum", "Choose one of the minimums"),
        ({"reason": "  "}, "reason", "Say why the rules are changing"),
        ({"reason": "x" * 301}, "reason", "The reason must be 300 characters or fewer"),
    ],
)
def test_values_outside_the_bounds_are_refused_on_their_field_keeping_every_value_and_nothing_changes(
    as_admin: Client, council_a: Council, changes: dict[str, str], field: str, message: str
) -> None:
    data = search_join(searches_per_hour="45", result_cap="7") | changes
    response = as_admin.post("/administration/rules/search-and-join/", data)
    assert response.status_code == 400
    page = text(response)
    assert page.count("There is a problem") == 1
    assert f'href="#id_{field}' in page
    assert message in page
    for name in ("result_cap", "searches_per_hour"):
        assert f'value="{data[name]}"' in page  # every value as typed
    assert versions(council_a) == []
    assert audit_events(council_a, action=AuditAction.RULEBOOK_CHANGED) == []


def test_saving_the_rules_unchanged_is_refused(as_admin: Client, council_a: Council) -> None:
    response = as_admin.post("/administration/rules/search-and-join/", search_join())
    assert response.status_code == 400
    assert "Nothing has changed: the rules in force are the same" in text(response)
    assert versions(council_a) == []


def test_a_sensitive_service_is_set_to_hidden_and_seen_in_full_by_a_listed_agency(
    as_admin: Client, council_a: Council, recovery: Agency, police: Agency
) -> None:
    path = f"/administration/rules/sensitive-services/{recovery.pk}/"
    page = text(as_admin.get(path))
    assert "Hidden: others see nothing" in page
    assert "Alpha Police" in page
    assert f'value="{recovery.pk}"' not in page  # an agency always sees itself in full: not offered
    response = as_admin.post(path, {"mode": "hidden", "seen_in_full_by": [str(police.pk)], "reason": REASON})
    assert response.status_code == 302
    rule = rules_of(council_a).sensitive_service(recovery.pk)
    assert rule.mode == SensitiveMode.HIDDEN
    assert rule.seen_in_full_by == frozenset({str(police.pk)})
    [version] = versions(council_a)
    assert "Alpha Recovery Service: shown to others as hidden (was placeholder)" in version.changes


def test_a_sensitive_service_page_refuses_itself_as_a_listed_agency_and_an_unknown_mode(
    as_admin: Client, council_a: Council, recovery: Agency
) -> None:
    path = f"/administration/rules/sensitive-services/{recovery.pk}/"
    response = as_admin.post(path, {"mode": "shown", "seen_in_full_by": [str(recovery.pk)], "reason": REASON})
    assert response.status_code == 400
    page = text(response)
    assert "Choose one of the ways" in page
    assert "Choose from the council&#x27;s approved agencies" in page
    assert versions(council_a) == []


def test_only_a_sensitive_agency_of_this_council_has_a_page(
    as_admin: Client, council_a: Council, council_b: Council, police: Agency
) -> None:
    assert as_admin.get(f"/administration/rules/sensitive-services/{police.pk}/").status_code == 404
    with schema_context(council_b.schema_name):
        elsewhere = AgencyFactory(name="Beta Recovery", is_sensitive=True, gateway_contact="Duty line")
    response = as_admin.post(
        f"/administration/rules/sensitive-services/{elsewhere.pk}/", {"mode": "hidden", "reason": REASON}
    )
    assert response.status_code == 404
    assert versions(council_a) == []


def test_the_team_around_the_family_says_the_default_and_changes(as_admin: Client, council_a: Council) -> None:
    page = text(as_admin.get("/administration/rules/family-teams/"))
    assert "The default is agencies only." in page
    assert 'value="agencies" checked' in page
    response = as_admin.post("/administration/rules/family-teams/", {"family_teams": "none", "reason": REASON})
    assert response.status_code == 302
    assert rules_of(council_a).family_teams == FamilyTeams.NONE


def test_break_glass_roles_are_added_by_name_and_removed(as_admin: Client, council_a: Council) -> None:
    path = "/administration/rules/break-glass/"
    reasons = "Immediate risk to a child\nOut-of-hours placement\n\n"
    data = {"new_role": "Out-of-hours Duty Team", "break_glass_reasons": reasons, "break_glass_minutes": "120"}
    assert as_admin.post(path, data | {"reason": REASON}).status_code == 302
    rules = rules_of(council_a)
    assert rules.break_glass_roles == (BreakGlassRole(key="out-of-hours-duty-team", name="Out-of-hours Duty Team"),)
    assert rules.break_glass_reasons == ("Immediate risk to a child", "Out-of-hours placement")
    assert rules.break_glass_minutes == 120

    again = as_admin.post(path, data | {"new_role": "out-of-hours duty team", "reason": "Again"})
    assert again.status_code == 400
    assert "The council already has a role called out-of-hours duty team" in text(again)

    page = text(as_admin.get(path))
    assert 'value="out-of-hours-duty-team"' in page
    removed = as_admin.post(
        path, data | {"new_role": "", "remove_roles": ["out-of-hours-duty-team"], "reason": "Team disbanded"}
    )
    assert removed.status_code == 302
    assert rules_of(council_a).break_glass_roles == ()
    assert [version.number for version in versions(council_a)] == [1, 2]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"break_glass_minutes": "10"}, "Enter a whole number of minutes between 15 and 1440"),
        ({"break_glass_reasons": " \n "}, "Give at least one reason a team may be opened in an emergency"),
        ({"break_glass_reasons": "x" * 121}, "Each reason must be between 1 and 120 characters"),
        ({"new_role": "!!!"}, "Give the role a name with letters or numbers in it"),
    ],
)
def test_break_glass_values_outside_the_bounds_are_refused(
    as_admin: Client, council_a: Council, changes: dict[str, str], message: str
) -> None:
    data = {"break_glass_reasons": "A reason", "break_glass_minutes": "60", "reason": REASON} | changes
    response = as_admin.post("/administration/rules/break-glass/", data)
    assert response.status_code == 400
    assert message in text(response)
    assert versions(council_a) == []


def test_alert_thresholds_and_the_working_day_are_changed_and_checked(as_admin: Client, council_a: Council) -> None:
    path = "/administration/rules/alerts/"
    data = {
        "searches_without_involvement": "10",
        "burst_searches": "15",
        "distinct_clients_viewed": "30",
        "out_of_hours_searches": "2",
        "working_day_starts": "08:00",
        "working_day_ends": "18:30",
        "reason": REASON,
    }
    page = text(as_admin.get(path))
    assert 'value="07:00"' in page
    wrong = as_admin.post(path, data | {"working_day_ends": "07:30"})
    assert wrong.status_code == 400
    assert 'href="#id_working_day_ends"' in text(wrong)
    assert "The working day must end after it starts" in text(wrong)
    assert as_admin.post(path, data | {"burst_searches": "0"}).status_code == 400
    assert versions(council_a) == []
    assert as_admin.post(path, data).status_code == 302
    [version] = versions(council_a)
    assert "Alert: searches within ten minutes: 15 (was 20)" in version.changes
    assert "The working day ends at: 18:30 (was 19:00)" in version.changes
    alerts = rules_of(council_a).alerts
    assert (alerts.burst_searches, alerts.working_day_starts, alerts.working_day_ends) == (
        15,
        datetime.time(8, 0),
        datetime.time(18, 30),
    )


# --- The history ------------------------------------------------------------------------------------------------


def test_the_history_lists_every_version_and_each_shows_its_whole_rule_set(
    as_admin: Client, council_a: Council, admin: Practitioner
) -> None:
    as_admin.post("/administration/rules/search-and-join/", search_join(result_cap="8"))
    as_admin.post("/administration/rules/family-teams/", {"family_teams": "full", "reason": "Second thoughts"})
    page = text(as_admin.get("/administration/rules/history/"))
    assert page.index("Version 2") < page.index("Version 1")
    assert "Second thoughts" in page
    assert REASON in page
    assert escape(admin.user.full_name) in page
    assert "Most results a search shows: 8 (was 20)" in page
    first = text(as_admin.get("/administration/rules/history/1/"))
    assert "Version 1" in first
    assert "Agencies only: which agencies work with each family member" in first  # version 1 did not change it
    assert "/administration/rules/search-and-join/" not in first  # a past version is read, not changed
    assert as_admin.get("/administration/rules/history/9/").status_code == 404


def test_the_history_shows_times_in_the_councils_time_zone(as_admin: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        RulebookVersion.objects.create(
            number=1,
            rules=Rules(result_cap=9).to_json(),
            changes=["Most results a search shows: 9 (was 20)"],
            reason=REASON,
            created_at=datetime.datetime(2026, 7, 1, 11, 30, tzinfo=datetime.UTC),
        )
    page = text(as_admin.get("/administration/rules/history/"))
    local = datetime.datetime(2026, 7, 1, 11, 30, tzinfo=datetime.UTC).astimezone(ZoneInfo(council_a.time_zone))
    assert local.utcoffset() != datetime.timedelta(0) or council_a.time_zone == "UTC"
    assert f"1 July 2026, {local:%H:%M}" in page


# --- Consent on the legal bases ------------------------------------------------------------------------------------


def test_the_administrator_sets_whether_a_legal_basis_needs_consent(as_admin: Client, council_a: Council) -> None:
    from core.governance.models import LegalBasis

    with schema_context(council_a.schema_name):
        basis = LegalBasis.objects.filter(requires_consent=False).order_by("position").first()
    assert f"/administration/legal-bases/{basis.pk}/needs-consent/" in text(
        as_admin.get("/administration/legal-bases/")
    )
    assert as_admin.post(f"/administration/legal-bases/{basis.pk}/needs-consent/").status_code == 302
    with schema_context(council_a.schema_name):
        basis.refresh_from_db()
    assert basis.requires_consent is True
    [event] = audit_events(council_a, action=AuditAction.LEGAL_BASIS_CHANGED)
    assert event.changes == {"requires_consent": {"old": False, "new": True}}
    assert as_admin.post(f"/administration/legal-bases/{basis.pk}/no-consent/").status_code == 302
    with schema_context(council_a.schema_name):
        basis.refresh_from_db()
    assert basis.requires_consent is False


# --- Nobody else ---------------------------------------------------------------------------------------------------

PAGES = [
    "/administration/rules/",
    "/administration/rules/search-and-join/",
    "/administration/rules/family-teams/",
    "/administration/rules/break-glass/",
    "/administration/rules/alerts/",
    "/administration/rules/history/",
    "/administration/break-glass-roles/",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_practitioner_is_refused_every_rules_page_and_the_refusal_is_recorded(
    as_practitioner: Client, council_a: Council, practitioner: Practitioner, path: str
) -> None:
    response = as_practitioner.get(path)
    assert response.status_code == 403
    [denied] = audit_events(council_a, action=AuditAction.ACCESS_DENIED, path=path)
    assert denied.actor_id == practitioner.user.pk


def test_a_practitioner_posting_to_every_rules_page_changes_nothing(
    as_practitioner: Client, council_a: Council, practitioner: Practitioner, recovery: Agency
) -> None:
    from core.governance.models import LegalBasis

    with schema_context(council_a.schema_name):
        basis = LegalBasis.objects.order_by("position").first()
        consent_before = basis.requires_consent
    posts = [
        ("/administration/rules/search-and-join/", search_join(result_cap="3")),
        ("/administration/rules/family-teams/", {"family_teams": "full", "reason": REASON}),
        ("/administration/rules/break-glass/", {"new_role": "MASH", "break_glass_reasons": "A", "reason": REASON}),
        (f"/administration/rules/sensitive-services/{recovery.pk}/", {"mode": "hidden", "reason": REASON}),
        (f"/administration/legal-bases/{basis.pk}/{'no' if consent_before else 'needs'}-consent/", {}),
        (f"/administration/break-glass-roles/{practitioner.pk}/give/", {"role": "mash"}),
    ]
    for path, data in posts:
        assert as_practitioner.post(path, data).status_code == 403, path
    assert versions(council_a) == []
    with schema_context(council_a.schema_name):
        basis.refresh_from_db()
        practitioner.refresh_from_db()
    assert basis.requires_consent == consent_before
    assert practitioner.break_glass_role == ""
    assert (
        audit_events(
            council_a,
            action__in=[
                AuditAction.RULEBOOK_CHANGED,
                AuditAction.LEGAL_BASIS_CHANGED,
                AuditAction.BREAK_GLASS_ROLE_CHANGED,
            ],
        )
        == []
    )


def test_the_rules_page_reads_the_same_few_queries_however_many_sensitive_services(
    as_admin: Client, council_a: Council, recovery: Agency
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        as_admin.get("/administration/rules/")
    with schema_context(council_a.schema_name):
        for name in ("Alpha Sexual Health", "Alpha Domestic Abuse Service"):
            AgencyFactory(name=name, is_sensitive=True, gateway_contact="Duty line")
    with CaptureQueriesContext(connection) as three:
        page = text(as_admin.get("/administration/rules/"))
    assert "Alpha Sexual Health" in page
    assert len(three.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/administration/rules/search-and-join/",
        "/administration/rules/family-teams/",
        "/administration/rules/break-glass/",
        "/administration/rules/alerts/",
    ],
)
def test_an_empty_post_is_refused_with_errors_and_changes_nothing(
    as_admin: Client, council_a: Council, path: str
) -> None:
    response = as_admin.post(path, {})
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert versions(council_a) == []
