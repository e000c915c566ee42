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
    path("administration/passkeys/", views.passkeys_required, name="council-passkeys"),
    path("administration/rules/", views.rules_overview, name="council-rules"),
    path(
        "administration/rules/sensitive-services/<uuid:agency_id>/",
        views.rules_sensitive_service,
        name="council-rules-sensitive-service",
    ),
    path("administration/rules/search-and-join/", views.rules_search_join, name="council-rules-search-join"),
    path("administration/rules/family-teams/", views.rules_family_teams, name="council-rules-family-teams"),
    path("administration/rules/break-glass/", views.rules_break_glass, name="council-rules-break-glass"),
    path("administration/rules/alerts/", views.rules_alerts, name="council-rules-alerts"),
    path("administration/rules/retention/", views.rules_retention, name="council-rules-retention"),
    path("administration/rules/still-involved/", views.rules_still_involved, name="council-rules-still-involved"),
    path("administration/rules/history/", views.rules_history, name="council-rules-history"),
    path("administration/rules/history/<int:number>/", views.rules_version, name="council-rules-version"),
    path("administration/break-glass-roles/", views.break_glass_roles, name="council-break-glass-roles"),
    path(
        "administration/break-glass-roles/<uuid:practitioner_id>/<slug:action>/",
        views.break_glass_role,
        name="council-break-glass-role",
    ),
]
