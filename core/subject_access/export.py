"""The subject access export: everything the council holds about one client, and who accessed the record.

``export_gather`` reads every section of the registry (core/subject_access/registry.py) for the client — one
query a section, related rows joined, many-to-many fields prefetched, rows read in chunks — then the access
history from the audit trail (core/privacy/selectors.py), the alerts whose evidence names the client, the
emails that linked to them and the notices about them. ``export_files`` writes three documents from it:

* ``subject-access.json`` — machine-readable; its shape is documented in docs/subject-access-export.md and
  versioned by ``schema_version``;
* ``subject-access.html`` — readable, standalone (styles inline, no script, no outside address);
* ``subject-access.pdf`` — the same for print (config.pdf.Document).

The export is the council's own output as data controller, for its privacy officer: it holds everything,
sensitive involvements included, and the officer decides what to send after reviewing third parties' data.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from config.pdf import Document
from core.audit.models import AuditEvent
from core.clients.models import Client, Involvement
from core.directory.models import Practitioner
from core.governance.models import Alert
from core.governance.rules import RetentionKind
from core.inbox.models import Notice
from core.notifications.models import Notification
from core.privacy.selectors import access_rows_streamed, client_access_events
from core.subject_access.coverage import client_references
from core.subject_access.registry import SECTIONS, Section
from tenants.models import Council

SCHEMA_VERSION = 1
KIND = "patchwork.subject-access-export"
CHUNK = 1000
JSON_NAME, HTML_NAME, PDF_NAME = "subject-access.json", "subject-access.html", "subject-access.pdf"
PDF_TABLE_COLUMNS = 5  # wider sections print on pages turned sideways
PDF_RECORDS_MAX = 3  # unless they have this many rows or fewer: then as label and value pairs


@dataclass
class ExportSection:
    key: str
    title: str
    about: str
    columns: list[tuple[str, str]]  # (name, label)
    left_out: list[tuple[str, str]]  # (label, why)
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Export:
    request_id: str
    client_id: str
    client_name: str
    council_name: str
    council_schema: str
    locale: str
    law: str
    received_on: datetime.date
    due_on: datetime.date
    generated_at: datetime.datetime
    sections: list[ExportSection]


# --- Values --------------------------------------------------------------------------------------------------


def name_of(related: object) -> str:
    """A related row as a person reads it: a practitioner with their agency, anything else by its name."""
    if isinstance(related, Practitioner):
        return f"{related.user.full_name} ({related.agency.name})"
    return str(related)


def _value(item: models.Field, row: models.Model) -> Any:
    if item.many_to_many:
        return [name_of(related) for related in getattr(row, item.name).all()]
    if item.is_relation:
        related = getattr(row, item.name)
        return None if related is None else name_of(related)
    if item.choices:
        return getattr(row, f"get_{item.name}_display")() if getattr(row, item.attname) not in (None, "") else ""
    value = getattr(row, item.attname)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value)
    return value


def _joined(section: Section, model: type[models.Model], shown: list[models.Field]) -> models.QuerySet:
    rows = model._default_manager.all()
    joins: list[str] = []
    many: list[str] = []
    for item in shown:
        if item.many_to_many:
            many.append(item.name)
        elif item.is_relation:
            joins.append(item.name)
            if item.related_model is Practitioner:
                joins += [f"{item.name}__user", f"{item.name}__agency"]
    if joins:
        rows = rows.select_related(*joins)
    if many:
        rows = rows.prefetch_related(*many)
    return rows.order_by(*section.order_by)


@contextmanager
def planned_for_every_row() -> Iterator[None]:
    """Queries read through a server-side cursor planned, while in the block, for all their rows.

    PostgreSQL plans a cursor's query to return its first tenth fast: ordered by an indexed time, it walks that
    index over every client's rows (1.5 million team activity rows, 500,000 audit events: 2 s each) rather than
    read this client's few by their key and sort them (milliseconds). An export reads every row. The setting is
    the session's, put back when the block ends, so that progress can still be committed as the export goes."""
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def section_gather(section: Section, *, client_id: object, paths: tuple[str, ...]) -> ExportSection:
    """The section's rows for the client: one query (a join for each related row shown; one more for each
    many-to-many field, per chunk), read a chunk at a time."""
    model = section.model_class()
    shown = section.shown(model)
    columns = [(item.name, section.label_of(item)) for item in shown]
    hidden = {**section.automatic(model), **section.left_out}
    if section.show is not None:
        names = {item.name for item in shown}
        hidden = {name: why for name, why in hidden.items() if name not in names}
    labels = {item.name: section.label_of(item) for item in model._meta.get_fields() if hasattr(item, "verbose_name")}
    left_out = [(labels.get(name, name), why) for name, why in hidden.items()]
    where = Q()
    for path in paths:
        where |= Q(**{path: client_id})
    extra_value = None
    if section.extra is not None:
        label, make = section.extra
        extra_value = make(client_id)
        columns.append(("extra", label))
    out = ExportSection(model._meta.label, section.title, section.about, columns, left_out)
    rows = _joined(section, model, shown).filter(where)
    if len(paths) > 1:  # reached more than one way: each row once
        rows = rows.distinct()
    for row in rows.iterator(chunk_size=CHUNK):
        values = {item.name: _value(item, row) for item in shown}
        if extra_value is not None:
            values["extra"] = extra_value(row)
        out.rows.append(values)
    return out


