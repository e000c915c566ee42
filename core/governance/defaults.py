"""The legal bases each jurisdiction starts with (PRODUCT.md, Jurisdictions)."""

from dataclasses import dataclass

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
