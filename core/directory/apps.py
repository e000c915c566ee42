from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """Agencies and practitioners: the council's "super-charged phonebook"."""

    name = "core.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from core.accounts.services.sign_in import sign_in_refusal_add
        from core.directory.services.agencies import agency_not_in_use_refusal

        sign_in_refusal_add(agency_not_in_use_refusal)
