"""The phonebook (PRODUCT.md journey 8): find colleagues and agencies, see how to reach them, edit your own profile.

Who is listed: active, verified practitioners of approved agencies in this council. The staff of a
sensitive (confidential) agency are listed only to its own verified staff; everyone else sees its
gateway contact. Anyone the viewer may not see is "not found", like an id that never existed.
"""

import io
import os
import uuid
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN
from core.directory.models import ApprovalState, ContactMethod, Practitioner
from core.directory.selectors import practitioner_search
from core.directory.services.profiles import practitioner_profile_update
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.accounts.helpers import audit_events
from tests.factories import AgencyFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.council_side

GATEWAY = "Alpha Single Point of Access, 01632 960 000"


def colleague(agency, first_name: str, last_name: str, **fields: object) -> Practitioner:
    """A practitioner everyone may find: active, verified. Call inside the council's schema."""
    fields.setdefault("verified_at", timezone.now())
    return PractitionerFactory(agency=agency, user__first_name=first_name, user__last_name=last_name, **fields)


def page(response) -> str:
    return response.content.decode()


def png_bytes(size: tuple[int, int] = (4, 4), colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def agencies(council_a: Council) -> dict[str, object]:
    with schema_context(council_a.schema_name):
        return {
            "children": AgencyFactory(
                name="Alpha Children's Services",
                services="Social work for children and families",
                contact_email="duty@alpha-childrens.example",
                contact_phone="01632 960 111",
            ),
            "police": AgencyFactory(name="Alpha Police — Neighbourhood Team", agency_type="police"),
            "recovery": AgencyFactory(
                name="Alpha Recovery Service",
                agency_type="health",
                services="Drug and alcohol support",
                contact_email="team@alpha-recovery.example",
                contact_phone="01632 960 222",
                is_sensitive=True,
                gateway_contact=GATEWAY,
            ),
            "pending": AgencyFactory(name="Alpha Pending Charity", approval_state=ApprovalState.PENDING),
        }


@pytest.fixture
def viewer(council_a: Council, agencies) -> Practitioner:
    with schema_context(council_a.schema_name):
        return colleague(agencies["children"], "Vera", "Viewer", job_title="Family support worker")


@pytest.fixture
def browser(client_a: Client, council_a: Council, viewer: Practitioner) -> Client:
    sign_in(client_a, viewer.user, council_a)
    return client_a


def search(browser: Client, **params: str):
    return browser.get("/directory/", params)


def listed_ids(response) -> set[str]:
    return {str(person.pk) for person in response.context["result"].practitioners}


# --- Finding colleagues -----------------------------------------------------------------------


def test_search_finds_colleagues_by_name_job_title_expertise_and_agency(
    browser: Client, council_a: Council, agencies
) -> None:
    with schema_context(council_a.schema_name):
        amy = colleague(agencies["children"], "Amy", "Collier", job_title="Social worker", mobile="07700 900 123")
        raj = colleague(agencies["police"], "Raj", "Patel", job_title="PCSO", expertise="Youth diversion, knife crime")
        hana = colleague(agencies["police"], "Hana", "Abbott", job_title="Health visitor liaison")

    assert listed_ids(search(browser, q="collier")) == {str(amy.pk)}
    assert listed_ids(search(browser, q="AMY COLL")) == {str(amy.pk)}
    assert listed_ids(search(browser, q="knife")) == {str(raj.pk)}
    assert listed_ids(search(browser, q="health visitor")) == {str(hana.pk)}
    by_agency = search(browser, agency=str(agencies["police"].pk))
    assert [p.pk for p in by_agency.context["result"].practitioners] == [hana.pk, raj.pk]  # by surname
    assert listed_ids(search(browser, q="patel", agency=str(agencies["children"].pk))) == set()

    response = search(browser, q="collier")
    html = page(response)
    assert response.status_code == 200
    assert f'href="/directory/people/{amy.pk}/"' in html
    assert "Social worker" in html
    assert "Alpha Children&#x27;s Services" in html
    assert "Email: <a" in html  # Amy prefers email (the default), though she has a mobile
    assert amy.user.email in html


def test_search_needs_a_name_or_an_agency(browser: Client) -> None:
    first_visit = search(browser)
    assert first_visit.status_code == 200
    assert "There is a problem" not in page(first_visit)
    assert first_visit.context["result"] is None

    empty = search(browser, q="  ", agency="")
    assert empty.status_code == 200
    assert "There is a problem" in page(empty)
    assert "Enter a name, job title or expertise, or select an agency" in page(empty)
    assert "<title>Error: Find a colleague" in page(empty)
    assert empty.context["result"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"agency": "not-an-id"}, "Select an agency from the list"),
        ({"agency": str(uuid.uuid4())}, "Select an agency from the list"),
        ({"q": "x" * 101}, "Search for 100 characters or fewer"),
    ],
)
def test_search_with_bad_input_says_what_is_wrong(browser: Client, params: dict[str, str], message: str) -> None:
    response = search(browser, **params)
    assert response.status_code == 200
    assert message in page(response)
    assert response.context["result"] is None


