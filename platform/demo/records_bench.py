"""The large council the records benchmarks share (``bench_retention``, ``bench_export``): made once in a
benchmark database and reused, at the scale of PERFORMANCE.md.

The large-council generator fills it (300,000 clients, 20,000 practitioners, a million involvements over the
last five years, a quarter of them ended, 60,000 families and the team activity they imply), then an audit trail
spread evenly over the last nine years, a fifth of it sign-ins, written with ``INSERT … SELECT generate_series``.
"""

import argparse
import time
from collections.abc import Callable

from django.db import connection, transaction
from psycopg import sql

from core.audit.models import AuditEvent
from core.clients.models import Client
from core.directory.models import Practitioner
from demo.scale import council_generate_large
from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tenants.services.schemas import council_schema_drop

SLUG = "bench-records"

_AUDIT_SQL = """
INSERT INTO {audit} (occurred_at, actor_id, council, action, outcome, object_type, object_id, related_ids, reason,
                     ip_address, user_agent, path)
SELECT now() - random() * interval '9 years', p.user_id, %(schema)s,
       CASE WHEN r.sign_in THEN 'sign_in' ELSE 'client_viewed' END, 'success',
       CASE WHEN r.sign_in THEN '' ELSE 'client' END, CASE WHEN r.sign_in THEN '' ELSE c.id::text END,
       ARRAY[]::varchar[], '', '10.20.0.1', 'Mozilla/5.0 (bench)', '/'
FROM (
    SELECT floor(random() * %(people)s)::int AS pn, floor(random() * %(clients)s)::int AS cn, random() < 0.2 AS sign_in
    FROM generate_series(1, %(rows)s)
) r
JOIN (SELECT (row_number() OVER (ORDER BY user_id)) - 1 AS n, user_id FROM {practitioner}) p ON p.n = r.pn
JOIN (SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id FROM {client}) c ON c.n = r.cn
"""


def records_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=300_000)
    parser.add_argument("--practitioners", type=int, default=20_000)
    parser.add_argument("--involvements", type=int, default=1_000_000)
    parser.add_argument("--families", type=int, default=60_000)
    parser.add_argument("--audit", type=int, default=500_000, help="Audit events over the last nine years")
    parser.add_argument("--rebuild", action="store_true", help="Make the council again from nothing")
    parser.add_argument("--drop", action="store_true", help="Remove the council at the end")


def records_council(options: dict) -> Council:
    """The benchmark council, made if missing (or again with ``--rebuild``); filled by ``records_council_fill``."""
    if options["rebuild"]:
        records_council_drop()
    council = Council.objects.filter(slug=SLUG).first()
    if council is None:
        council = council_create(name="Bench Records Council", slug=SLUG, jurisdiction=Jurisdiction.ENGLAND)
        council_provision(council_id=council.pk)
        council.refresh_from_db()
    return council


def records_council_fill(options: dict, say: Callable[[str], None]) -> str:
    """Fill the council the connection is in, unless it holds clients already. Says how it was got."""
    if Client.objects.exists():
        return "council reused"
    start = time.perf_counter()
    say(
        f"Generating {options['clients']:,} clients, {options['practitioners']:,} practitioners and "
        f"{options['involvements']:,} involvements…"
    )
    council_generate_large(
        clients=options["clients"],
        practitioners=options["practitioners"],
        involvements=options["involvements"],
        families=options["families"],
        seed=13,
    )
    say(f"Writing {options['audit']:,} audit events over nine years…")
    statement = sql.SQL(_AUDIT_SQL).format(
        audit=sql.Identifier(AuditEvent._meta.db_table),
        practitioner=sql.Identifier(Practitioner._meta.db_table),
        client=sql.Identifier(Client._meta.db_table),
    )
    params = {
        "schema": connection.schema_name,
        "people": Practitioner.objects.count(),
        "clients": Client.objects.count(),
        "rows": options["audit"],
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return f"council generated in {time.perf_counter() - start:.0f} s"


def records_council_drop() -> None:
    for council in Council.objects.filter(slug=SLUG):
        council_schema_drop(council=council)
        council.delete()
