"""Base classes for Celery tasks: every task states which side it runs on.

tenant-schemas-celery puts the sender's schema in the ``_schema_name`` message header and switches
to it before the task runs. Left alone, a message without that header runs in ``public``; for
council work that would be a silent wrong-schema write, so ``CouncilTask`` refuses instead.
"""

from typing import Any

from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask


class CouncilContextMissing(RuntimeError):
    """A council task arrived without naming its council. It is refused, never run in public."""


class CouncilTask(TenantTask):
    """A task that works inside one council's schema. Pass ids, not model instances."""

    abstract = True
    acks_late = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        schema = get_schema_name_from_task(self, kwargs)
        if not schema or schema == get_public_schema_name() or connection.schema_name != schema:
            raise CouncilContextMissing(f"Task {self.name} was sent without a council; refusing to run it.")
        # "Today" and every time shown is the council's own (Europe/London, Australia/Melbourne), as in its pages.
        with timezone.override(getattr(connection.tenant, "time_zone", None) or timezone.get_default_timezone()):
            return super().__call__(*args, **kwargs)


class PlatformTask(TenantTask):
    """A task that works on the platform (``public`` schema): provisioning, billing, operations."""

    abstract = True
    acks_late = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if connection.schema_name != get_public_schema_name():
            connection.set_schema_to_public()
        return super().__call__(*args, **kwargs)
