"""The rulebook's bounds are the code's: whatever a form, an import or a stored row says, a rule outside them
is refused, and what is stored reads back as the same rules."""

import datetime

import pytest

from core.governance.rules import (
    AlertThresholds,
    BreakGlassRole,
    FamilyTeams,
    Rules,
    RulesError,
    SearchMinimum,
    SensitiveMode,
    SensitiveService,
)


def test_a_council_starts_with_placeholders_agencies_only_family_teams_and_twenty_results() -> None:
    rules = Rules()
    assert rules.sensitive_service("any-agency").mode is SensitiveMode.PLACEHOLDER
    assert rules.family_teams is FamilyTeams.AGENCIES
    assert rules.result_cap == 20
    assert rules.join_needs_lead_approval is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"result_cap": 21}, "result_cap"),
        ({"result_cap": 0}, "result_cap"),
        ({"result_cap": True}, "result_cap"),
        ({"searches_per_hour": 9}, "searches_per_hour"),
        ({"searches_per_hour": 301}, "searches_per_hour"),
        ({"break_glass_minutes": 14}, "break_glass_minutes"),
        ({"break_glass_minutes": 24 * 60 + 1}, "break_glass_minutes"),
        ({"break_glass_reasons": ()}, "break_glass_reasons"),
        ({"break_glass_reasons": ("  ",)}, "break_glass_reasons"),
        ({"break_glass_reasons": ("x" * 121,)}, "break_glass_reasons"),
        ({"break_glass_roles": (BreakGlassRole("mash", "MASH"), BreakGlassRole("mash", "Other"))}, "break_glass_roles"),
        ({"break_glass_roles": (BreakGlassRole("blank", " "),)}, "break_glass_roles"),
        ({"alerts": AlertThresholds(burst_searches=0)}, "alerts.burst_searches"),
        (
            {"alerts": AlertThresholds(working_day_starts=datetime.time(19), working_day_ends=datetime.time(7))},
            "alerts.working_day_ends",
        ),
    ],
)
def test_a_rule_outside_the_safe_bounds_is_refused_with_the_rule_named(changes: dict, field: str) -> None:
    with pytest.raises(RulesError) as refused:
        Rules().with_changes(**changes)
    assert refused.value.field == field
    assert str(refused.value)


def test_the_stored_form_reads_back_as_the_same_rules() -> None:
    rules = Rules(
        sensitive_services={
            "3f1c": SensitiveService(SensitiveMode.HIDDEN),
            "9ab0": SensitiveService(SensitiveMode.WITH_CONSENT, frozenset({"77aa", "88bb"})),
        },
        search_minimum=SearchMinimum.STRICT,
        result_cap=10,
        searches_per_hour=40,
        join_needs_lead_approval=True,
        family_teams=FamilyTeams.NONE,
        break_glass_roles=(BreakGlassRole("mash", "Multi-Agency Safeguarding Hub"),),
        break_glass_reasons=("Immediate risk",),
        break_glass_minutes=60,
        alerts=AlertThresholds(burst_searches=5, working_day_starts=datetime.time(8, 30)),
    )
    assert Rules.from_json(rules.to_json()) == rules


def test_a_stored_row_outside_the_bounds_is_refused_when_read() -> None:
    stored = Rules().to_json() | {"result_cap": 500}
    with pytest.raises(RulesError) as refused:
        Rules.from_json(stored)
    assert refused.value.field == "result_cap"


def test_a_stored_row_with_an_unknown_mode_is_refused_not_guessed() -> None:
    stored = Rules().to_json() | {"sensitive_services": {"3f1c": {"mode": "visible"}}}
    with pytest.raises(RulesError):
        Rules.from_json(stored)


def test_a_version_written_before_a_rule_existed_reads_that_rule_as_its_default() -> None:
    assert Rules.from_json({"result_cap": 5}) == Rules(result_cap=5)
