"""What the accessibility statement says for each site: the law and the body that enforces it in each
jurisdiction, how the service was tested, and what is known not to meet WCAG 2.2 AA yet.

A council's site states its own jurisdiction; the platform's site (ordering, the operator console) serves councils
of every jurisdiction and states each. Nothing here is read from the database: the statement must load for anyone,
signed in or not, on a site that is down to its last page.
"""

import datetime
from dataclasses import dataclass

from tenants.jurisdictions import Jurisdiction

PREPARED_ON = datetime.date(2026, 12, 3)
REVIEWED_ON = datetime.date(2026, 12, 3)
CONTACT_EMAIL = "accessibility@patchwork.example"
REPLY_WITHIN = "5 working days"


@dataclass(frozen=True)
class Enforcement:
    jurisdiction: str
    law: str
    procedure: tuple[str, ...]
    links: tuple[tuple[str, str], ...]


ENFORCEMENT: dict[str, Enforcement] = {
    Jurisdiction.ENGLAND: Enforcement(
        jurisdiction="England",
        law=(
            "the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 and "
            "the Equality Act 2010."
        ),
        procedure=(
            "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the accessibility "
            "regulations.",
            "If you are not happy with how we respond to your complaint, contact the Equality Advisory and Support "
            "Service (EASS) on 0808 800 0082.",
        ),
        links=(("Equality Advisory and Support Service", "https://www.equalityadvisoryservice.com/"),),
    ),
    Jurisdiction.VICTORIA: Enforcement(
        jurisdiction="Victoria, Australia",
        law=(
            "the Disability Discrimination Act 1992 (Commonwealth), the Equal Opportunity Act 2010 (Victoria) and the "
            "Victorian Government's digital accessibility standard (WCAG 2.2 level AA)."
        ),
        procedure=(
            "If you are not happy with how we respond to your complaint, you can complain to the Australian Human "
            "Rights Commission (1300 656 419), which handles complaints under the Disability Discrimination Act.",
            "You can also contact the Victorian Equal Opportunity and Human Rights Commission (1300 292 153) about "
            "discrimination under the Equal Opportunity Act.",
        ),
        links=(
            ("Australian Human Rights Commission: make a complaint", "https://humanrights.gov.au/complaints"),
            ("Victorian Equal Opportunity and Human Rights Commission", "https://www.humanrights.vic.gov.au/"),
        ),
    ),
}


@dataclass(frozen=True)
class KnownIssue:
    what: str
    criteria: str
    plan: str


# What does not meet WCAG 2.2 AA yet, said plainly. Each entry names the success criteria it fails.
KNOWN_ISSUES: tuple[KnownIssue, ...] = (
    KnownIssue(
        what=(
            "PDF documents the service makes (subject access exports, deletion certificates, invoices) are not "
            "tagged PDFs: a screen reader may read their tables without headings, or out of order."
        ),
        criteria="1.3.1 Info and relationships, 1.3.2 Meaningful sequence",
        plan=(
            "Every PDF's information is also shown on a page of the service; ask us for any document in another "
            "format. We plan to make tagged PDFs."
        ),
    ),
    KnownIssue(
        what=(
            "Some wide tables (the audit of who looked at a record, the directory of agencies, billing) scroll "
            "sideways on a narrow screen or at high zoom, inside the page."
        ),
        criteria="1.4.10 Reflow (data tables are allowed to scroll in two directions)",
        plan="We are replacing the widest tables with lists on small screens, starting with the most used pages.",
    ),
    KnownIssue(
        what=(
            "You are signed out 12 hours after signing in, however active you are. After 15 minutes without activity "
            "you are signed out too; with JavaScript on, you are warned 2 minutes before and can stay signed in, "
            "but the 12-hour limit cannot be extended."
        ),
        criteria="2.2.1 Timing adjustable",
        plan=(
            "This limit protects the records of children and vulnerable adults on shared and lost devices, and we "
            "believe it is essential to the service's security. Nothing you have typed and sent is lost."
        ),
    ),
)

# How the service was tested: what the statement says, and what the tests in tests/e2e/ really do.
TESTED = (
    "Every page that a person can reach by following links — signed out, as a practitioner, an agency manager, a "
    "council administrator and privacy officer, and a platform operator — is checked with the axe accessibility "
    "engine in Chromium at 1280 and at 390 pixels wide, on every change to the service, for every rule axe has "
    "(WCAG 2.2 A and AA and its best practices). No violation is allowed.",
    "The team around a client is checked at 320, 360, 390 and 414 pixels wide with names of 100 characters, for "
    "sideways scrolling and tap targets.",
    "A journey from searching for a client to joining their team is made with the keyboard alone, checking that "
    "the focus is visible at every step.",
)
NOT_YET_TESTED = (
    "The service has not yet been audited by an accessibility specialist, nor tested by disabled people using "
    "their own assistive technology (screen readers such as JAWS, NVDA and VoiceOver, screen magnifiers, voice "
    "control). Automated checks find only some problems; such an audit is planned before the service leaves beta."
)


def statement_for(jurisdiction: str | None) -> dict[str, object]:
    """What the statement says on a council's site (its jurisdiction) or on the platform's (``None``: all)."""
    enforcement = [ENFORCEMENT[jurisdiction]] if jurisdiction in ENFORCEMENT else list(ENFORCEMENT.values())
    return {
        "enforcement": enforcement,
        "known_issues": KNOWN_ISSUES,
        "tested": TESTED,
        "not_yet_tested": NOT_YET_TESTED,
        "prepared_on": PREPARED_ON,
        "reviewed_on": REVIEWED_ON,
        "contact_email": CONTACT_EMAIL,
        "reply_within": REPLY_WITHIN,
    }
