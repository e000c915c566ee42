from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo and benchmark commands (``demo``, ``council_generate_large``, ``bench_clients``,
    ``bench_provisioning``). No models; installed by the local and test settings only."""

    name = "demo"
    label = "demo"
    verbose_name = "Demo and benchmarks"