def test_search_shows_at_most_50_and_asks_to_narrow_it(browser: Client, council_a: Council, agencies) -> None:
    with schema_context(council_a.schema_name):
        for n in range(51):
            colleague(agencies["police"], "Sam", f"Constable{n:02d}", job_title="Police constable")
    response = search(browser, q="constable")
    result = response.context["result"]
    assert len(result.practitioners) == 50
    assert result.more
    assert [p.user.last_name for p in result.practitioners] == [f"Constable{n:02d}" for n in range(50)]
    assert "More than 50 practitioners match" in page(response)


def test_search_lists_only_active_verified_people_of_approved_agencies(
    browser: Client, council_a: Council, agencies, viewer: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        listed = colleague(agencies["children"], "Lee", "Marsh")
        deactivated = colleague(agencies["children"], "Kit", "Marsh")
        User.objects.filter(pk=deactivated.user_id).update(is_active=False)
        colleague(agencies["children"], "Jo", "Marsh", verified_at=None)
        colleague(agencies["pending"], "Max", "Marsh")
    assert listed_ids(search(browser, q="marsh")) == {str(listed.pk)}
    assert listed_ids(search(browser, agency=str(agencies["children"].pk))) == {str(listed.pk), str(viewer.pk)}


def test_search_at_council_a_never_lists_council_b_people(
    browser: Client, council_a: Council, council_b: Council, client_b: Client, viewer: Practitioner
) -> None:
    with schema_context(council_b.schema_name):
        beta_agency = AgencyFactory(name="Beta Family Services")
        quill = colleague(beta_agency, "Ola", "Quill")
        beta_viewer = colleague(beta_agency, "Bea", "Viewer")
    assert listed_ids(search(browser, q="quill")) == set()
    with schema_context(council_a.schema_name):
        assert practitioner_search(viewer=viewer, query="quill").practitioners == []
    assert browser.get(f"/directory/people/{quill.pk}/").status_code == 404

    # The same search at council B finds Ola: the test above could fail.
    sign_in(client_b, beta_viewer.user, council_b)
    assert listed_ids(search(client_b, q="quill")) == {str(quill.pk)}
    assert client_b.get(f"/directory/people/{quill.pk}/").status_code == 200


def test_someone_without_a_practitioner_profile_cannot_use_the_directory(client_a: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        user = UserFactory(email="no-profile@agency.example")
    sign_in(client_a, user, council_a)
    for path in ("/directory/", "/directory/agencies/", "/account/profile/"):
        assert client_a.get(path).status_code == 403


# --- Query counts --------------------------------------------------------------------------------


def _queries_for(browser: Client, path: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(path, params or {})
    assert response.status_code == 200
    return len(queries)


def test_search_page_runs_the_same_number_of_queries_for_3_or_30_results(
    browser: Client, council_a: Council, agencies
) -> None:
    with schema_context(council_a.schema_name):
        for n in range(3):
            colleague(agencies["children"], "Pat", f"Fewer{n}", job_title="Early help worker")
        for n in range(30):
            colleague(agencies[("children", "police")[n % 2]], "Ash", f"Many{n}", job_title="Youth worker")
    few = _queries_for(browser, "/directory/", {"q": "early help"})
    many = _queries_for(browser, "/directory/", {"q": "youth worker"})
    assert len(search(browser, q="early help").context["result"].practitioners) == 3
    assert len(search(browser, q="youth worker").context["result"].practitioners) == 30
    assert few == many
    assert many <= 11  # sign-in and council lookups, the viewer, the rules in force, the agency choices, the search


def test_agency_page_runs_the_same_number_of_queries_for_3_or_30_practitioners(
    browser: Client, council_a: Council, agencies
) -> None:
    with schema_context(council_a.schema_name):
        small, large = AgencyFactory(name="Small School"), AgencyFactory(name="Large Hospital")
        for n in range(3):
            colleague(small, "Dee", f"Teacher{n}")
        for n in range(30):
            colleague(large, "Eli", f"Nurse{n}")
    assert _queries_for(browser, f"/directory/agencies/{small.pk}/") == _queries_for(
        browser, f"/directory/agencies/{large.pk}/"
    )


# --- Profiles ------------------------------------------------------------------------------------


def test_profile_shows_how_to_reach_a_colleague_with_the_preferred_way_highlighted(
    browser: Client, council_a: Council, agencies
) -> None:
    with schema_context(council_a.schema_name):
        raj = colleague(
            agencies["police"],
            "Raj",
            "Patel",
            job_title="PCSO",
            mobile="+447700900456",
            landline="+441632960333",
            preferred_contact=ContactMethod.MOBILE,
            expertise="Youth diversion",
            availability="Mon–Wed",
        )
    response = browser.get(f"/directory/people/{raj.pk}/")
    html = page(response)
    assert response.status_code == 200
    for text in ("Raj Patel", "PCSO", "Alpha Police — Neighbourhood Team", raj.user.email, "01632 960333"):
        assert text in html
    assert "Youth diversion" in html
    assert "Mon–Wed" in html
    assert 'Mobile: <a class="govuk-link" href="tel:+447700900456">07700 900456</a>' in html
    assert '07700 900456</a> <strong class="govuk-tag">Preferred</strong>' in html
    assert html.count("Preferred</strong>") == 1
    assert "<img" not in html  # no photo


def test_profile_prefers_email_when_the_preferred_number_is_missing(
    browser: Client, council_a: Council, agencies
) -> None:
    with schema_context(council_a.schema_name):
        kim = colleague(agencies["police"], "Kim", "Noble", preferred_contact=ContactMethod.LANDLINE)
    html = page(browser.get(f"/directory/people/{kim.pk}/"))
    assert f'Email: <a class="govuk-link" href="mailto:{kim.user.email}">' in html
    assert f'{kim.user.email}</a> <strong class="govuk-tag">Preferred</strong>' in html


@pytest.mark.parametrize("who", ["unknown", "deactivated", "unverified", "pending agency"])
def test_profile_of_someone_the_viewer_may_not_see_is_not_found(
    browser: Client, council_a: Council, agencies, who: str
) -> None:
    with schema_context(council_a.schema_name):
        if who == "unknown":
            practitioner_id = uuid.uuid4()
        elif who == "deactivated":
            person = colleague(agencies["children"], "Gone", "Away", photo="practitioners/x.jpg")
            User.objects.filter(pk=person.user_id).update(is_active=False)
            practitioner_id = person.pk
        elif who == "unverified":
            practitioner_id = colleague(agencies["children"], "New", "Starter", verified_at=None).pk
        else:
            practitioner_id = colleague(agencies["pending"], "Not", "Yet").pk
    assert browser.get(f"/directory/people/{practitioner_id}/").status_code == 404
    assert browser.get(f"/directory/people/{practitioner_id}/photo/").status_code == 404


def test_an_unverified_practitioner_sees_their_own_profile_and_why_others_cannot(
    client_a: Client, council_a: Council, agencies
) -> None:
    with schema_context(council_a.schema_name):
        newcomer = colleague(agencies["children"], "New", "Starter", verified_at=None)
    sign_in(client_a, newcomer.user, council_a)
    response = client_a.get(f"/directory/people/{newcomer.pk}/")
    assert response.status_code == 200
    assert "Colleagues cannot find you yet" in page(response)


# --- Sensitive agencies ---------------------------------------------------------------------------


@pytest.fixture
def recovery_worker(council_a: Council, agencies) -> Practitioner:
    with schema_context(council_a.schema_name):
        return colleague(agencies["recovery"], "Robin", "Hidden", job_title="Recovery worker")


def test_staff_of_a_confidential_service_are_hidden_from_outsiders(
    browser: Client, agencies, recovery_worker: Practitioner
) -> None:
    assert listed_ids(search(browser, q="hidden")) == set()
    assert listed_ids(search(browser, q="recovery")) == set()
    assert browser.get(f"/directory/people/{recovery_worker.pk}/").status_code == 404
    assert search(browser, agency=str(agencies["recovery"].pk)).context["result"] is None  # not a choice

    agency_page = browser.get(f"/directory/agencies/{agencies['recovery'].pk}/")
    html = page(agency_page)
    assert agency_page.status_code == 200
    assert "Robin" not in html
    assert "Hidden" not in html
    assert "This is a confidential service. Contact it through:" in html
    assert GATEWAY in html
    assert "team@alpha-recovery.example" not in html
    assert "01632 960 222" not in html


def test_staff_of_a_confidential_service_are_visible_to_their_verified_colleagues(
    client_a: Client, council_a: Council, agencies, recovery_worker: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        teammate = colleague(agencies["recovery"], "Sky", "Teammate")
    sign_in(client_a, teammate.user, council_a)
    assert str(recovery_worker.pk) in listed_ids(search(client_a, q="hidden"))
    assert str(recovery_worker.pk) in listed_ids(search(client_a, agency=str(agencies["recovery"].pk)))
    assert client_a.get(f"/directory/people/{recovery_worker.pk}/").status_code == 200
    html = page(client_a.get(f"/directory/agencies/{agencies['recovery'].pk}/"))
    assert "Robin Hidden" in html
    assert "because you work for it" in html


def test_an_unverified_member_of_a_confidential_service_does_not_see_its_staff(
    client_a: Client, council_a: Council, agencies, recovery_worker: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        newcomer = colleague(agencies["recovery"], "Unvouched", "Newcomer", verified_at=None)
    sign_in(client_a, newcomer.user, council_a)
    assert listed_ids(search(client_a, q="hidden")) == set()
    assert client_a.get(f"/directory/people/{recovery_worker.pk}/").status_code == 404
    assert "Robin Hidden" not in page(client_a.get(f"/directory/agencies/{agencies['recovery'].pk}/"))


# --- Agencies --------------------------------------------------------------------------------------


def test_agency_directory_lists_approved_agencies_and_how_to_reach_them(browser: Client, agencies) -> None:
    response = browser.get("/directory/agencies/")
    html = page(response)
    assert response.status_code == 200
    for name in ("Alpha Children&#x27;s Services", "Alpha Police — Neighbourhood Team", "Alpha Recovery Service"):
        assert name in html
    assert "Alpha Pending Charity" not in html
    assert "Social work for children and families" in html
    assert "duty@alpha-childrens.example" in html
    assert "01632 960 111" in html
    assert "Statutory (council services)" in html
    assert "This is a confidential service. Contact it through:" in html
    assert GATEWAY in html
    assert "team@alpha-recovery.example" not in html


def test_agency_page_lists_its_practitioners(browser: Client, council_a: Council, agencies) -> None:
    with schema_context(council_a.schema_name):
        raj = colleague(agencies["police"], "Raj", "Patel", job_title="PCSO")
        colleague(agencies["police"], "Unverified", "Officer", verified_at=None)
    html = page(browser.get(f"/directory/agencies/{agencies['police'].pk}/"))
    assert f'href="/directory/people/{raj.pk}/">Raj Patel</a>, PCSO' in html
    assert "Unverified" not in html


def test_agency_page_of_an_unknown_unapproved_or_other_councils_agency_is_not_found(
    browser: Client, council_b: Council, agencies
) -> None:
    with schema_context(council_b.schema_name):
        beta_agency = AgencyFactory(name="Beta Youth Service")
    for agency_id in (uuid.uuid4(), agencies["pending"].pk, beta_agency.pk):
        assert browser.get(f"/directory/agencies/{agency_id}/").status_code == 404


# --- Editing your own profile ----------------------------------------------------------------------


def form_data(practitioner: Practitioner, /, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": practitioner.user.first_name,
        "last_name": practitioner.user.last_name,
        "job_title": practitioner.job_title,
        "expertise": practitioner.expertise,
        "availability": practitioner.availability,
        "mobile": practitioner.mobile,
        "landline": practitioner.landline,
        "preferred_contact": practitioner.preferred_contact,
    }
    data.update(changes)
    return data


def fresh(practitioner: Practitioner, council: Council) -> Practitioner:
    with schema_context(council.schema_name):
        return Practitioner.objects.select_related("user").get(pk=practitioner.pk)


def snapshot(practitioner: Practitioner, council: Council) -> tuple[object, ...]:
    p = fresh(practitioner, council)
    return (
        p.user.first_name,
        p.user.last_name,
        p.user.email,
        p.job_title,
        p.expertise,
        p.availability,
        p.mobile,
        p.landline,
        p.preferred_contact,
        p.photo.name,
    )


def test_profile_page_says_the_work_email_cannot_be_changed_here(browser: Client, viewer: Practitioner) -> None:
    html = page(browser.get("/account/profile/"))
    assert viewer.user.email in html
    assert "You cannot change your work email" in html
    assert 'name="email"' not in html


def test_editing_your_profile_saves_it_and_records_an_audit_event(
    browser: Client, council_a: Council, viewer: Practitioner
) -> None:
    response = browser.post(
        "/account/profile/",
        form_data(
            viewer,
            first_name="Verity",
            job_title="Senior family support worker",
            expertise="Parenting, school attendance",
            availability="Tue–Thu",
            mobile="07700 900 789",
            preferred_contact="mobile",
            email="attacker@elsewhere.example",  # not a field of this form: ignored
            is_council_admin="on",
        ),
    )
    assert response.status_code == 302
    assert response.url == f"/directory/people/{viewer.pk}/"
    saved = fresh(viewer, council_a)
    assert saved.user.first_name == "Verity"
    assert saved.user.last_name == "Viewer"
    assert saved.user.email == viewer.user.email
    assert saved.job_title == "Senior family support worker"
    assert saved.expertise == "Parenting, school attendance"
    assert saved.availability == "Tue–Thu"
    assert saved.mobile == "+447700900789"  # stored in E.164
    assert saved.preferred_contact == ContactMethod.MOBILE
    assert not saved.is_council_admin

    [event] = audit_events(council_a, action=AuditAction.PROFILE_UPDATED)
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.actor_id == viewer.user.pk
    assert event.object_type == "practitioner"
    assert event.object_id == str(viewer.pk)
    assert event.reason == "changed first_name, job_title, expertise, availability, mobile, preferred_contact"
    assert "07700" not in event.reason
    assert "Your profile has been updated." in page(browser.get(response.url))


def test_saving_an_unchanged_profile_records_nothing(browser: Client, council_a: Council, viewer: Practitioner) -> None:
    assert browser.post("/account/profile/", form_data(viewer)).status_code == 302
    assert audit_events(council_a, action=AuditAction.PROFILE_UPDATED) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Enter your first name"),
        ({"last_name": "  "}, "Enter your surname"),
        ({"job_title": ""}, "Enter your job title"),
        ({"job_title": "x" * 121}, "Job title must be 120 characters or fewer"),
        ({"expertise": "x" * 301}, "Expertise must be 300 characters or fewer"),
        (
            {"preferred_contact": "mobile", "mobile": ""},
            "Enter your mobile number, or choose another way to be contacted",
        ),
        (
            {"preferred_contact": "landline", "landline": ""},
            "Enter your landline number, or choose another way to be contacted",
        ),
        ({"preferred_contact": "carrier pigeon"}, "Select how you prefer to be contacted"),
        ({"preferred_contact": ""}, "Select how you prefer to be contacted"),
        ({"mobile": "call me maybe"}, "Enter a UK mobile number, like 07700 900 123"),
        ({"landline": "123"}, "Enter a UK landline number, like 01632 960 123"),
        ({"mobile": "07700 90012"}, "Enter a UK mobile number, like 07700 900 123"),
        ({"mobile": "0491 570 156"}, "Enter a UK mobile number, like 07700 900 123"),
    ],
)
def test_bad_profile_input_shows_a_clear_error_and_saves_nothing(
    browser: Client, council_a: Council, viewer: Practitioner, changes: dict[str, str], message: str
) -> None:
    before = snapshot(viewer, council_a)
    response = browser.post("/account/profile/", form_data(viewer, **{"job_title": "Changed too", **changes}))
    html = page(response)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "<title>Error: Your profile" in html
    assert message in html
    assert snapshot(viewer, council_a) == before
    assert audit_events(council_a, action=AuditAction.PROFILE_UPDATED) == []


def test_there_is_no_way_to_edit_someone_elses_profile(
    browser: Client, council_a: Council, agencies, viewer: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        other = colleague(agencies["children"], "Other", "Person")
    before = snapshot(other, council_a)
    browser.post("/account/profile/", form_data(viewer, practitioner=str(other.pk), id=str(other.pk), job_title="Mine"))
    assert browser.post(f"/directory/people/{other.pk}/", form_data(other, job_title="Hacked")).status_code == 405
    assert browser.post(f"/account/profile/{other.pk}/", form_data(other, job_title="Hacked")).status_code == 404
    assert snapshot(other, council_a) == before
    assert fresh(viewer, council_a).job_title == "Mine"


def test_the_profile_service_refuses_fields_that_are_not_part_of_a_profile(
    council_a: Council, viewer: Practitioner
) -> None:
    with schema_context(council_a.schema_name), pytest.raises(TypeError):
        practitioner_profile_update(practitioner=viewer, origin=NO_ORIGIN, is_council_admin=True)  # type: ignore[arg-type]


# --- Photos ------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def upload(browser: Client, viewer: Practitioner, name: str, content: bytes, content_type: str = "image/png"):
    photo = SimpleUploadedFile(name, content, content_type=content_type)
    return browser.post("/account/profile/", form_data(viewer, photo=photo))


def test_a_photo_is_stored_for_the_council_and_shown_on_the_profile(
    browser: Client, council_a: Council, viewer: Practitioner, media, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(browser, viewer, "me.png", png_bytes())
    assert response.status_code == 302
    name = fresh(viewer, council_a).photo.name
    assert name.startswith(f"practitioners/{council_a.schema_name}/")
    assert name.endswith(".jpg")
    assert stored_files(media) == [name]

    html = page(browser.get(f"/directory/people/{viewer.pk}/"))
    assert f'<img src="/directory/people/{viewer.pk}/photo/" alt="Photo of Vera Viewer"' in html
    served = browser.get(f"/directory/people/{viewer.pk}/photo/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert image.format == "JPEG"
        assert image.size == (4, 4)
    [event] = audit_events(council_a, action=AuditAction.PROFILE_UPDATED)
    assert event.reason == "changed photo"


def test_replacing_or_removing_a_photo_deletes_the_old_file(
    browser: Client, council_a: Council, viewer: Practitioner, media, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        upload(browser, viewer, "first.png", png_bytes(colour="red"))
    first = fresh(viewer, council_a).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        upload(browser, viewer, "second.png", png_bytes(colour="blue"))
    second = fresh(viewer, council_a).photo.name
    assert second != first
    assert stored_files(media) == [second]

    assert "Remove my photo" in page(browser.get("/account/profile/"))
    with django_capture_on_commit_callbacks(execute=True):
        browser.post("/account/profile/", form_data(viewer, remove_photo="on"))
    assert fresh(viewer, council_a).photo.name == ""
    assert stored_files(media) == []
    assert browser.get(f"/directory/people/{viewer.pk}/photo/").status_code == 404


def _big_png() -> bytes:
    """Noise does not compress: a PNG over 2 MB."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buffer, format="PNG")
    assert buffer.tell() > 2 * 1024 * 1024
    return buffer.getvalue()


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="GIF")
    return buffer.getvalue()


def _huge_canvas_png() -> bytes:
    """A small file that would decode to 48 megapixels."""
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, format="PNG")
    return buffer.getvalue()


NOT_A_PHOTO = "The selected file must be a JPG or PNG photo"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("notes.txt", lambda: b"not a picture at all", NOT_A_PHOTO, id="text file"),
        pytest.param("photo.png", lambda: b"not a picture, despite its name", NOT_A_PHOTO, id="text named .png"),
        pytest.param("photo.png", lambda: png_bytes()[:40], NOT_A_PHOTO, id="truncated PNG"),
        pytest.param("photo.gif", _gif, NOT_A_PHOTO, id="GIF"),
        pytest.param("big.png", _big_png, "The selected file must be smaller than 2 MB", id="over 2 MB"),
        pytest.param(
            "canvas.png", _huge_canvas_png, "The selected photo must be smaller than 40 megapixels", id="48 megapixels"
        ),
    ],
)
def test_a_file_that_is_not_an_acceptable_photo_is_refused_and_nothing_is_saved(
    browser: Client,
    council_a: Council,
    viewer: Practitioner,
    media,
    name: str,
    content: Callable[[], bytes],
    message: str,
) -> None:
    before = snapshot(viewer, council_a)
    photo = SimpleUploadedFile(name, content(), content_type="image/png")
    response = browser.post("/account/profile/", form_data(viewer, job_title="Changed too", photo=photo))
    assert response.status_code == 200
    assert "There is a problem" in page(response)
    assert message in page(response)
    assert snapshot(viewer, council_a) == before
    assert stored_files(media) == []
    assert audit_events(council_a, action=AuditAction.PROFILE_UPDATED) == []


def test_a_photo_of_another_council_is_never_served(
    browser: Client, council_a: Council, council_b: Council, agencies, media
) -> None:
    """Defence in depth: a photo name outside this council's prefix is not opened, even if it exists."""
    other_councils = media / "practitioners" / council_b.schema_name
    other_councils.mkdir(parents=True)
    (other_councils / "theirs.jpg").write_bytes(png_bytes())
    with schema_context(council_a.schema_name):
        odd = colleague(agencies["children"], "Odd", "Path", photo=f"practitioners/{council_b.schema_name}/theirs.jpg")
    assert browser.get(f"/directory/people/{odd.pk}/").status_code == 200
    assert browser.get(f"/directory/people/{odd.pk}/photo/").status_code == 404


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("07700 900 123", "+447700900123", "07700 900123"),  # Ofcom's drama range: possible, not "valid"
        ("+44 7700 900123", "+447700900123", "07700 900123"),
        ("(01632) 960 001", "+441632960001", "01632 960001"),
    ],
)
def test_a_valid_mobile_is_stored_in_e164_and_shown_nationally(
    browser: Client, council_a: Council, viewer: Practitioner, typed: str, stored: str, shown: str
) -> None:
    response = browser.post("/account/profile/", form_data(viewer, mobile=typed, preferred_contact="mobile"))
    assert response.status_code == 302
    assert fresh(viewer, council_a).mobile == stored
    assert f'href="tel:{stored}">{shown}</a>' in page(browser.get(f"/directory/people/{viewer.pk}/"))
    assert f'value="{shown}"' in page(browser.get("/account/profile/"))
