"""In a real browser, the privacy officer's records journey (issue 11): Staffordshire's privacy officer records a
subject access request for a young man the council worked with years ago, exports his record, downloads it once
(the zip holds the JSON, HTML and PDF, and the JSON names him) and is refused a second download; then approves the
nightly retention list that names him (the demo plants him, seven years after his team ended, and makes the list:
demo/retention.py). A practitioner finds him beforehand by search, on the page and through the API; afterwards he
is gone from both, and his team answers 404 on the page and the API.

Every page the journey visits passes axe (A11Y-1) and is photographed into ``PATCHWORK_E2E_SHOTS``. No other
end-to-end test uses this client or the practitioner signed in as here (Mark Jennings, a team manager).
"""

import datetime
import json
import re
import zipfile

import pytest

from demo.retention import PAST_CLIENTS
from tests.e2e.staffordshire import checked
from tests.e2e.test_governance_pages import _sign_in

pytestmark = pytest.mark.council_side

PRIVACY_OFFICER = "helen.bradbury@staffordshire-earlyhelp.example"
PRACTITIONER = "mark.jennings@staffordshire-childrens.example"
PAST = PAST_CLIENTS["staffordshire"]
NAME = f"{PAST.first_name} {PAST.surname}"


def _submit(page: object, button: str) -> object:
    with page.expect_navigation() as navigation:  # type: ignore[attr-defined]  # sent without JavaScript
        page.click(f"main button:has-text('{button}')")  # type: ignore[attr-defined]
    return navigation.value


def _web_search(page: object, site: str, shot: str) -> str:
    """Search by the client's NHS number on the search page; the results' HTML."""
    page.goto(f"{site}/clients/search/")  # type: ignore[attr-defined]
    page.fill("#id_identifier", PAST.nhs_number)  # type: ignore[attr-defined]
    response = _submit(page, "Search")
    assert response.status == 200  # type: ignore[attr-defined]
    checked(page, shot)
    return page.locator("main").inner_html()  # type: ignore[attr-defined]


def _api(page: object, method: str, path: str, body: dict[str, object] | None = None) -> tuple[int, object]:
    """The client API as the signed-in practitioner, from the browser (its session, and the CSRF token a write
    needs): Playwright's own HTTP client cannot resolve a council's ``*.localhost`` name, Chromium does."""
    return tuple(  # type: ignore[return-value]
        page.evaluate(  # type: ignore[attr-defined]
            """async ([method, path, body]) => {
                const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken='))?.split('=')[1];
                const response = await fetch(path, {
                    method, credentials: 'same-origin',
                    headers: {'Content-Type': 'application/json', 'X-CSRFToken': token || ''},
                    body: body === null ? undefined : JSON.stringify(body),
                });
                const text = await response.text();
                let json = null;
                try { json = JSON.parse(text); } catch (error) { json = text; }
                return [response.status, json];
            }""",
            [method, path, body],
        )
    )


def _api_search(page: object) -> list[dict[str, object]]:
    status, answer = _api(page, "POST", "/api/v1/clients/search/", {"identifier": PAST.nhs_number})
    assert status == 200, answer
    return answer["results"]  # type: ignore[index]


