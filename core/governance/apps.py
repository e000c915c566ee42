from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """The council's information-governance rules, held as data in its schema."""

    name = "core.governance"
    label = "governance"
    verbose_name = "Information governance"
