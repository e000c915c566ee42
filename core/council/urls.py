from django.urls import path

from core.council import views

urlpatterns = [
    path("administration/setup/", views.setup, name="council-setup"),
    path("administration/setup/go-live/", views.go_live, name="council-go-live"),
    path("administration/governance/", views.governance, name="council-governance"),
    path("administration/agreements/", views.agreements, name="council-agreements"),
    path(
        "administration/agreements/<uuid:agreement_id>/document/",
        views.agreement_document,
        name="council-agreement-document",
    ),
    path("administration/privacy-officers/", views.privacy_officers_page, name="council-privacy-officers"),
    path(
        "administration/privacy-officers/<uuid:practitioner_id>/<slug:action>/",
        views.privacy_officer,
        name="council-privacy-officer",
    ),
    path("administration/legal-bases/", views.legal_bases, name="council-legal-bases"),
    path("administration/legal-bases/reviewed/", views.legal_bases_reviewed, name="council-legal-bases-reviewed"),
    path("administration/legal-bases/<int:basis_id>/<slug:action>/", views.legal_basis, name="council-legal-basis"),
    path("administration/profile/", views.profile, name="council-profile"),
]
