"""Bulk import files: their columns, the refusals of a whole file, and the checks of one row.

A file is refused as a whole, before anything is stored, when it cannot be read as the import it claims
to be: not a CSV file, not UTF-8 (a byte-order mark, as Excel writes, is fine), empty, too large, too many
rows, or missing or unknown columns. Otherwise each row is checked on its own, with the rules of the pages
that add one agency or invite one person, and a bad row is reported while the others are imported.

Rows are numbered as a spreadsheet numbers them: the headers are row 1, so the first person is row 2.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.accounts.models import User
from core.directory.models import Agency, AgencyType, ApprovalState, ImportKind, Invitation, Role
from core.directory.phones import phone_clean
from core.directory.services.agencies import AgencyDetails
from core.directory.services.invitations_rules import email_domain_allowed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 25_000
MAX_CELL = 1000  # longer than any field: a longer value is a mistake, and is not kept in the error report

COLUMNS: dict[str, tuple[str, ...]] = {
    ImportKind.AGENCIES: (
        "name",
        "type",
        "services",
        "contact_email",
        "contact_phone",
        "email_domains",
        "sensitive",
        "gateway_contact",
    ),
    ImportKind.PRACTITIONERS: ("first_name", "last_name", "email", "agency", "job_title", "role"),
}
# What each column holds, for the upload page (the template itself has the headers only).
COLUMN_HELP: dict[str, dict[str, str]] = {
    ImportKind.AGENCIES: {
        "name": "The agency's name (needed). An agency of that name already here is left as it is.",
        "type": "One of " + ", ".join(AgencyType.values) + " (needed).",
        "services": "What the agency does, in a few words.",
        "contact_email": "An email address to reach the agency.",
        "contact_phone": "A phone number to reach the agency.",
        "email_domains": "Its staff's work-email domains, separated by semicolons, like agency.example;agency.org. "
        "A domain belongs to one agency only.",
        "sensitive": "yes if its involvement with a client is itself sensitive, otherwise no (or empty).",
        "gateway_contact": "How others reach it about a client (needed if sensitive).",
    },
    ImportKind.PRACTITIONERS: {
        "first_name": "Needed.",
        "last_name": "Surname (needed).",
        "email": "Their work email, at one of their agency's email domains (needed).",
        "agency": "The name of an approved agency, as it is in Patchwork (needed).",
        "job_title": 'For example "Health visitor" (needed).',
        "role": "practitioner or agency_manager (empty means practitioner).",
    },
}
YES = {"yes", "y", "true"}
NO = {"no", "n", "false", ""}
IMPORTABLE_ROLES = (Role.PRACTITIONER, Role.AGENCY_MANAGER)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters other than tab and line ends


class FileRefused(ValueError):
    """The whole file cannot be imported: nothing is stored. The message says why, for the upload form."""


@dataclass(frozen=True)
class CsvRow:
    number: int
    values: dict[str, str]

    def as_list(self, columns: tuple[str, ...]) -> list[str]:
        return [self.values.get(column, "")[:MAX_CELL] for column in columns]


@dataclass(frozen=True)
class RowProblem:
    column: str
    problem: str


def csv_text_of(data: bytes, *, file_name: str) -> str:
    """The file's text, or ``FileRefused`` if it is not a UTF-8 CSV file of an acceptable size."""
    if not file_name.lower().endswith(".csv"):
        raise FileRefused("The selected file must be a CSV file")
    if len(data) > MAX_BYTES:
        raise FileRefused(f"The selected file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            'The selected file must be saved as UTF-8: in Excel, save it as "CSV UTF-8 (comma delimited)"'
        ) from None
    if _NOT_TEXT.search(text):
        raise FileRefused("The selected file must be a CSV file: it has characters in it that are not text")
    if not text.strip():
        raise FileRefused("The selected file is empty")
    return text


