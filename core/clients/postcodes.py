"""Postcodes as the council's jurisdiction writes them: the one rule that forms, the API and services use.

An English council takes a valid UK postcode, stored normalised ("ST13 5AB"); a Victorian council takes a
Victorian postcode, four digits in 3000–3999 or 8000–8999. Anything else is refused with a message saying
what a postcode there looks like: never cut to fit, never stored as typed.
"""

import re

from django.core.exceptions import ValidationError

from core.governance.selectors import council_jurisdiction
from tenants.jurisdictions import Jurisdiction, defaults_for

__all__ = ["council_jurisdiction", "postcode_clean", "postcode_message"]

# The UK format (outward code, then inward code: a digit and two letters that are never C, I, K, M, O or V).
_UK = re.compile(
    r"(?P<outward>"
    r"[A-PR-UWYZ][0-9]{1,2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"
    r"|GIR"
    r")(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})"
)
_VICTORIA = re.compile(r"(3[0-9]{3}|8[0-9]{3})")
LONGEST_INPUT = 20  # more than any postcode with generous spacing: longer input is refused, not cut


def postcode_message(jurisdiction: str) -> str:
    example = defaults_for(jurisdiction).postcode_example
    if jurisdiction == Jurisdiction.VICTORIA:
        return f"Enter a Victorian postcode: 4 digits, like {example}"
    return f"Enter a real postcode, like {example}"


def postcode_clean(value: str, *, jurisdiction: str | None = None) -> str:
    """The postcode normalised for the council's jurisdiction ("st135ab" → "ST13 5AB"), or "" for none.

    Raises ``ValidationError`` (with a message a person can act on) for anything that is not a postcode there.
    """
    jurisdiction = jurisdiction or council_jurisdiction()
    if len(value) > LONGEST_INPUT:
        raise ValidationError(postcode_message(jurisdiction), code="postcode")
    compact = re.sub(r"\s+", "", value).upper()
    if not compact:
        return ""
    if jurisdiction == Jurisdiction.VICTORIA:
        if _VICTORIA.fullmatch(compact):
            return compact
    else:
        match = _UK.fullmatch(compact)
        if match:
            return f"{match['outward']} {match['inward']}"
    raise ValidationError(postcode_message(jurisdiction), code="postcode")