ACCESS_COLUMNS = [
    ("when", "When"),
    ("who", "Who"),
    ("agency", "Agency"),
    ("what", "What"),
    ("outcome", "Outcome"),
    ("reason", "Reason given"),
    ("address", "Network address"),
    ("changes", "Changes to the record"),
]


def access_history_gather(*, client_id: object) -> ExportSection:
    """Who accessed the record, from the audit trail, oldest first: every search that found the client, every
    view of their team or a family member's that showed them, every change (a correction with its old and new
    values), every break-glass and every export. Two queries: the practitioners behind it, then the events in
    chunks."""
    key = str(client_id)
    section = ExportSection(
        "audit.AuditEvent",
        "Who accessed the record",
        "From the council's audit trail: each search that found the client, each view of the team (or of a "
        "family member's team that showed them), each change and each emergency access, oldest first.",
        ACCESS_COLUMNS,
        [("Audit event numbers, browsers' identification", "internal details of the audit trail")],
    )
    events = client_access_events(client_id=client_id).order_by("occurred_at", "id")
    for row in access_rows_streamed(events, client_id=client_id, chunk=CHUNK):
        event: AuditEvent = row.event
        about_client = event.object_type == "client" and event.object_id == key
        section.rows.append(
            {
                "when": row.when,
                "who": row.who_name,
                "agency": row.who_agency,
                "what": row.what,
                "outcome": row.outcome,
                "reason": row.reason,
                "address": row.address,
                "changes": event.changes if about_client and event.changes else None,
            }
        )
    return section


def alerts_gather(*, client_id: object) -> ExportSection:
    """Alerts whose evidence names the client (an anomaly's ``client_ids``, a break-glass's ``client_id``)."""
    key = str(client_id)
    section = ExportSection(
        "governance.Alert",
        "Alerts about access to the record",
        "Alerts raised for the privacy officer whose evidence includes this client.",
        [
            ("kind", "Kind"),
            ("raised_at", "Raised"),
            ("practitioner", "About"),
            ("summary", "Summary"),
            ("state", "State"),
            ("outcome", "Outcome"),
        ],
        [("The privacy officer's note", "about the practitioner's conduct, not about the client")],
    )
    alerts = (
        Alert.objects.filter(Q(evidence__contains={"client_ids": [key]}) | Q(evidence__contains={"client_id": key}))
        .select_related("practitioner__user", "practitioner__agency")
        .order_by("raised_at", "id")
    )
    for alert in alerts.iterator(chunk_size=CHUNK):
        section.rows.append(
            {
                "kind": alert.get_kind_display(),
                "raised_at": timezone.localtime(alert.raised_at),
                "practitioner": name_of(alert.practitioner),
                "summary": alert.summary,
                "state": alert.get_state_display(),
                "outcome": alert.get_outcome_display() if alert.outcome else "",
            }
        )
    return section


