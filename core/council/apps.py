from django.apps import AppConfig


class CouncilConfig(AppConfig):
    name = "core.council"
    label = "council"
    verbose_name = "The council: its profile, its setting up and going live, its moves through its life"

    def ready(self) -> None:
        from core.accounts.services.passkeys import passkey_requirement_add
        from core.council.services.passkeys import passkeys_required_for

        passkey_requirement_add(passkeys_required_for)
