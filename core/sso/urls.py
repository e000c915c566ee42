"""Single sign-on: an agency's provider in council administration, and signing in with it (public)."""

from django.urls import path

from core.accounts.access import public_page
from core.sso import invitation_views, saml_views, views

urlpatterns = [
    path(
        "administration/agencies/<uuid:agency_id>/single-sign-on/",
        views.identity_provider,
        name="administration-agency-sso",
    ),
    path("sign-in/organisation/", public_page(views.sign_in_organisation), name="sign-in-organisation"),
    path(
        "sign-in/organisation/callback/",
        public_page(views.sign_in_organisation_callback),
        name="sign-in-organisation-callback",
    ),
    path(
        "sign-in/organisation/invitation/",
        public_page(invitation_views.sign_in_organisation_invitation),
        name="sign-in-organisation-invitation",
    ),
    path("sign-in/organisation/saml/acs/", public_page(saml_views.saml_acs), name="sign-in-organisation-saml-acs"),
    path(
        "sign-in/organisation/saml/metadata/",
        public_page(saml_views.saml_metadata),
        name="sign-in-organisation-saml-metadata",
    ),
]