def _headers_check(kind: str, headers: list[str]) -> tuple[str, ...]:
    expected = COLUMNS[kind]
    seen = [header.strip().lower() for header in headers]
    unknown = [header for header in seen if header not in expected]
    missing = [column for column in expected if column not in seen]
    repeated = sorted({header for header in seen if seen.count(header) > 1 and header in expected})
    problems = []
    if missing:
        problems.append(f"missing {_listed(missing)}")
    if unknown:
        problems.append(f"unknown {_listed([header or '(an empty header)' for header in unknown])}")
    if repeated:
        problems.append(f"more than once: {_listed(repeated)}")
    if problems:
        raise FileRefused(
            f"The first row of the file must name the columns {', '.join(expected)}. Columns "
            + "; ".join(problems)
            + ". Download the template to see them."
        )
    return tuple(seen)


def _listed(names: list[str]) -> str:
    return ", ".join(names)


def csv_rows(*, kind: str, text: str) -> list[CsvRow]:
    """The rows of the file with their values by column (entirely empty rows are left out), or ``FileRefused``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader, None)
        if not headers or not any(header.strip() for header in headers):
            raise FileRefused("The first row of the file must name the columns " + ", ".join(COLUMNS[kind]))
        columns = _headers_check(kind, headers)
        rows: list[CsvRow] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise FileRefused(f"The file must have {MAX_ROWS:,} rows or fewer: split it into several files")
            values = {
                column: (cells[index].strip() if index < len(cells) else "") for index, column in enumerate(columns)
            }
            if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
                values["_extra"] = "yes"
            rows.append(CsvRow(number=number, values=values))
    except csv.Error:
        raise FileRefused("The selected file must be a CSV file") from None
    if not rows:
        raise FileRefused("The file has no rows to import under its headers")
    return rows


def report_cell(value: str) -> str:
    """A value as it is safe to put in a spreadsheet: one that would start a formula is prefixed with '."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _extra_values_problem(row: CsvRow) -> list[RowProblem]:
    if row.values.get("_extra"):
        return [RowProblem("", "The row has more values than the file has columns")]
    return []


def _length_problems(row: CsvRow, limits: dict[str, int]) -> list[RowProblem]:
    return [
        RowProblem(column, f"{column} must be {limit} characters or fewer")
        for column, limit in limits.items()
        if len(row.values[column]) > limit
    ]


# --- Agencies ----------------------------------------------------------------------------------------------

AGENCY_LIMITS = {
    "name": Agency._meta.get_field("name").max_length,
    "services": Agency._meta.get_field("services").max_length,
    "contact_email": 254,
    "contact_phone": 30,
    "email_domains": 2000,
    "gateway_contact": Agency._meta.get_field("gateway_contact").max_length,
}
# Where the agency service's field errors belong in the file.
AGENCY_COLUMN_OF_FIELD = {
    "name": "name",
    "agency_type": "type",
    "services": "services",
    "contact_email": "contact_email",
    "contact_phone": "contact_phone",
    "email_domains": "email_domains",
    "is_sensitive": "sensitive",
    "gateway_contact": "gateway_contact",
}


@dataclass
class AgencyRowCheck:
    details: AgencyDetails | None
    problems: list[RowProblem] = field(default_factory=list)


def agency_row_check(row: CsvRow) -> AgencyRowCheck:
    """The details the agency service is given for this row, or what is wrong with it as the agency form would
    say (the service then applies its own rules: unique name, domains of one agency, gateway contact)."""
    values = row.values
    problems = _extra_values_problem(row) + _length_problems(row, AGENCY_LIMITS)
    if not values["name"]:
        problems.append(RowProblem("name", "Enter the agency's name"))
    agency_type = values["type"].lower()
    if agency_type not in AgencyType.values:
        problems.append(RowProblem("type", "Enter the type of agency: one of " + ", ".join(AgencyType.values)))
    contact_email = values["contact_email"]
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            problems.append(RowProblem("contact_email", "Enter the contact email in the right format"))
    contact_phone = ""
    if values["contact_phone"] and len(values["contact_phone"]) <= AGENCY_LIMITS["contact_phone"]:
        try:
            contact_phone = phone_clean(values["contact_phone"], what="phone")
        except ValidationError as error:
            problems.extend(RowProblem("contact_phone", message) for message in error.messages)
    sensitive = values["sensitive"].lower()
    if sensitive not in YES | NO:
        problems.append(RowProblem("sensitive", "Enter yes or no"))
    if problems:
        return AgencyRowCheck(details=None, problems=problems)
    return AgencyRowCheck(
        details=AgencyDetails(
            name=values["name"],
            agency_type=agency_type,
            services=values["services"],
            contact_email=contact_email,
            contact_phone=contact_phone,
            email_domains=[domain for domain in re.split(r"[\s,;]+", values["email_domains"]) if domain],
            is_sensitive=sensitive in YES,
            gateway_contact=values["gateway_contact"],
        )
    )


