from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """The public catalogue, orders, approval and provisioning orchestration (``public`` schema)."""

    name = "onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"
