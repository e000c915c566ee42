from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "core.sso"
    label = "sso"
    verbose_name = "Single sign-on: each agency's own identity provider (OpenID Connect, SAML 2.0)"
