"""``python manage.py release``: what a deploy runs once, before the new code serves traffic.

It migrates every schema (``migrate_schemas --executor multiprocessing``, which skips up-to-date
schemas and then creates and grants the application role: tenants/migration_executor.py), holding a
PostgreSQL advisory lock so that two deploys never migrate at once; then, where the server loads pgaudit,
its role and extension. The lock is taken on a
connection of its own, as the owner role: the migrations switch and close Django's connection
(tenants/services/database_roles.py ``owner_connection``), and a session-level lock ends with the
session that took it. Should the release process die, its session ends and the lock with it.
"""

import time
from io import StringIO
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser, SystemCheckError
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

# "patchwor" in ASCII: any fixed 64-bit key, the same in every release, used for nothing else.
RELEASE_LOCK_KEY = 0x70617463_68776F72
RETRY_EVERY = 2.0  # seconds between attempts while another release holds the lock
TELL_EVERY = 60.0  # seconds between messages while waiting

LOCK_HELD_MESSAGE = "Another release holds the lock; nothing was migrated."


class Command(BaseCommand):
    help = "Migrate every schema, one release at a time (an advisory lock in the database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait",
            type=float,
            default=600.0,
            help="Seconds to wait for another release to finish before giving up (default 600).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["wait"] < 0:
            raise CommandError("--wait must be 0 or more seconds.")
        lock = _owner_session()
        try:
            if not self._lock_take(lock, wait=options["wait"]):
                raise CommandError(LOCK_HELD_MESSAGE)
            try:
                self._cell_check()
                self.stdout.write("Release lock taken; migrating.")
                # Its output goes to the process's own stdout: the multiprocessing executor pickles the
                # command's options for its workers, and a stream given here could not be pickled.
                call_command(
                    "migrate_schemas", executor="multiprocessing", interactive=False, verbosity=options["verbosity"]
                )
                self._pgaudit_install(lock)
            finally:
                self._lock_give_back(lock)
            self.stdout.write(self.style.SUCCESS("Release complete."))
        finally:
            lock.close()

    def _lock_take(self, lock: psycopg.Connection, *, wait: float) -> bool:
        started = told = time.monotonic()
        while True:
            if lock.execute("SELECT pg_try_advisory_lock(%s)", [RELEASE_LOCK_KEY]).fetchone()[0]:
                return True
            now = time.monotonic()
            if now - started >= wait:
                return False
            if now - told >= TELL_EVERY:
                told = now
                self.stdout.write(
                    f"Another release holds the lock; waited {now - started:.0f} s of {wait:.0f} s, still waiting."
                )
            time.sleep(min(RETRY_EVERY, wait - (now - started)))

    def _cell_check(self) -> None:
        """Every system check, the database's included (a council that does not belong in this cell: tenants/checks.py),
        before anything is migrated: a deploy into the wrong cell stops here."""
        try:
            call_command("check", databases=["default"], fail_level="ERROR", stdout=StringIO())
        except SystemCheckError as problems:
            raise CommandError(f"The release stopped before migrating anything.\n{problems}") from problems

    def _pgaudit_install(self, session: psycopg.Connection) -> None:
        """The database's own record of schema and role changes (terraform/modules/cell/database.tf): pgaudit
        needs its role and its extension, which only the owner can create, once the server loads the library."""
        if not session.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pgaudit'").fetchone():
            self.stdout.write(
                "pgaudit is not installed on this server: schema and role changes are recorded only by the "
                "application's audit trail."
            )
            return
        try:
            with session.transaction():
                session.execute(
                    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_pgaudit') THEN "
                    "CREATE ROLE rds_pgaudit; END IF; END $$"
                )
                session.execute("CREATE EXTENSION IF NOT EXISTS pgaudit")
        except psycopg.Error as error:  # e.g. not yet loaded: the parameter group waits for a reboot
            self.stderr.write(f"pgaudit could not be enabled ({error.diag.message_primary}); the release goes on.")
            return
        self.stdout.write("pgaudit: extension and role present.")

    def _lock_give_back(self, lock: psycopg.Connection) -> None:
        try:
            held = lock.execute("SELECT pg_advisory_unlock(%s)", [RELEASE_LOCK_KEY]).fetchone()[0]
        except psycopg.Error:
            held = False
        if not held:  # its session ended while migrating: another release could have started alongside
            self.stderr.write("The release lock was lost while migrating (its database session ended).")


def _owner_session() -> psycopg.Connection:
    """A new session as the owner role, on the database Django's connection uses (with its TLS settings),
    never from a pool, outside any transaction."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    if not owner:
        raise CommandError("A release needs the database owner role: set DATABASE_OWNER_URL.")
    options = {key: value for key, value in connection.settings_dict.get("OPTIONS", {}).items() if key != "pool"}
    settings_dict = {**connection.settings_dict, **owner, "OPTIONS": options}
    # Django's backend only turns the settings into libpq's parameters here; it connects nothing.
    parameters = DatabaseWrapper(settings_dict, alias=connection.alias).get_connection_params()
    return psycopg.connect(**parameters, autocommit=True)
