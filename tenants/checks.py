"""System checks that keep personal data in the cell's jurisdiction (tenants/cell.py).

``patchwork.E001``: the cell's own description is wrong (an unknown jurisdiction, or a region that is not
the jurisdiction's). ``patchwork.E002`` (a database check: ``manage.py check --database default``, and
``migrate``): a council whose jurisdiction or data region is not the cell's. ``patchwork.E003``: a Sentry
DSN whose host is not in ``SENTRY_ALLOWED_HOSTS``. Without a cell (development, tests) E001 and E002 have
nothing to check; E003 applies everywhere.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections
from django.db.models import Q

from config.sentry import sentry_dsn_host, sentry_host_allowed
from tenants.cell import cell_problem, residency_problem, this_cell

ADR = "See docs/adr/0027-a-cell-knows-its-jurisdiction.md."


@register()
def cell_described_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    cell = this_cell()
    problem = cell_problem(cell) if cell else None
    if problem is None:
        return []
    return [Error(problem, hint=f"Set PATCHWORK_JURISDICTION and AWS_REGION for this cell. {ADR}", id="patchwork.E001")]


@register(Tags.database)
def councils_in_cell_check(
    app_configs: Sequence[AppConfig] | None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    cell = this_cell()
    if cell is None or not databases or "default" not in databases or cell_problem(cell):
        return []  # no cell, not asked to look at the database, or E001 already says what is wrong
    from tenants.models import Council

    if Council._meta.db_table not in connections["default"].introspection.table_names():
        return []  # a database not yet migrated holds no council
    strays = (
        Council.objects.exclude(Q(jurisdiction=cell.jurisdiction) & Q(data_region=cell.region))
        .order_by("slug")
        .values_list("slug", "jurisdiction", "data_region")
    )
    return [
        Error(
            f"Council {slug} does not belong in this cell: "
            f"{residency_problem(jurisdiction=jurisdiction, data_region=data_region)}",
            hint=f"Move the council to its jurisdiction's cell, or correct its row. {ADR}",
            id="patchwork.E002",
        )
        for slug, jurisdiction, data_region in strays
    ]


@register()
def sentry_host_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    dsn = settings.SENTRY_DSN
    if not dsn or sentry_host_allowed(dsn=dsn, allowed_hosts=settings.SENTRY_ALLOWED_HOSTS):
        return []
    return [
        Error(
            f"SENTRY_DSN sends error reports to {sentry_dsn_host(dsn) or 'no host'!r}, which is not in "
            "SENTRY_ALLOWED_HOSTS; Sentry is not started.",
            hint="Leave SENTRY_DSN empty, or add its host to SENTRY_ALLOWED_HOSTS only if that Sentry keeps the "
            f"data in this cell's jurisdiction. {ADR}",
            id="patchwork.E003",
        )
    ]
