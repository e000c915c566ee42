from django.urls import path

from core.accounts.access import public_page
from core.directory.views import accounts, people

urlpatterns = [
    path("team/", accounts.team, name="team"),
    path("team/invite/", accounts.invite, name="invite"),
    path(
        "team/practitioners/<uuid:practitioner_id>/deactivate/",
        accounts.practitioner_deactivate_page,
        name="practitioner-deactivate",
    ),
    path(
        "team/practitioners/<uuid:practitioner_id>/<slug:action>/",
        accounts.practitioner_action,
        name="practitioner-action",
    ),
    path("invitations/<str:token>/", public_page(accounts.invitation_open), name="invitation"),
    path("directory/", people.directory, name="directory"),
    path("directory/people/<uuid:practitioner_id>/", people.person, name="directory-person"),
    path("directory/people/<uuid:practitioner_id>/photo/", people.person_photo, name="directory-person-photo"),
    path("directory/agencies/", people.agencies, name="directory-agencies"),
    path("directory/agencies/<uuid:agency_id>/", people.agency, name="directory-agency"),
    path("account/profile/", people.profile_edit, name="profile"),
]
