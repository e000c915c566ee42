from django.urls import path

from core.subject_access import views

urlpatterns = [
    path("privacy-officer/subject-access/", views.requests, name="subject-access"),
    path("privacy-officer/subject-access/new/", views.request_new, name="subject-access-new"),
    path("privacy-officer/subject-access/new/<uuid:client_id>/", views.request_record, name="subject-access-record"),
    path("privacy-officer/subject-access/<uuid:request_id>/", views.request_page, name="subject-access-request"),
    path(
        "privacy-officer/subject-access/<uuid:request_id>/export/", views.request_export, name="subject-access-export"
    ),
    path(
        "privacy-officer/subject-access/<uuid:request_id>/extend/", views.request_extend, name="subject-access-extend"
    ),
    path("privacy-officer/subject-access/<uuid:request_id>/close/", views.request_close, name="subject-access-close"),
    path("privacy-officer/subject-access/download/<str:token>/", views.download, name="subject-access-download"),
]
