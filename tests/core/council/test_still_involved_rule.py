"""The council's "still involved?" rule: the jurisdiction's default until the administrator sets the council's
own, within bounds, saying why; audited as every rule change is. Anyone else is refused and nothing changes."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.models import AuditAction
from core.governance.models import RulebookVersion
from core.governance.rules import Rules, RulesError, StillInvolvedAsking
from core.governance.selectors import still_involved_current
from tenants.models import Council
from tests.core.accounts.helpers import audit_events
from tests.core.council.conftest import text

pytestmark = pytest.mark.council_side

PATH = "/administration/rules/still-involved/"
REASON = "Agreed at the early help board: ask after two months"


def _versions(council: Council) -> list[RulebookVersion]:
    with schema_context(council.schema_name):
        return list(RulebookVersion.objects.order_by("number"))


def test_each_jurisdiction_starts_with_a_default(council_a: Council, council_b: Council) -> None:
    for council in (council_a, council_b):
        with schema_context(council.schema_name):
            assert still_involved_current() == StillInvolvedAsking(after_days=90, reminder_days=7)


def test_the_administrator_sets_the_rule_and_the_change_is_a_new_audited_version(
    as_admin: Client, council_a: Council
) -> None:
    overview = text(as_admin.get("/administration/rules/"))
    assert f'href="{PATH}"' in overview
    assert "90 days" in overview
    page = as_admin.get(PATH)
    assert page.status_code == 200
    assert 'value="90"' in text(page)
    response = as_admin.post(PATH, {"after_days": "60", "reminder_days": "7", "reason": REASON})
    assert response.status_code == 302
    [version] = _versions(council_a)
    assert version.changes == [
        "Ask whether still involved after this many days without contact: 60 (was the default)",
        "Remind, then tell the lead professional, after this many days without an answer: 7 (was the default)",
    ]
    with schema_context(council_a.schema_name):
        assert still_involved_current() == StillInvolvedAsking(after_days=60, reminder_days=7)
    [event] = audit_events(council_a, action=AuditAction.RULEBOOK_CHANGED)
    assert event.reason == REASON
    assert "60 days" in text(as_admin.get("/administration/rules/"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"after_days": "13"}, "after_days", "Enter a whole number of days between 14 and 365"),
        ({"after_days": "366"}, "after_days", "Enter a whole number of days between 14 and 365"),
        ({"reminder_days": "1"}, "reminder_days", "Enter a whole number of days between 2 and 30"),
        ({"reminder_days": "31"}, "reminder_days", "Enter a whole number of days between 2 and 30"),
        ({"after_days": "ninety"}, "after_days", "Enter a whole number"),
        ({"after_days": ""}, "after_days", ""),
        ({"reason": " "}, "reason", "Say why the rules are changing"),
    ],
)
def test_values_outside_the_bounds_are_refused_on_their_field_and_nothing_changes(
    as_admin: Client, council_a: Council, changes: dict[str, str], field: str, message: str
) -> None:
    data = {"after_days": "45", "reminder_days": "5", "reason": REASON} | changes
    response = as_admin.post(PATH, data)
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert f'href="#id_{field}' in page
    assert message in page
    assert f'value="{data["reminder_days"]}"' in page  # what was typed is kept
    assert _versions(council_a) == []
    assert audit_events(council_a, action=AuditAction.RULEBOOK_CHANGED) == []


def test_a_practitioner_is_refused_and_nothing_changes(as_practitioner: Client, council_a: Council) -> None:
    assert as_practitioner.get(PATH).status_code == 403
    assert as_practitioner.post(PATH, {"after_days": "30", "reminder_days": "7", "reason": REASON}).status_code == 403
    assert _versions(council_a) == []


def test_a_stored_rule_outside_the_bounds_is_refused_however_it_arrives() -> None:
    with pytest.raises(RulesError):
        Rules.from_json({"still_involved": {"after_days": 7, "reminder_days": 7}})
    with pytest.raises(RulesError):
        StillInvolvedAsking(after_days=90, reminder_days=0)
    rules = Rules(still_involved=StillInvolvedAsking(after_days=30, reminder_days=3))
    assert Rules.from_json(rules.to_json()) == rules
    assert Rules.from_json({}).still_involved is None  # versions stored before the rule existed read as the default