def emails_gather(*, client_id: object) -> ExportSection:
    """Emails to practitioners that linked to the client's pages (they carry a link, never the client's details)."""
    section = ExportSection(
        "notifications.Notification",
        "Emails that mentioned the record",
        "Emails sent to practitioners with a link to this client's team. They name no client.",
        [("to", "To"), ("subject", "Subject"), ("created_at", "Written"), ("sent_at", "Sent"), ("body", "Text")],
        [("The text of an email carrying a sign-in secret", "a single-use link, replaced once sent")],
    )
    emails = Notification.objects.filter(body__contains=str(client_id)).order_by("created_at", "id")
    for email in emails.iterator(chunk_size=CHUNK):
        section.rows.append(
            {
                "to": email.to,
                "subject": email.subject,
                "created_at": timezone.localtime(email.created_at),
                "sent_at": timezone.localtime(email.sent_at) if email.sent_at else None,
                "body": "" if email.holds_secret else email.body,
            }
        )
    return section


def notices_gather(*, client_id: object) -> ExportSection:
    """What practitioners were told in the app about the client's team (notices keep the client's id, not a key):
    who was told, what kind of thing, the words they read, and when they read it (one query)."""
    section = ExportSection(
        "inbox.Notice",
        "What practitioners were told in the app",
        "Notices in Patchwork's notification centre about this client's team. Like the emails, they name no client.",
        [
            ("recipient", "Told"),
            ("kind", "Kind"),
            ("text", "Text"),
            ("created_at", "Written"),
            ("read_at", "Read"),
            ("emailed_at", "Emailed"),
        ],
        [("Link", "the address of the client's page in Patchwork")],
    )
    notices = (
        Notice.objects.filter(client_id=client_id)
        .select_related("recipient__practitioner__agency")
        .order_by("created_at", "id")
    )
    for notice in notices.iterator(chunk_size=CHUNK):
        practitioner = getattr(notice.recipient, "practitioner", None)
        section.rows.append(
            {
                "recipient": name_of(practitioner) if practitioner else notice.recipient.full_name,
                "kind": notice.get_kind_display(),
                "text": notice.text,
                "created_at": timezone.localtime(notice.created_at),
                "read_at": timezone.localtime(notice.read_at) if notice.read_at else None,
                "emailed_at": timezone.localtime(notice.emailed_at) if notice.emailed_at else None,
            }
        )
    return section


def retention_gather(*, client_id: object) -> ExportSection:
    """The retention runs that listed the client's record, or one of its ended involvements, as due for erasure
    (the items hold ids only; the run says when, and what became of the list)."""
    section = ExportSection(
        "retention.RetentionItem",
        "Listed for erasure under the retention schedule",
        "Each time the nightly retention job listed this record, or one of its ended involvements, as past the "
        "council's retention schedule, and what the privacy officer decided.",
        [("listed_on", "Listed on"), ("what", "What"), ("state", "What became of the list")],
        [],
    )
    items = (
        apps.get_model("retention", "RetentionItem")
        .objects.filter(
            Q(kind=RetentionKind.CLIENTS, object_uuid=client_id)
            | Q(
                kind=RetentionKind.INVOLVEMENTS,
                object_uuid__in=Involvement.objects.filter(client_id=client_id).values("pk"),
            )
        )
        .select_related("run")
        .order_by("run__prepared_at", "id")
    )
    for item in items.iterator(chunk_size=CHUNK):
        section.rows.append(
            {
                "listed_on": item.run.prepared_on,
                "what": "The client's record" if item.kind == RetentionKind.CLIENTS else "An ended involvement",
                "state": item.run.get_state_display(),
            }
        )
    return section


GATHERERS = (access_history_gather, alerts_gather, emails_gather, notices_gather, retention_gather)


def export_steps() -> int:
    """How many steps an export takes: each section, the sources that are not keys, and the three files."""
    return len(SECTIONS) + len(GATHERERS) + 3


def export_gather(*, client: Client, step: Callable[[], None] = lambda: None) -> list[ExportSection]:
    references = client_references()
    sections = []
    with planned_for_every_row():
        for label, section in SECTIONS.items():
            sections.append(section_gather(section, client_id=client.pk, paths=references[label].paths))
            step()
        for gather in GATHERERS:
            sections.append(gather(client_id=client.pk))
            step()
    return sections


# --- The three documents -------------------------------------------------------------------------------------


