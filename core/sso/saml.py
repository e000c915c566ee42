"""SAML 2.0, the service provider's side: the AuthnRequest (HTTP-Redirect binding), the checks of the
Response posted back to our assertion consumer service, and our metadata. No database here: what to
do with the person the assertion names is ``core.sso.services.sign_in``, as for OpenID Connect.

Only what the provider's pinned certificate signed is read: the signature is checked against the
certificate the administrator entered (never one carried inside the response), and every value is
then taken from the element signxml returns as signed — an unsigned element placed beside or around
it (signature wrapping) is never looked at. The XML is parsed without entities, DTDs or network.
"""

import base64
import datetime
import hashlib
import secrets
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import SignXMLException

PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
NS = {"samlp": PROTOCOL_NS, "saml": ASSERTION_NS}
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
TRANSIENT_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
)
# The person's names, if the provider sends them (Microsoft Entra ID's claims, then the LDAP/eduPerson ones):
# only to prefill the page a first sign-in with an invitation shows.
GIVEN_NAME_ATTRIBUTES = (
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    "givenname",
    "urn:oid:2.5.4.42",
)
SURNAME_ATTRIBUTES = (
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    "surname",
    "sn",
    "urn:oid:2.5.4.4",
)
CLOCK_SKEW = datetime.timedelta(minutes=1)
MAX_RESPONSE_CHARACTERS = 200_000  # base64; a real response is a few kilobytes


class SamlError(Exception):
    """The response (or a setting) cannot be used. The message is for the audit trail or the administrator."""


@dataclass(frozen=True)
class SamlRequest:
    """Where the browser is sent, and what the session keeps to check the answer."""

    url: str
    request_id: str
    relay_state: str


