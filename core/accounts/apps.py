from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People who sign in. In a council's schema: its practitioners and administrators.
    In ``public``: platform staff. The same table, never the same rows."""

    name = "core.accounts"
    label = "accounts"
    verbose_name = "Accounts"
