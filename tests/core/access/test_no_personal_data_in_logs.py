"""A whole account journey leaves no personal data in the application logs (AUD-2).

Invitation, acceptance, authenticator set-up, a failed and a successful sign-in, the home page, the
API and sign-out, with every logger captured at DEBUG: no name, email address or job title may
appear in any log line.
"""

import logging
import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side
TEST_TOOLING = ("factory", "faker")  # the test's own data builders log what they build; the product must not

PERSONAL = [
    "Philippa",
    "Quennell-Ashdown",
    "philippa.quennell@alpha-health.example",
    "Specialist Health Visitor",
    "Rosalind",
    "Tiverton",
    "rosalind.tiverton@alpha-health.example",
]


def test_an_account_journey_logs_no_personal_data(
    council_a: Council,
    client_a: Client,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: object,
) -> None:
    caplog.set_level(logging.DEBUG)
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(name="Alpha Health Visiting", email_domains=["alpha-health.example"])
        admin = PractitionerFactory(
            agency=agency,
            is_council_admin=True,
            user__email="rosalind.tiverton@alpha-health.example",
            user__first_name="Rosalind",
            user__last_name="Tiverton",
        )
    sign_in(client_a, admin.user, council_a)
    with schema_context(council_a.schema_name):
        agency_id = str(agency.pk)
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(
            "/team/invite/",
            {"email": "philippa.quennell@alpha-health.example", "agency": agency_id, "role": "practitioner"},
        )
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]

    newcomer = Client(HTTP_HOST=host_of(council_a))
    newcomer.post(
        path,
        {
            "first_name": "Philippa",
            "last_name": "Quennell-Ashdown",
            "job_title": "Specialist Health Visitor",
            "password": "lantern-orchard-velvet-42",
            "password_again": "lantern-orchard-velvet-42",
        },
    )
    assert newcomer.get("/sign-in/set-up/").status_code == 200
    with schema_context(council_a.schema_name):
        device = TOTPDevice.objects.get(user__email="philippa.quennell@alpha-health.example")
        code = f"{totp(device.bin_key):06d}"
    assert newcomer.post("/sign-in/set-up/", {"code": code}).status_code == 200
    newcomer.get("/")
    newcomer.get("/api/v1/me/")
    newcomer.post("/sign-out/")
    newcomer.post("/sign-in/", {"email": "philippa.quennell@alpha-health.example", "password": "wrong-password!"})
    newcomer.get("/no-such-page/?surname=Quennell-Ashdown")

    assert caplog.records, "the journey should have produced some log lines"
    application = [record for record in caplog.records if not record.name.startswith(TEST_TOOLING)]
    text = "\n".join(f"{record.name} {record.getMessage()}" for record in application)
    for personal in PERSONAL:
        assert personal.lower() not in text.lower(), f"{personal!r} appears in the logs"
