"""factory_boy factories for council-side models. Use them inside a council's schema."""

import datetime

import factory
from factory.django import DjangoModelFactory

from core.accounts.models import User
from core.clients.models import Client, Involvement
from core.directory.models import Agency, AgencyType, ApprovalState, Practitioner
from core.governance.models import LegalBasis

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@agency.example")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    agency_type = AgencyType.STATUTORY
    approval_state = ApprovalState.APPROVED
    email_domains = factory.LazyFunction(lambda: ["agency.example"])


class PractitionerFactory(DjangoModelFactory):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    job_title = "Social worker"


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name", locale="en_GB")
    surname = factory.Faker("last_name", locale="en_GB")
    date_of_birth = datetime.date(2015, 3, 14)
    postcode = "WS13 6YY"
    legal_basis = factory.LazyFunction(lambda: LegalBasis.objects.order_by("position").last())


class InvolvementFactory(DjangoModelFactory):
    class Meta:
        model = Involvement

    client = factory.SubFactory(ClientFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    role = "Social worker"
    started_on = datetime.date(2026, 1, 5)


def verified_practitioner(agency: Agency, first_name: str, last_name: str, **extra: object) -> Practitioner:
    """A verified practitioner of ``agency`` with an email at its domain (call inside the council's schema)."""
    from django.utils import timezone

    return PractitionerFactory(
        agency=agency,
        user__first_name=first_name,
        user__last_name=last_name,
        user__email=f"{first_name}.{last_name}@{agency.email_domains[0]}".lower(),
        verified_at=extra.pop("verified_at", timezone.now()),
        **extra,
    )