@dataclass(frozen=True)
class SamlAssertion:
    """What a checked assertion says: the subject (NameID), the email, how the person authenticated, and the
    names, if the provider sent them."""

    name_id: str
    email: str
    authn_contexts: list[str] = field(default_factory=list)
    given_name: str = ""
    family_name: str = ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def _instant(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Settings --------------------------------------------------------------------------------------


def certificate_loaded(pem: str) -> x509.Certificate:
    """The provider's signing certificate from the PEM the administrator pasted (or SamlError)."""
    text = pem.strip()
    if "-----BEGIN CERTIFICATE-----" not in text:
        body = "".join(text.split())
        text = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"
    try:
        return x509.load_pem_x509_certificate(text.encode())
    except ValueError as error:
        raise SamlError("This is not a PEM certificate (-----BEGIN CERTIFICATE----- …).") from error


def certificate_fingerprint(pem: str) -> str:
    """SHA-256 fingerprint, for the audit trail and the administration page (the PEM itself is long)."""
    if not pem:
        return ""
    der = certificate_loaded(pem).public_bytes(Encoding.DER)
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


# --- The request -----------------------------------------------------------------------------------


def authn_request(*, sso_url: str, sp_entity_id: str, acs_url: str, now: datetime.datetime) -> SamlRequest:
    """An AuthnRequest for the HTTP-Redirect binding: deflated, base64, with a RelayState to bind the answer."""
    request_id = "_" + secrets.token_hex(20)
    relay_state = secrets.token_urlsafe(32)
    root = etree.Element(
        f"{{{PROTOCOL_NS}}}AuthnRequest",
        nsmap={"samlp": PROTOCOL_NS, "saml": ASSERTION_NS},
        ID=request_id,
        Version="2.0",
        IssueInstant=_instant(now),
        Destination=sso_url,
        AssertionConsumerServiceURL=acs_url,
        ProtocolBinding=POST_BINDING,
    )
    etree.SubElement(root, f"{{{ASSERTION_NS}}}Issuer").text = sp_entity_id
    etree.SubElement(root, f"{{{PROTOCOL_NS}}}NameIDPolicy", Format=EMAIL_FORMAT, AllowCreate="false")
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = deflater.compress(etree.tostring(root)) + deflater.flush()
    query = urlencode({"SAMLRequest": base64.b64encode(deflated).decode(), "RelayState": relay_state})
    separator = "&" if "?" in sso_url else "?"
    return SamlRequest(url=f"{sso_url}{separator}{query}", request_id=request_id, relay_state=relay_state)


# --- The response ----------------------------------------------------------------------------------


def _document(saml_response: str) -> etree._Element:
    if not saml_response or len(saml_response) > MAX_RESPONSE_CHARACTERS:
        raise SamlError("no response, or one too large")
    try:
        xml = base64.b64decode("".join(saml_response.split()), validate=True)
        root = etree.fromstring(xml, parser=_parser())
    except (ValueError, etree.XMLSyntaxError) as error:
        raise SamlError("the response is not base64 XML") from error
    if root.getroottree().docinfo.doctype:
        raise SamlError("the response has a document type declaration")
    if root.tag != f"{{{PROTOCOL_NS}}}Response":
        raise SamlError("the document is not a SAML Response")
    return root


def _signed(root: etree._Element, certificate_pem: str) -> etree._Element:
    """The element the provider's pinned certificate signed (the Response, or its Assertion)."""
    if root.find(".//{http://www.w3.org/2000/09/xmldsig#}Signature") is None:
        raise SamlError("the response is not signed")
    try:
        result = XMLVerifier().verify(
            root,
            x509_cert=certificate_loaded(certificate_pem),
            id_attribute="ID",
            expect_config=SignatureConfiguration(expect_references=1),
        )
    except SignXMLException as error:
        raise SamlError(f"the signature does not hold ({error.__class__.__name__})") from error
    signed = result.signed_xml  # type: ignore[union-attr]
    if signed is None:
        raise SamlError("the signed part is not XML")
    return signed


def _one(parent: etree._Element, path: str, what: str) -> etree._Element:
    found = parent.findall(path, NS)
    if len(found) != 1:
        raise SamlError(f"expected one {what}, found {len(found)}")
    return found[0]


def _text(element: etree._Element | None) -> str:
    """An element's text, refusing mixed content (a comment or child splitting an email: truncation attacks)."""
    if element is None:
        return ""
    if len(element):
        raise SamlError(f"unexpected content in {etree.QName(element).localname}")
    return (element.text or "").strip()


def _time(value: str | None, what: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError as error:
        raise SamlError(f"{what} is not a time") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def _status_success(response: etree._Element) -> None:
    code = response.find("samlp:Status/samlp:StatusCode", NS)
    if code is None or code.get("Value") != SUCCESS:
        raise SamlError(f"the provider's status is not success ({code.get('Value') if code is not None else 'none'})")


def assertion_checked(
    *,
    saml_response: str,
    certificate_pem: str,
    idp_entity_id: str,
    sp_entity_id: str,
    acs_url: str,
    request_id: str,
    now: datetime.datetime,
) -> SamlAssertion:
    """The assertion's subject, email and authentication contexts, once every check holds; else SamlError."""
    root = _document(saml_response)
    _status_success(root)  # unsigned here it can only refuse
    if root.get("Destination") not in (None, acs_url):
        raise SamlError("the response is meant for another assertion consumer service (Destination)")
    signed = _signed(root, certificate_pem)
    if signed.tag == f"{{{PROTOCOL_NS}}}Response":
        if signed.get("Destination") != acs_url:
            raise SamlError("the response is meant for another assertion consumer service (Destination)")
        if signed.get("InResponseTo") != request_id:
            raise SamlError("the response answers another request (InResponseTo)")
        _status_success(signed)
        if signed.find("saml:EncryptedAssertion", NS) is not None:
            raise SamlError("encrypted assertions are not supported")
        assertion = _one(signed, "saml:Assertion", "assertion")
    elif signed.tag == f"{{{ASSERTION_NS}}}Assertion":
        assertion = signed
    else:
        raise SamlError("the signature covers neither the response nor its assertion")

    if _text(assertion.find("saml:Issuer", NS)) != idp_entity_id:
        raise SamlError("the assertion's issuer is not the provider's entity id")
    _conditions_hold(assertion, sp_entity_id=sp_entity_id, now=now)
    subject = _one(assertion, "saml:Subject", "subject")
    _bearer_confirmed(subject, acs_url=acs_url, request_id=request_id, now=now)
    name_id = _one(subject, "saml:NameID", "NameID")
    name = _text(name_id)
    if not name:
        raise SamlError("the NameID is empty")
    if name_id.get("Format") == TRANSIENT_FORMAT:
        raise SamlError("a transient NameID cannot be linked to an account")
    email = name if name_id.get("Format") == EMAIL_FORMAT else _email_attribute(assertion)
    if not email:
        raise SamlError("the assertion names no email (an email NameID or an email attribute)")
    contexts = [
        _text(ref) for ref in assertion.findall("saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef", NS)
    ]
    if not contexts and assertion.find("saml:AuthnStatement", NS) is None:
        raise SamlError("the assertion has no authentication statement")
    return SamlAssertion(
        name_id=name,
        email=email,
        authn_contexts=[context for context in contexts if context],
        given_name=_optional_attribute(assertion, GIVEN_NAME_ATTRIBUTES),
        family_name=_optional_attribute(assertion, SURNAME_ATTRIBUTES),
    )


def _conditions_hold(assertion: etree._Element, *, sp_entity_id: str, now: datetime.datetime) -> None:
    conditions = _one(assertion, "saml:Conditions", "conditions")
    if conditions.get("NotBefore") and now + CLOCK_SKEW < _time(conditions.get("NotBefore"), "NotBefore"):
        raise SamlError("the assertion is not valid yet")
    if not conditions.get("NotOnOrAfter"):
        raise SamlError("the assertion has no NotOnOrAfter")
    if now - CLOCK_SKEW >= _time(conditions.get("NotOnOrAfter"), "NotOnOrAfter"):
        raise SamlError("the assertion has expired")
    restrictions = conditions.findall("saml:AudienceRestriction", NS)
    if not restrictions:
        raise SamlError("the assertion names no audience")
    for restriction in restrictions:  # each restriction must include us (SAML core 2.5.1.4)
        if sp_entity_id not in [_text(audience) for audience in restriction.findall("saml:Audience", NS)]:
            raise SamlError("the assertion is meant for another audience")


def _bearer_confirmed(subject: etree._Element, *, acs_url: str, request_id: str, now: datetime.datetime) -> None:
    problems = []
    for confirmation in subject.findall("saml:SubjectConfirmation", NS):
        data = confirmation.find("saml:SubjectConfirmationData", NS)
        if confirmation.get("Method") != BEARER or data is None:
            problems.append("not a bearer confirmation")
        elif data.get("Recipient") != acs_url:
            problems.append("meant for another assertion consumer service (Recipient)")
        elif data.get("InResponseTo") != request_id:
            problems.append("answers another request (InResponseTo)")
        elif not data.get("NotOnOrAfter") or now - CLOCK_SKEW >= _time(data.get("NotOnOrAfter"), "NotOnOrAfter"):
            problems.append("the subject confirmation has expired")
        else:
            return
    raise SamlError("the subject is not confirmed: " + ("; ".join(problems) or "no confirmation"))


def _email_attribute(assertion: etree._Element) -> str:
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", NS):
        name = attribute.get("Name", "")
        if name in EMAIL_ATTRIBUTES or name.lower() in EMAIL_ATTRIBUTES:
            values = [_text(value) for value in attribute.findall("saml:AttributeValue", NS)]
            if len(values) == 1 and values[0]:
                return values[0]
            raise SamlError("the email attribute must have exactly one value")
    return ""


def _optional_attribute(assertion: etree._Element, names: tuple[str, ...]) -> str:
    """The first single value of one of these attributes (of the signed assertion), or "" — never an error."""
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", NS):
        if attribute.get("Name", "").lower() in names:
            values = [_text(value) for value in attribute.findall("saml:AttributeValue", NS)]
            if len(values) == 1 and values[0]:
                return values[0][:100]
    return ""


def mfa_context(assertion: SamlAssertion, *, accepted: list[str]) -> str:
    """Which AuthnContextClassRef shows the provider asked for a second factor, or "" if none does."""
    for context in assertion.authn_contexts:
        if context in accepted:
            return f"AuthnContextClassRef {context}"[:250]
    return ""


# --- Our metadata ----------------------------------------------------------------------------------


def metadata_xml(*, sp_entity_id: str, acs_url: str) -> bytes:
    """Our service provider metadata, for the agency's IT team to register Patchwork at their provider."""
    root = etree.Element(f"{{{METADATA_NS}}}EntityDescriptor", nsmap={"md": METADATA_NS}, entityID=sp_entity_id)
    descriptor = etree.SubElement(
        root,
        f"{{{METADATA_NS}}}SPSSODescriptor",
        AuthnRequestsSigned="false",
        WantAssertionsSigned="true",
        protocolSupportEnumeration=PROTOCOL_NS,
    )
    etree.SubElement(descriptor, f"{{{METADATA_NS}}}NameIDFormat").text = EMAIL_FORMAT
    etree.SubElement(
        descriptor, f"{{{METADATA_NS}}}AssertionConsumerService", Binding=POST_BINDING, Location=acs_url, index="0"
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
