from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "core.retention"
    label = "retention"
    verbose_name = "Retention and erasure: records kept no longer than the council's schedule"
