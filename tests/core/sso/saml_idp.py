"""A SAML identity provider for tests: a key pair and self-signed certificate made with ``cryptography``,
Responses built with lxml and signed with signxml's XMLSigner, and the browser's part of the flow
(our AuthnRequest read from the redirect, the Response posted to our ACS as the provider's page would)."""

import base64
import datetime
import uuid
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.test import Client
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner

from core.sso.saml import ASSERTION_NS, BEARER, EMAIL_FORMAT, PROTOCOL_NS, SUCCESS
from tests.core.sso.conftest import provider_url_on

IDP_ENTITY_ID = "https://idp.trust.example/saml"
IDP_SSO_URL = "https://idp.trust.example/saml/sso"
MFA_CONTEXT = "http://schemas.microsoft.com/claims/multipleauthn"
PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@dataclass(frozen=True)
class KeyPair:
    key_pem: bytes
    cert_pem: str


def key_pair(name: str = "Test IdP") -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )


def _sign(element: etree._Element, keys: KeyPair) -> etree._Element:
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    return signer.sign(element, key=keys.key_pem, cert=keys.cert_pem, reference_uri=element.get("ID"))


def _instant(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


@dataclass
class Answer:
    """What the provider says; every field can be set wrong to play an attacker or a misconfiguration."""

    request_id: str
    acs_url: str
    audience: str
    email: str
    issuer: str = IDP_ENTITY_ID
    context: str = MFA_CONTEXT
    name_id: str = ""  # default: the email, in email format
    status: str = SUCCESS
    issued: datetime.datetime | None = None
    valid_for: datetime.timedelta = datetime.timedelta(minutes=5)

    def assertion(self) -> etree._Element:
        now = self.issued or datetime.datetime.now(datetime.UTC)
        until = _instant(now + self.valid_for)
        assertion = etree.Element(
            _q(ASSERTION_NS, "Assertion"),
            nsmap={"saml": ASSERTION_NS},
            ID=f"_{uuid.uuid4().hex}",
            Version="2.0",
            IssueInstant=_instant(now),
        )
        etree.SubElement(assertion, _q(ASSERTION_NS, "Issuer")).text = self.issuer
        subject = etree.SubElement(assertion, _q(ASSERTION_NS, "Subject"))
        name_id = etree.SubElement(subject, _q(ASSERTION_NS, "NameID"), Format=EMAIL_FORMAT)
        name_id.text = self.name_id or self.email
        confirmation = etree.SubElement(subject, _q(ASSERTION_NS, "SubjectConfirmation"), Method=BEARER)
        etree.SubElement(
            confirmation,
            _q(ASSERTION_NS, "SubjectConfirmationData"),
            InResponseTo=self.request_id,
            Recipient=self.acs_url,
            NotOnOrAfter=until,
        )
        conditions = etree.SubElement(
            assertion,
            _q(ASSERTION_NS, "Conditions"),
            NotBefore=_instant(now - datetime.timedelta(seconds=30)),
            NotOnOrAfter=until,
        )
        restriction = etree.SubElement(conditions, _q(ASSERTION_NS, "AudienceRestriction"))
        etree.SubElement(restriction, _q(ASSERTION_NS, "Audience")).text = self.audience
        statement = etree.SubElement(
            assertion, _q(ASSERTION_NS, "AuthnStatement"), AuthnInstant=_instant(now), SessionIndex="_s1"
        )
        context = etree.SubElement(statement, _q(ASSERTION_NS, "AuthnContext"))
        etree.SubElement(context, _q(ASSERTION_NS, "AuthnContextClassRef")).text = self.context
        return assertion

    def response(self, *assertions: etree._Element) -> etree._Element:
        now = self.issued or datetime.datetime.now(datetime.UTC)
        response = etree.Element(
            _q(PROTOCOL_NS, "Response"),
            nsmap={"samlp": PROTOCOL_NS, "saml": ASSERTION_NS},
            ID=f"_{uuid.uuid4().hex}",
            Version="2.0",
            IssueInstant=_instant(now),
            Destination=self.acs_url,
            InResponseTo=self.request_id,
        )
        etree.SubElement(response, _q(ASSERTION_NS, "Issuer")).text = self.issuer
        status = etree.SubElement(response, _q(PROTOCOL_NS, "Status"))
        etree.SubElement(status, _q(PROTOCOL_NS, "StatusCode"), Value=self.status)
        for assertion in assertions:
            response.append(assertion)
        return response

    def signed_response(self, keys: KeyPair) -> etree._Element:
        """The whole Response signed (the assertion inside it is covered too)."""
        return _sign(self.response(self.assertion()), keys)

    def signed_assertion(self, keys: KeyPair) -> etree._Element:
        """Only the Assertion signed; the Response around it is not."""
        return self.response(_sign(self.assertion(), keys))


def encoded(element: etree._Element) -> str:
    return base64.b64encode(etree.tostring(element)).decode()


@dataclass(frozen=True)
class Sent:
    """Our AuthnRequest as the provider receives it."""

    request_id: str
    relay_state: str
    url: str
    issuer: str
    acs_url: str


def to_idp(client: Client, email: str) -> Sent:
    """The work email on our page: the AuthnRequest the browser is redirected to the provider with."""
    url = provider_url_on(client.post("/sign-in/organisation/", {"email": email}))
    query = parse_qs(urlsplit(url).query)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    request = etree.fromstring(xml)
    return Sent(
        request_id=request.get("ID"),
        relay_state=query["RelayState"][0],
        url=url,
        issuer=request.findtext(_q(ASSERTION_NS, "Issuer")),
        acs_url=request.get("AssertionConsumerServiceURL"),
    )


def post_to_acs(client: Client, host: str, saml_response: str, relay_state: str) -> object:
    """The provider's auto-submitted form: a cross-site POST, which (SameSite=Lax) carries no session cookie;
    then the browser follows our redirect with its cookie."""
    cross_site = Client(HTTP_HOST=host)
    posted = cross_site.post(
        "/sign-in/organisation/saml/acs/", {"SAMLResponse": saml_response, "RelayState": relay_state}
    )
    assert posted.status_code == 303, posted.content.decode()[:2000]
    assert settings.SESSION_COOKIE_NAME not in posted.cookies  # parking the response touches no session
    return client.get(posted.url)
