"""Benchmark: a subject access export for a client with a 50-member team and 10,000 audit events, in a large
council, against the raw SQL that reads the same rows.

    manage.py bench_export [--members 50] [--events 10000] [--repeat 3] [--summary FILE]
                           [--clients 300000] [--practitioners 20000] [--involvements 1000000]
                           [--families 60000] [--audit 500000] [--rebuild] [--drop]

Uses the records benchmarks' council (``bench-records``: demo/records_bench.py), made if missing at the scale of
PERFORMANCE.md. In it, a planted client (the same one on every run) with a team of ``--members`` current
practitioners (one the lead), each having joined (team activity), a family, and ``--events`` audit events about
them over the last year: views of their team, searches that found them among two results, updates of an
involvement. A planted privacy officer records a subject access request for them.

It then times, in one run, ``repeat`` times each (medians):

* the reference: the raw SQL that reads the same rows — the client, the team with each practitioner's name and
  agency, the team activity, the family, and every audit event about the client with the name and agency of who
  did it — every row fetched;
* ``export_gather``: the export's reading of every section (what the reference reads, and the rest it covers);
* ``subject_access_export``: the whole export as the background task runs it: every section, the JSON, the HTML
  and the PDF written to private storage, the request made ready.

Each timed export must have done its work, or the command fails: the request is ready, its three files are in
private storage with the SHA-256 recorded, and the JSON read back holds the 50 members and at least the 10,000
audit events.
"""

import datetime
import json
import platform
import statistics
import time
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from psycopg import sql

from core.accounts.models import User
from core.audit.models import AuditEvent
from core.audit.origin import NO_ORIGIN
from core.clients.models import Client, Family, FamilyMember, Involvement, TeamActivity
from core.directory.models import Agency, Practitioner
from core.governance.models import LegalBasis
from core.subject_access.export import export_gather
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.exports import subject_access_export, subject_access_export_start
from core.subject_access.services.requests import subject_access_record
from demo.bench_summary import TargetRow, summary_write
from demo.records_bench import records_arguments, records_council, records_council_drop, records_council_fill

OFFICER_EMAIL = "privacy.officer@bench-records.example"
NHS_NUMBER = "9990000018"  # the planted client: an NHS number from the 999 range kept for tests


def _timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


_EVENTS_SQL = """
INSERT INTO {audit} (occurred_at, actor_id, council, action, outcome, object_type, object_id, related_ids, reason,
                     ip_address, user_agent, path)
SELECT now() - random() * interval '1 year', m.user_id, %(schema)s, r.action, 'success',
       CASE WHEN r.action = 'client_search' THEN '' ELSE 'client' END,
       CASE WHEN r.action = 'client_search' THEN '' ELSE %(client)s END,
       CASE WHEN r.action = 'client_search' THEN ARRAY[%(client)s, %(other)s]::varchar[] ELSE ARRAY[]::varchar[] END,
       CASE WHEN r.action = 'client_search' THEN 'by surname+dob; 2 results' ELSE '' END,
       '10.20.0.1', 'Mozilla/5.0 (bench)', '/'
FROM (
    SELECT floor(random() * %(members)s)::int AS mn,
           CASE WHEN random() < 0.45 THEN 'client_viewed' WHEN random() < 0.8 THEN 'client_search'
                ELSE 'involvement_updated' END AS action
    FROM generate_series(1, %(events)s)
) r
JOIN (SELECT (row_number() OVER (ORDER BY p.user_id)) - 1 AS n, p.user_id
      FROM {involvement} i JOIN {practitioner} p ON p.id = i.practitioner_id
      WHERE i.client_id = %(client_uuid)s AND i.ended_on IS NULL) m ON m.n = r.mn
"""

