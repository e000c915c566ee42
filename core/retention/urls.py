from django.urls import path

from core.retention import views

urlpatterns = [
    path("privacy-officer/retention/", views.runs, name="retention-runs"),
    path("privacy-officer/retention/<uuid:run_id>/", views.run, name="retention-run"),
    path("privacy-officer/retention/<uuid:run_id>/approve/", views.run_approve, name="retention-run-approve"),
    path("privacy-officer/retention/<uuid:run_id>/reject/", views.run_reject, name="retention-run-reject"),
    path("privacy-officer/clients/<uuid:client_id>/retention/", views.client, name="retention-client"),
    path("privacy-officer/clients/<uuid:client_id>/legal-hold/", views.hold_place, name="retention-hold-place"),
    path("privacy-officer/legal-holds/<uuid:hold_id>/lift/", views.hold_lift, name="retention-hold-lift"),
    path(
        "privacy-officer/clients/<uuid:client_id>/erasure-requests/",
        views.erasure_request_new,
        name="erasure-request-new",
    ),
    path("privacy-officer/erasure-requests/", views.erasure_requests, name="erasure-requests"),
    path("privacy-officer/erasure-requests/<uuid:request_id>/", views.erasure_request, name="erasure-request"),
    path(
        "privacy-officer/erasure-requests/<uuid:request_id>/decide/",
        views.erasure_request_decide_view,
        name="erasure-request-decide",
    ),
]
