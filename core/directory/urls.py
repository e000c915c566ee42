from django.urls import path

from core.accounts.access import public_page
from core.directory.models import ImportKind
from core.directory.views import accounts, administration, imports, people

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
    path("administration/", administration.index, name="administration"),
    path("administration/agencies/", administration.agencies, name="administration-agencies"),
    path("administration/agencies/add/", administration.agency_add, name="administration-agency-add"),
    path("administration/agencies/<uuid:agency_id>/", administration.agency, name="administration-agency"),
    path("administration/imports/", imports.imports, name="administration-imports"),
    *(
        entry
        for kind in ImportKind.values
        for entry in (
            path(
                f"administration/imports/{kind}/",
                imports.import_upload,
                {"kind": kind},
                name=f"administration-import-{kind}",
            ),
            path(
                f"administration/imports/{kind}/template.csv",
                imports.import_template,
                {"kind": kind},
                name=f"administration-import-{kind}-template",
            ),
        )
    ),
    path("administration/imports/jobs/<uuid:job_id>/", imports.import_job, name="administration-import-job"),
    path(
        "administration/imports/jobs/<uuid:job_id>/problems.csv",
        imports.import_report,
        name="administration-import-report",
    ),
    path(
        "administration/agencies/<uuid:agency_id>/edit/", administration.agency_edit, name="administration-agency-edit"
    ),
    path(
        "administration/agencies/<uuid:agency_id>/<slug:transition>/",
        administration.agency_state,
        name="administration-agency-state",
    ),
    path(
        "administration/agencies/<uuid:agency_id>/managers/<uuid:practitioner_id>/<slug:action>/",
        administration.agency_manager,
        name="administration-agency-manager",
    ),
]