# The same rows the export reads, written by hand, every one fetched.
_REFERENCE_SQL = (
    """SELECT * FROM {client} WHERE id = %(client)s""",
    """SELECT i.*, u.first_name, u.last_name, a.name FROM {involvement} i
       JOIN {practitioner} p ON p.id = i.practitioner_id JOIN {user} u ON u.id = p.user_id
       JOIN {agency} a ON a.id = p.agency_id WHERE i.client_id = %(client)s ORDER BY i.started_on""",
    """SELECT t.*, u.first_name, u.last_name FROM {activity} t JOIN {practitioner} p ON p.id = t.actor_id
       JOIN {user} u ON u.id = p.user_id WHERE t.client_id = %(client)s ORDER BY t.occurred_at""",
    """SELECT f.name, m.*, o.first_name, o.surname FROM {member} m JOIN {family} f ON f.id = m.family_id
       JOIN {member} om ON om.family_id = m.family_id JOIN {client} o ON o.id = om.client_id
       WHERE m.client_id = %(client)s""",
    """SELECT e.*, u.first_name, u.last_name, a.name FROM {audit} e
       LEFT JOIN {user} u ON u.id = e.actor_id LEFT JOIN {practitioner} p ON p.user_id = e.actor_id
       LEFT JOIN {agency} a ON a.id = p.agency_id
       WHERE (e.object_type = 'client' AND e.object_id = %(key)s) OR e.related_ids @> ARRAY[%(key)s]::varchar[]
       ORDER BY e.occurred_at, e.id""",
)