def export_json(export: Export) -> bytes:
    document = {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "generated_at": export.generated_at,
        "council": {"name": export.council_name, "schema": export.council_schema},
        "request": {
            "id": export.request_id,
            "received_on": export.received_on,
            "due_on": export.due_on,
            "law": export.law,
        },
        "client": {"id": export.client_id, "name": export.client_name},
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "about": section.about,
                "columns": [{"name": name, "label": label} for name, label in section.columns],
                "left_out": [{"field": label, "why": why} for label, why in section.left_out],
                "rows": section.rows,
            }
            for section in export.sections
        ],
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def readable(value: Any) -> str:
    """A value as the HTML and PDF documents print it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return f"{value.day} {value:%B %Y, %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, list):
        return ", ".join(readable(item) for item in value) or "—"
    if isinstance(value, dict):  # a correction: {field: {"old": …, "new": …}}
        return "; ".join(
            f"{name}: {readable(change.get('old'))} → {readable(change.get('new'))}"
            if isinstance(change, dict)
            else f"{name}: {readable(change)}"
            for name, change in value.items()
        )
    return str(value)


def _printed(export: Export) -> list[dict[str, Any]]:
    """Each section's rows as printed text; a section wider than a page reads better as label and value pairs."""
    printed = []
    for section in export.sections:
        rows = [[readable(row.get(name)) for name, _ in section.columns] for row in section.rows]
        labels = [label for _, label in section.columns]
        printed.append(
            {
                "section": section,
                "rows": rows,
                "wide": len(labels) > PDF_TABLE_COLUMNS,
                "pairs": [list(zip(labels, cells, strict=True)) for cells in rows],
            }
        )
    return printed


def export_html(export: Export) -> bytes:
    return render_to_string(
        "subject_access/export_document.html", {"export": export, "sections": _printed(export)}
    ).encode()


def export_pdf(export: Export) -> bytes:
    document = Document(
        title="Subject access export",
        subtitle=f"{export.client_name} — {export.council_name}",
        language="en-AU" if export.locale.lower().endswith("au") else "en-GB",
    )
    document.facts(_summary(export))
    upright = True
    for printed in _printed(export):
        section: ExportSection = printed["section"]
        labels = [label for _, label in section.columns]
        few = len(printed["rows"]) <= PDF_RECORDS_MAX  # the client's own record: label and value pairs read best
        wide = len(labels) > PDF_TABLE_COLUMNS and bool(printed["rows"]) and not few
        if wide or not upright:  # a wide table on pages turned sideways, and back upright after it
            document.new_page(landscape=wide)
            upright = not wide
        document.heading(section.title)
        if section.about:
            document.paragraph(section.about)
        if not printed["rows"]:
            document.paragraph("Nothing held.")
        elif len(labels) > PDF_TABLE_COLUMNS and few:
            document.records(labels, printed["rows"])
        else:
            document.table(labels, printed["rows"])
        if section.left_out:
            document.paragraph("Left out: " + "; ".join(f"{label} ({why})" for label, why in section.left_out) + ".")
    return document.output()


def _summary(export: Export) -> list[tuple[str, str]]:
    return [
        ("Client", export.client_name),
        ("Client reference", export.client_id),
        ("Council", export.council_name),
        ("Request received", readable(export.received_on)),
        ("Answer due by", readable(export.due_on)),
        ("Law", export.law),
        ("Made", readable(export.generated_at)),
        ("Request reference", export.request_id),
    ]


@dataclass(frozen=True)
class ExportFile:
    name: str
    content: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def export_files(export: Export, *, step: Callable[[], None] = lambda: None) -> Iterator[ExportFile]:
    yield ExportFile(JSON_NAME, export_json(export), "application/json")
    step()
    yield ExportFile(HTML_NAME, export_html(export), "text/html; charset=utf-8")
    step()
    yield ExportFile(PDF_NAME, export_pdf(export), "application/pdf")
    step()


def council_facts() -> tuple[str, str]:
    """The council's name and locale: from the connection's council, or looked up by its schema (a schema set by
    hand carries no council)."""
    tenant = getattr(connection, "tenant", None)
    name, locale = getattr(tenant, "name", None), getattr(tenant, "locale", None)
    if name and locale:
        return str(name), str(locale)
    found = Council.objects.filter(schema_name=connection.schema_name).values_list("name", "locale").first()
    return (str(found[0]), str(found[1])) if found else (connection.schema_name, "en-gb")