def agency_problems_of(error: ValidationError) -> list[RowProblem]:
    """The agency service's refusal, by column."""
    return [
        RowProblem(AGENCY_COLUMN_OF_FIELD.get(name, ""), message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


# --- Practitioners -----------------------------------------------------------------------------------------

PRACTITIONER_LIMITS = {
    "first_name": User._meta.get_field("first_name").max_length,
    "last_name": User._meta.get_field("last_name").max_length,
    "email": User._meta.get_field("email").max_length,
    "agency": Agency._meta.get_field("name").max_length,
    "job_title": Invitation._meta.get_field("job_title").max_length,
}


@dataclass(frozen=True)
class PractitionerRow:
    first_name: str
    last_name: str
    email: str
    agency: Agency
    job_title: str
    role: str


@dataclass
class PractitionerRowCheck:
    person: PractitionerRow | None
    problems: list[RowProblem] = field(default_factory=list)


def practitioner_row_check(
    row: CsvRow, *, agencies: dict[str, Agency], first_row_of_email: dict[str, int]
) -> PractitionerRowCheck:
    """The person to invite from this row, or what is wrong with it, by the rules of an invitation: a work email
    at one of the agency's domains, an approved agency, a role an import may give. ``agencies`` are the
    council's, by case-folded name; ``first_row_of_email`` is where each email first appears in the file.
    Whether the person already has an account or an invitation is the import service's question."""
    values = row.values
    problems = _extra_values_problem(row) + _length_problems(row, PRACTITIONER_LIMITS)
    for column, missing in (
        ("first_name", "Enter the first name"),
        ("last_name", "Enter the surname"),
        ("email", "Enter the work email"),
        ("agency", "Enter the agency's name"),
        ("job_title", "Enter the job title"),
    ):
        if not values[column]:
            problems.append(RowProblem(column, missing))
    email = values["email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(RowProblem("email", "Enter the work email in the right format, like name@agency.example"))
            email = ""
        else:
            first = first_row_of_email.get(email, row.number)
            if first != row.number:
                problems.append(RowProblem("email", f"This email is also on row {first}: each person once"))
    role = values["role"].lower().replace(" ", "_") or Role.PRACTITIONER
    if role not in IMPORTABLE_ROLES:
        problems.append(RowProblem("role", "Enter practitioner or agency_manager"))
    agency = agencies.get(values["agency"].casefold()) if values["agency"] else None
    if values["agency"] and agency is None:
        problems.append(RowProblem("agency", f"There is no agency called {values['agency'][:200]}"))
    elif agency is not None:
        if agency.approval_state != ApprovalState.APPROVED:
            problems.append(RowProblem("agency", f"{agency.name} has not been approved by the council yet"))
        if email and not email_domain_allowed(agency=agency, email=email):
            domains = ", ".join(f"@{domain}" for domain in agency.email_domains) or "none recorded"
            problems.append(RowProblem("email", f"Use a work email address of {agency.name} ({domains})"))
    if problems or agency is None:  # no problem means an agency was found
        return PractitionerRowCheck(person=None, problems=problems)
    return PractitionerRowCheck(
        person=PractitionerRow(
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=email,
            agency=agency,
            job_title=values["job_title"],
            role=role,
        )
    )


def first_row_of_emails(rows: list[CsvRow]) -> dict[str, int]:
    """Where each email first appears in the file (a person on two rows is invited once, from the first)."""
    first: dict[str, int] = {}
    for row in rows:
        first.setdefault(row.values.get("email", "").lower(), row.number)
    return first
