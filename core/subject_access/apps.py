from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "core.subject_access"
    label = "subject_access"
    verbose_name = "Subject access: everything held about a client, exported on request"
