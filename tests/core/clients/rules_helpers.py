"""Putting council rules in force for a test: a new rulebook version, as the administrator's pages make one."""

from django_tenants.utils import schema_context

from core.governance.models import RulebookVersion
from core.governance.rules import Rules
from tenants.models import Council


def rules_in_force(council: Council, rules: Rules) -> None:
    with schema_context(council.schema_name):
        number = (RulebookVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        RulebookVersion.objects.create(number=number, rules=rules.to_json(), reason="For the test")
