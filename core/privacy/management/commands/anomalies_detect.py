"""Run the anomaly job for one council and one council-local day, here and now (a missed night, a re-run).

manage.py anomalies_detect --council alpha --day 2026-12-01
"""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.privacy.anomalies import anomalies_detect_day
from tenants.models import Council


class Command(BaseCommand):
    help = "Raise the privacy officer's alerts for one council and one day (yesterday by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", required=True, help="The council's slug")
        parser.add_argument("--day", help="The council-local day, YYYY-MM-DD (default: yesterday there)")

    def handle(self, *args: Any, **options: Any) -> None:
        council = Council.objects.filter(slug=options["council"]).first()
        if council is None:
            raise CommandError(f"No council {options['council']!r}")
        try:
            day = datetime.date.fromisoformat(options["day"]) if options["day"] else None
        except ValueError as error:
            raise CommandError("Give the day as YYYY-MM-DD") from error
        with schema_context(council.schema_name):
            day = day or timezone.localdate(timezone=ZoneInfo(council.time_zone)) - datetime.timedelta(days=1)
            raised = anomalies_detect_day(day=day)
        self.stdout.write(f"{council.slug} {day.isoformat()}: {len(raised)} alert(s) raised")
