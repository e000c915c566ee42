from django.apps import AppConfig


class CouncilConfig(AppConfig):
    name = "core.council"
    label = "council"
    verbose_name = "The council: its profile, its setting up and going live, its moves through its life"
