from django.urls import path

from core.privacy import views

urlpatterns = [
    path("privacy-officer/", views.home, name="privacy-officer"),
    path("privacy-officer/clients/<uuid:client_id>/", views.client_access, name="privacy-client"),
    path(
        "privacy-officer/clients/<uuid:client_id>/restrict/", views.client_restrict_view, name="privacy-client-restrict"
    ),
    path(
        "privacy-officer/clients/<uuid:client_id>/restriction/lift/",
        views.client_restriction_lift_view,
        name="privacy-client-restriction-lift",
    ),
    path("privacy-officer/clients/<uuid:client_id>/access.csv", views.client_access_csv, name="privacy-client-csv"),
    path(
        "privacy-officer/practitioners/<uuid:practitioner_id>/",
        views.practitioner_activity,
        name="privacy-practitioner",
    ),
    path(
        "privacy-officer/practitioners/<uuid:practitioner_id>/activity.csv",
        views.practitioner_activity_csv,
        name="privacy-practitioner-csv",
    ),
    path("privacy-officer/alerts/", views.alerts, name="privacy-alerts"),
    path("privacy-officer/alerts/<uuid:alert_id>/", views.alert, name="privacy-alert"),
    path("privacy-officer/alerts/<uuid:alert_id>/assign/", views.alert_assign_view, name="privacy-alert-assign"),
    path("privacy-officer/alerts/<uuid:alert_id>/close/", views.alert_close_view, name="privacy-alert-close"),
]
