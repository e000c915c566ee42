"""The identifiers a council records about a client, each with its own rule: the one module that the model,
the services, the forms and the API use.

England: the **NHS number** (10 digits, the last a modulus-11 check digit; ``stdnum.gb.nhs``) and the **Unique
Pupil Number** (13 characters: a check letter, a DfE local-authority number, the school's establishment number,
the year and a serial; ``stdnum.gb.upn``, which implements the DfE's check-letter algorithm from "Unique Pupil
Numbers (UPNs): guidance for local authorities and schools" and knows the local-authority numbers).

Victoria: the **Victorian Student Number** (VSN), nine digits issued by the Victorian Curriculum and Assessment
Authority (VCAA). The VCAA describes it as "a randomly generated nine digit number" and publishes no check-digit
algorithm, and python-stdnum has no module for it: a VSN is therefore checked for its form only (nine digits),
never against an unpublished rule that could refuse a real number.

An English council records no VSN; a Victorian council records neither an NHS number nor a UPN. Values are
stored compact ("943 476 5919" → "9434765919", a UPN in capitals).
"""

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import nhs, upn

from tenants.jurisdictions import Jurisdiction

NHS_NUMBER = "nhs_number"
UNIQUE_PUPIL_NUMBER = "unique_pupil_number"
VICTORIAN_STUDENT_NUMBER = "victorian_student_number"
IDENTIFIER_FIELDS = (NHS_NUMBER, UNIQUE_PUPIL_NUMBER, VICTORIAN_STUDENT_NUMBER)

# Which identifiers each jurisdiction records, in the order pages show them.
BY_JURISDICTION: dict[str, tuple[str, ...]] = {
    Jurisdiction.ENGLAND: (NHS_NUMBER, UNIQUE_PUPIL_NUMBER),
    Jurisdiction.VICTORIA: (VICTORIAN_STUDENT_NUMBER,),
}

LABELS = {
    NHS_NUMBER: "NHS number",
    UNIQUE_PUPIL_NUMBER: "Unique Pupil Number",
    VICTORIAN_STUDENT_NUMBER: "Victorian Student Number",
}

NHS_FORMAT = "Enter an NHS number of 10 digits, like 943 476 5919"
NHS_CHECK = "Check the NHS number: its last digit does not match the others"
UPN_FORMAT = "Enter a Unique Pupil Number of 13 characters: a letter, 11 digits, then a letter or a digit"
UPN_AUTHORITY = "Check the Unique Pupil Number: characters 2 to 4 are not a local authority's number"
UPN_CHECK = "Check the Unique Pupil Number: its first letter does not match the rest"
VSN_FORMAT = "Enter a Victorian Student Number of 9 digits, like 123 456 789"

_UPN_FORM = re.compile(r"[A-Z][0-9]{11}[A-Z0-9]")
_VSN_FORM = re.compile(r"[0-9]{9}")


def _compact(value: object) -> str:
    return re.sub(r"[\s-]+", "", str(value or "")).upper()


def validate_nhs_number(value: str) -> None:
    """Model validator: a compact NHS number whose check digit matches (or none)."""
    if not value:
        return
    if not re.fullmatch(r"[0-9]{10}", value):
        raise ValidationError(NHS_FORMAT, code="nhs_number_format")
    if not nhs.is_valid(value):
        raise ValidationError(NHS_CHECK, code="nhs_number_check")


def validate_unique_pupil_number(value: str) -> None:
    """Model validator: a compact UPN with a known local authority and a matching check letter (or none)."""
    if not value:
        return
    if not _UPN_FORM.fullmatch(value):
        raise ValidationError(UPN_FORMAT, code="upn_format")
    try:
        upn.validate(value)
    except InvalidComponent as error:
        raise ValidationError(UPN_AUTHORITY, code="upn_authority") from error
    except InvalidChecksum as error:
        raise ValidationError(UPN_CHECK, code="upn_check") from error
    except StdnumError as error:  # any other rule of the format
        raise ValidationError(UPN_FORMAT, code="upn_format") from error


def validate_victorian_student_number(value: str) -> None:
    """Model validator: nine digits (or none). See the module's note: there is no published check digit."""
    if value and not _VSN_FORM.fullmatch(value):
        raise ValidationError(VSN_FORMAT, code="vsn_format")


VALIDATORS: dict[str, Callable[[str], None]] = {
    NHS_NUMBER: validate_nhs_number,
    UNIQUE_PUPIL_NUMBER: validate_unique_pupil_number,
    VICTORIAN_STUDENT_NUMBER: validate_victorian_student_number,
}


def identifiers_for(jurisdiction: str) -> tuple[str, ...]:
    """The identifier fields a council of this jurisdiction records."""
    return BY_JURISDICTION[str(jurisdiction)]


FORMATS = {NHS_NUMBER: NHS_FORMAT, UNIQUE_PUPIL_NUMBER: UPN_FORMAT, VICTORIAN_STUDENT_NUMBER: VSN_FORMAT}
_WITH_ARTICLE = {
    NHS_NUMBER: "an NHS number",
    UNIQUE_PUPIL_NUMBER: "a Unique Pupil Number",
    VICTORIAN_STUDENT_NUMBER: "a Victorian Student Number",
}
LONGEST_INPUT = 20  # more than any identifier with generous spacing: longer input is refused, never cut


def not_recorded_message(name: str, jurisdiction: str) -> str:
    council = "A Victorian council" if str(jurisdiction) == Jurisdiction.VICTORIA else "An English council"
    return f"{council} does not record {_WITH_ARTICLE[name]}"


def identifier_clean(name: str, value: object, *, jurisdiction: str) -> str:
    """The identifier compact and checked for the council's jurisdiction, or "" for none.

    Raises ``ValidationError`` (a message a person can act on) when it is not valid, or when the council's
    jurisdiction does not record this identifier at all.
    """
    text = _compact(value)
    if not text:
        return ""
    if name not in identifiers_for(jurisdiction):
        raise ValidationError(not_recorded_message(name, jurisdiction), code="identifier_not_recorded")
    if len(text) > LONGEST_INPUT:
        raise ValidationError(FORMATS[name], code="identifier_format")
    VALIDATORS[name](text)
    return text


def search_identifier_check(value: str, *, jurisdiction: str) -> str:
    """The identifier a search looks for, compact; ``ValidationError`` when it has the form of one of the
    council's checked identifiers but fails its check (a mistyped NHS number or UPN finds nobody: say so).

    Anything else (a case number in an agency's own system) is searched as typed, without spaces.
    """
    text = re.sub(r"\s+", "", value)
    compact = _compact(value)
    fields = identifiers_for(jurisdiction)
    if NHS_NUMBER in fields and re.fullmatch(r"[0-9]{10}", compact):
        validate_nhs_number(compact)
    if UNIQUE_PUPIL_NUMBER in fields and _UPN_FORM.fullmatch(compact):
        validate_unique_pupil_number(compact)
    return text


def identifier_hint(jurisdiction: str) -> str:
    """What a search by identifier takes in the council: "NHS number, Unique Pupil Number or case number"."""
    return ", ".join(LABELS[name] for name in identifiers_for(jurisdiction)) + " or case number"
