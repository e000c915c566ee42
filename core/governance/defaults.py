"""The legal bases each jurisdiction starts with (PRODUCT.md, Jurisdictions)."""

from dataclasses import dataclass

from core.governance.rules import RetentionPeriods, StillInvolvedAsking
from tenants.jurisdictions import Jurisdiction


@dataclass(frozen=True)
class LegalBasisDefault:
    code: str
    title: str
    description: str
    requires_consent: bool = False


LEGAL_BASES: dict[str, tuple[LegalBasisDefault, ...]] = {
    Jurisdiction.ENGLAND: (
        LegalBasisDefault(
            "consent",
            "Consent",
            "The client, or a person with parental responsibility, agreed to their details being shared.",
            requires_consent=True,
        ),
        LegalBasisDefault(
            "children-act-2004-s10-s11",
            "Children Act 2004, sections 10 and 11",
            "Co-operation to improve well-being and arrangements to safeguard and promote welfare; "
            "the minimum necessary is shared.",
        ),
        LegalBasisDefault(
            "uk-gdpr-6-1-e-9-2-g",
            "UK GDPR Article 6(1)(e) and 9(2)(g)",
            "Public task, and substantial public interest (safeguarding of children and individuals at risk).",
        ),
    ),
    Jurisdiction.VICTORIA: (
        LegalBasisDefault(
            "consent",
            "Consent",
            "The client, or a parent or guardian, agreed to their details being shared.",
            requires_consent=True,
        ),
        LegalBasisDefault(
            "cwsa-2005-part-6a",
            "Child Wellbeing and Safety Act 2005, Part 6A (Child Information Sharing Scheme)",
            "Sharing to promote the wellbeing or safety of a child or group of children.",
        ),
        LegalBasisDefault(
            "pdp-act-2014",
            "Privacy and Data Protection Act 2014",
            "Use and disclosure permitted by the Information Privacy Principles.",
        ),
    ),
}


# Retention periods each jurisdiction starts with, in years (core/governance/rules.py RetentionPeriods). A starting
# point the council's administrator reviews before going live (the go-live checklist asks for it), chosen on the
# long side: erasing too early loses the history that safeguarding reviews rely on; the sources are in
# docs/adr/0016-retention-and-erasure.md.
#
# England: the IRMS Retention Guidelines for Local Authorities keep multi-agency and children's services contact
# records six years after the last action; six years is also the Limitation Act 1980 (ss. 2 and 5) period for a
# claim. The audit trail and sign-in records follow the Australian ISM (event logs kept at least seven years,
# ISM-0859), which SECURITY.md applies to every council.
# Victoria: PROV's Retention and Disposal Authority for Records of Local Government Functions (PROS 09/05) keeps
# community-services client records seven years after the last action; the same ISM rule for event logs.
RETENTION: dict[str, RetentionPeriods] = {
    Jurisdiction.ENGLAND: RetentionPeriods(clients=6, involvements=6, team_activity=6, audit=7, sign_in=7),
    Jurisdiction.VICTORIA: RetentionPeriods(clients=7, involvements=7, team_activity=7, audit=7, sign_in=7),
}


# When each jurisdiction starts asking a member with no contact recorded whether they are still involved
# (core/teamwork/still_involved.py): after a quarter without contact, then a reminder a week later, and the lead
# professional told a week after that. Neither Working Together to Safeguard Children (2023) nor Victoria's
# Child Information Sharing Scheme sets a period; a quarter matches the review cycle of a team around the child
# (a Team Around the Family meets at least every twelve weeks) and the council's administrator may change it.
STILL_INVOLVED: dict[str, StillInvolvedAsking] = {
    Jurisdiction.ENGLAND: StillInvolvedAsking(after_days=90, reminder_days=7),
    Jurisdiction.VICTORIA: StillInvolvedAsking(after_days=90, reminder_days=7),
}
