"""django-tenants migration executor that skips up-to-date schemas and keeps the template current.

Configured with ``GET_EXECUTOR_FUNCTION``, so ``manage.py migrate`` / ``migrate_schemas`` use it.
A deploy over hundreds of councils with nothing to migrate then costs one query, not one Django
``migrate`` run per schema. Schemas that do need work go to the executor chosen with
``--executor`` (``multiprocessing`` runs them in parallel).

Migrations run as the database owner role, and end by granting the application role what it
needs on the schemas they migrated and on any it was never granted (one query finds those;
tenants/services/database_roles.py): a process without ``DATABASE_OWNER_URL`` cannot migrate.
"""

from typing import Any

from django.conf import settings
from django_tenants.migration_executors import get_executor as django_tenants_get_executor
from django_tenants.migration_executors.base import MigrationExecutor

from tenants.schema_state import existing_schemas, schema_exists, schemas_needing_migration
from tenants.services.database_roles import (
    app_role_ensure,
    owner_connection,
    privileges_grant,
    schemas_without_usage,
)


def get_executor(codename: str | None = None) -> type[MigrationExecutor]:
    inner_class = django_tenants_get_executor(codename)

    class SkipUpToDateExecutor(inner_class):  # type: ignore[valid-type,misc]
        def run_migrations(self, tenants: Any = None) -> Any:
            with owner_connection():
                result, present, migrated = self._run_pending(list(tenants or []))
                if not (self.options.get("plan") or self.options.get("check_unapplied")):
                    app_role_ensure()
                    # Where something was migrated, and wherever the application was never granted
                    # its privileges; default privileges already cover what the owner creates later.
                    # Not every schema each time: at hundreds of councils that is most of a no-op deploy.
                    privileges_grant(schemas=[*migrated, *schemas_without_usage(present)])
            return result

        def _run_pending(self, schema_names: list[str]) -> tuple[Any, list[str], list[str]]:
            migrating_councils = schema_names and schema_names != [self.PUBLIC_SCHEMA_NAME]
            template = settings.TENANT_BASE_SCHEMA
            every_council = migrating_councils and not self.options.get("schema_name")
            if every_council and template not in schema_names and schema_exists(template):
                schema_names.append(template)
            # A council still waiting for provisioning has no schema yet; provisioning will create it
            # fully migrated, so the deploy step leaves it alone rather than failing on it.
            present = existing_schemas(schema_names) if migrating_councils else schema_names
            if self.options.get("fake") or self.options.get("app_label") or self.options.get("plan"):
                pending = present  # an explicit request: let Django decide
            else:
                pending = schemas_needing_migration(present)
            verbose = int(self.options.get("verbosity", 1)) >= 1
            if verbose and len(present) < len(schema_names):
                self.logger_stdout(f"{len(schema_names) - len(present)} council(s) not yet provisioned; skipped.")
            if verbose and len(present) > len(pending):
                self.logger_stdout(
                    f"{len(present) - len(pending)} schema(s) already up to date; migrating {len(pending)}."
                )
            if pending:
                return super().run_migrations(tenants=pending), present, pending
            return None, present, []

        def logger_stdout(self, message: str) -> None:
            import sys

            sys.stdout.write(message + "\n")

    SkipUpToDateExecutor.__name__ = f"SkipUpToDate{inner_class.__name__}"
    return SkipUpToDateExecutor
