from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """The council's information-governance rules, held as data in its schema."""

    name = "core.governance"
    label = "governance"
    verbose_name = "Information governance"

    def ready(self) -> None:
        from core.directory.listing import staff_listing_provide
        from core.governance.visibility import policy_for

        staff_listing_provide(policy_for)  # the phonebook lists staff as the one policy says
