"""The outbox as an attacker who can read its table sees it, and an email provider that is down."""

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django_tenants.utils import schema_context


class ProviderDown(BaseEmailBackend):
    """The email provider is unreachable."""

    def send_messages(self, email_messages: object) -> int:
        raise ConnectionError("provider unreachable")


PROVIDER_DOWN = f"{__name__}.ProviderDown"


def outbox_table(schema_name: str) -> list[str]:
    """Every outbox row of a schema, every column, as text: what reading the table gives away."""
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(n)::text FROM notifications_notification AS n ORDER BY n.id")
        return [row for (row,) in cursor.fetchall()]
