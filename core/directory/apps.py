from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """Agencies and practitioners: the council's "super-charged phonebook"."""

    name = "core.directory"
    label = "directory"
    verbose_name = "Directory"