def test_the_privacy_officer_exports_a_client_then_erases_them_past_the_schedule(
    demo_server: str, browser: object
) -> None:
    site = f"http://staffordshire.localhost:{demo_server}"
    practitioner = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    officer = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]

    # Before: a practitioner finds him, on the page and through the API (he has no current team).
    _sign_in(practitioner, site, PRACTITIONER)
    found = _web_search(practitioner, site, "records-01-search-found")
    assert NAME in found
    join = practitioner.locator(f"main a:has-text('Join the team'):has-text('{NAME}')")  # type: ignore[attr-defined]
    client_id = re.search(r"/clients/([0-9a-f-]{36})/", join.get_attribute("href")).group(1)
    assert [hit["id"] for hit in _api_search(practitioner)] == [client_id]

    # The privacy officer records a subject access request about him and starts the export.
    _sign_in(officer, site, PRIVACY_OFFICER)
    officer.goto(f"{site}/privacy-officer/")
    checked(officer, "records-02-privacy-officer")
    officer.click("main a:has-text('Subject access requests')")
    officer.wait_for_url("**/privacy-officer/subject-access/")
    checked(officer, "records-03-subject-access-requests")
    officer.click("main a:has-text('Record a request')")
    officer.wait_for_url("**/privacy-officer/subject-access/new/")
    checked(officer, "records-04-who-is-it-about")
    officer.fill("#id_identifier", PAST.nhs_number)
    _submit(officer, "Find the client")
    assert "1 client found" in officer.content()
    checked(officer, "records-05-client-found")
    officer.click(f"main a:has-text('{NAME}')")
    officer.wait_for_url(f"**/privacy-officer/subject-access/new/{client_id}/")
    checked(officer, "records-06-record-the-request")
    received = datetime.date.today() - datetime.timedelta(days=3)  # noqa: DTZ011 -- days ago, any zone
    for part, value in zip(("day", "month", "year"), (received.day, received.month, received.year), strict=True):
        officer.fill(f"#id_received_on_{part}", str(value))
    assert officer.is_checked("#id_start_export")
    _submit(officer, "Record the request")
    officer.wait_for_url(re.compile(r".*/privacy-officer/subject-access/[0-9a-f-]{36}/$"))
    request_url = officer.url
    assert "The request is recorded: answer it by" in officer.content()

    # The export runs in the background; its page refreshes itself (no JavaScript needed) until it is ready.
    officer.wait_for_selector("main a:has-text('Download the export')", timeout=60_000)
    assert "The export is ready" in officer.content()
    checked(officer, "records-07-export-ready")
    officer.click("main a:has-text('Download the export')")
    officer.wait_for_url("**/privacy-officer/subject-access/download/*/")
    link = officer.url
    checked(officer, "records-08-download-once")

    # A second tab holds the same download page, as a person who opened the link twice would.
    stale = officer.context.new_page()
    stale.goto(link)
    assert stale.locator("main button:has-text('Download the export')").count() == 1

    with officer.expect_download() as download_info:
        officer.click("main button:has-text('Download the export')")
    download = download_info.value
    assert re.fullmatch(r"subject-access-[0-9a-f-]{36}\.zip", download.suggested_filename)
    with zipfile.ZipFile(download.path()) as archive:
        names = set(archive.namelist())
        assert {"subject-access.json", "subject-access.html", "subject-access.pdf"} <= names
        exported = json.loads(archive.read("subject-access.json"))
        assert archive.read("subject-access.pdf").startswith(b"%PDF")
        assert NAME in archive.read("subject-access.html").decode()
    assert exported["client"] == {"id": client_id, "name": NAME}

    # The same link again is refused, saying what to do; so is the button on the page opened before.
    again = officer.goto(link)
    assert again.status == 410
    content = officer.content()
    assert "This export has already been downloaded" in content
    assert "Start a new export from the request's page" in content
    checked(officer, "records-09-second-download-refused")
    with stale.expect_navigation() as navigation:
        stale.click("main button:has-text('Download the export')")
    assert navigation.value.status == 410
    assert "This export has already been downloaded" in stale.content()
    stale.close()
    officer.goto(request_url)
    assert "The export was downloaded and its files deleted" in officer.content()
    checked(officer, "records-10-request-downloaded")

    # The nightly list waits: it names him; the officer checks his page, then approves.
    officer.goto(f"{site}/privacy-officer/")
    officer.click("main a:has-text('Records past the retention schedule')")
    officer.wait_for_url("**/privacy-officer/retention/")
    assert "Waiting for you" in officer.content()
    checked(officer, "records-11-retention-lists")
    officer.click("main table a.govuk-link >> nth=0")
    officer.wait_for_url(re.compile(r".*/privacy-officer/retention/[0-9a-f-]{36}/$"))
    run_url = officer.url
    listed = officer.locator("main table").nth(1)
    assert listed.locator("tbody tr").count() == 1
    assert NAME in listed.inner_text()
    team_ended = datetime.date.today() - datetime.timedelta(days=min(spec.ended_days_ago for spec in PAST.team))  # noqa: DTZ011
    assert f"{team_ended.day} {team_ended:%B %Y}" in listed.inner_text()  # when his team ended: why he is listed
    checked(officer, "records-12-retention-list")
    retention_page = f"{site}/privacy-officer/clients/{client_id}/retention/"
    assert officer.goto(retention_page).status == 200
    checked(officer, "records-13-client-retention")
    officer.goto(run_url)
    _submit(officer, "Approve and erase these records")
    officer.wait_for_url(run_url)
    content = officer.content()
    assert "Status: Erased" in content or "Erased on" in content, content
    checked(officer, "records-14-retention-list-erased")
    assert officer.goto(retention_page).status == 404
    officer.goto(request_url)
    assert "A client whose record has been erased" in officer.content()  # the request stays, without him
    checked(officer, "records-15-request-after-erasure")

    # After: the practitioner finds him nowhere; his team is not found on the page nor through the API.
    found = _web_search(practitioner, site, "records-16-search-not-found")
    assert NAME not in found
    assert "No matching clients" in found
    assert _api_search(practitioner) == []
    team = practitioner.goto(f"{site}/clients/{client_id}/")
    assert team.status == 404
    checked(practitioner, "records-17-team-not-found")
    for path in ("team/", "fhir/care-team/"):
        status, answer = _api(practitioner, "GET", f"/api/v1/clients/{client_id}/{path}")
        assert status == 404, (path, status, answer)

    practitioner.context.close()
    officer.context.close()