class Command(BaseCommand):
    help = "Time a subject access export (50-member team, 10,000 audit events) against the raw SQL of its rows."

    def add_arguments(self, parser: CommandParser) -> None:
        records_arguments(parser)
        parser.add_argument("--members", type=int, default=50)
        parser.add_argument("--events", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--summary", help="Write the rows measured here as JSON (for bench_table)")

    def handle(self, *args: Any, **options: Any) -> None:
        council = records_council(options)
        try:
            with tenant_context(council), timezone.override(council.time_zone):
                built = records_council_fill(options, self.stdout.write)
                client, officer = self._plant(options)
                self._measure(options, client=client, officer=officer, built=built)
        finally:
            connection.set_schema_to_public()
            if options["drop"]:
                records_council_drop()

    # Planting ---------------------------------------------------------------------------------------------

    def _plant(self, options: dict[str, Any]) -> tuple[Client, Practitioner]:
        """The client, their team, family and audit trail, and the privacy officer: made once, then reused."""
        officer = Practitioner.objects.filter(user__email=OFFICER_EMAIL).first()
        client = Client.objects.filter(nhs_number=NHS_NUMBER).first()
        if officer is not None and client is not None:
            return client, officer
        with transaction.atomic():
            user = User(email=OFFICER_EMAIL, first_name="Priya", last_name="Officer")
            user.set_unusable_password()
            user.save()
            officer = Practitioner.objects.create(
                user=user,
                agency=Agency.objects.order_by("name").first(),
                job_title="Information governance lead",
                verified_at=timezone.now(),
                is_privacy_officer=True,
            )
            client = Client.objects.create(
                first_name="Jade",
                surname="Marchbank",
                date_of_birth=datetime.date(2014, 3, 9),
                nhs_number=NHS_NUMBER,
                postcode="ST16 2LP",
                legal_basis=LegalBasis.objects.order_by("pk").first(),
            )
            members = list(
                Practitioner.objects.exclude(pk=officer.pk)
                .order_by("pk")
                .values_list("pk", flat=True)[: options["members"]]
            )
            today = timezone.localdate()
            Involvement.objects.bulk_create(
                Involvement(
                    client=client,
                    practitioner_id=member,
                    role="Key worker" if index == 0 else "Practitioner",
                    is_lead=index == 0,
                    started_on=today - datetime.timedelta(days=300 - index),
                    join_reason="Allocated at the team meeting",
                )
                for index, member in enumerate(members)
            )
            TeamActivity.objects.bulk_create(
                TeamActivity(client=client, kind="joined", actor_id=member, subject_id=member) for member in members
            )
            family = Family.objects.create(name="Marchbank household")
            FamilyMember.objects.create(family=family, client=client, relationship="child")
            other = Client.objects.exclude(pk=client.pk).order_by("pk").first()
            FamilyMember.objects.create(family=family, client=other, relationship="sibling")
            statement = sql.SQL(_EVENTS_SQL).format(
                audit=sql.Identifier(AuditEvent._meta.db_table),
                involvement=sql.Identifier(Involvement._meta.db_table),
                practitioner=sql.Identifier(Practitioner._meta.db_table),
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    statement,
                    {
                        "schema": connection.schema_name,
                        "client": str(client.pk),
                        "client_uuid": client.pk,
                        "other": str(other.pk),
                        "members": len(members),
                        "events": options["events"],
                    },
                )
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(AuditEvent._meta.db_table)))
        return client, officer

    # Measuring --------------------------------------------------------------------------------------------

    def _reference(self, client: Client) -> int:
        names = {
            "client": Client,
            "involvement": Involvement,
            "practitioner": Practitioner,
            "user": User,
            "agency": Agency,
            "activity": TeamActivity,
            "member": FamilyMember,
            "family": Family,
            "audit": AuditEvent,
        }
        identifiers = {name: sql.Identifier(model._meta.db_table) for name, model in names.items()}
        rows = 0
        with connection.cursor() as cursor:
            for statement in _REFERENCE_SQL:
                cursor.execute(sql.SQL(statement).format(**identifiers), {"client": client.pk, "key": str(client.pk)})
                rows += len(cursor.fetchall())
        return rows

    def _export(self, sar: SubjectAccessRequest, officer: Practitioner) -> SubjectAccessRequest:
        subject_access_export_start(actor=officer, request_id=sar.pk, origin=NO_ORIGIN)
        return subject_access_export(request_id=sar.pk)

    def _check(self, sar: SubjectAccessRequest, *, members: int, events: int) -> dict[str, int]:
        """The export did its work: ready, its three files stored with their checks, the JSON complete."""
        if sar is None or sar.state != SubjectAccessRequest.State.READY:
            raise CommandError(f"The export did not finish: {getattr(sar, 'state', None)} {getattr(sar, 'error', '')}")
        storage = storages["private"]
        sizes = {}
        for entry in sar.files:
            if not storage.exists(entry["key"]):
                raise CommandError(f"The export's {entry['name']} is not in private storage")
            sizes[entry["name"]] = storage.size(entry["key"])
        if len(sizes) != 3 or not all(entry.get("sha256") for entry in sar.files):
            raise CommandError(f"The export wrote {sorted(sizes)}, without every check")
        json_key = next(entry["key"] for entry in sar.files if entry["name"].endswith(".json"))
        with storage.open(json_key, "rb") as stored:
            sections = {section["key"]: section for section in json.load(stored)["sections"]}
        team = len(sections["clients.Involvement"]["rows"])
        history = len(sections["audit.AuditEvent"]["rows"])
        if team != members or history < events:
            raise CommandError(f"The export holds {team} members and {history} audit events")
        return sizes

    def _measure(self, options: dict[str, Any], *, client: Client, officer: Practitioner, built: str) -> None:
        repeat = max(1, options["repeat"])
        sar = subject_access_record(
            actor=officer, client=client, received_on=timezone.localdate(), origin=NO_ORIGIN, today=timezone.localdate()
        )
        self._reference(client)  # warm: the same pages in the cache for all
        references = [_timed(lambda: self._reference(client)) for _ in range(repeat)]
        gathers = [_timed(lambda: export_gather(client=client)) for _ in range(repeat)]
        exports = []
        for _ in range(repeat):
            seconds, done = _timed(lambda: self._export(sar, officer))
            sizes = self._check(done, members=options["members"], events=options["events"])
            exports.append(seconds)
        reference = statistics.median(seconds for seconds, _ in references)
        gather = statistics.median(seconds for seconds, _ in gathers)
        export = statistics.median(exports)
        rows = references[0][1]
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        self.stdout.write(
            f"Machine: {platform.machine()}, Python {platform.python_version()}, PostgreSQL {version} on "
            f"{settings.DATABASES['default']['HOST'] or 'local'}; {built}; "
            f"{Client.objects.count():,} clients, {AuditEvent.objects.count():,} audit events in the council; "
            f"the client: {options['members']} members, {rows:,} rows read by the reference; medians of {repeat}"
        )
        lines = [
            (f"The raw SQL reading the client's {rows:,} rows (reference)", reference),
            ("`export_gather`: every section read", gather),
            ("`subject_access_export`: read, JSON, HTML and PDF written, ready", export),
        ]
        self.stdout.write("| Measure | Time | Ratio to the raw SQL |")
        self.stdout.write("|---|---|---|")
        for label, seconds in lines:
            self.stdout.write(f"| {label} | {seconds * 1000:,.0f} ms | {seconds / reference:.1f}× |")
        self.stdout.write("Files: " + ", ".join(f"{name} {size / 1024:,.0f} KB" for name, size in sizes.items()))
        self.stdout.flush()
        summary_write(
            options.get("summary"),
            [
                TargetRow(
                    "Subject access export (50-member team, 10,000 audit events)",
                    f"{export:.2f} s = {export / reference:.0f}× the raw SQL (reading alone {gather / reference:.1f}×)",
                    "ratio recorded",
                    None,
                )
            ],
        )
