"""In a real browser: the council administrator imports practitioners from a CSV file.

From Council administration to the choice of import, the upload page, a file that is refused (the error
summary), a file with one bad row (imported in the background: with no broker, at once), the summary and
its error report, and the list of imports. Every page on the way is checked with axe (A11Y-1).
"""

import csv
import io

import pytest

from tests.e2e.staffordshire import checked, sign_in, submit
from tests.e2e.test_team_upkeep_journey import COUNCIL_ADMIN

pytestmark = pytest.mark.council_side

PEOPLE = "\n".join(
    [
        "first_name,last_name,email,agency,job_title,role",
        "Imogen,Porter,imogen.porter@staffordshire-childrens.example,"
        "Staffordshire County Council — Children's Social Care,Social worker,",
        "Idris,Pryce,idris.pryce@staffordshire-childrens.example,"
        "Staffordshire County Council — Children's Social Care,Senior practitioner,",
        "Ivo,Elsewhere,ivo@elsewhere.example,Staffordshire County Council — Children's Social Care,Social worker,",
    ]
)


def test_the_council_administrator_imports_practitioners_from_a_csv_file(demo_server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, COUNCIL_ADMIN)
    page.click("nav >> text=Council administration")
    page.click("main >> text=Import agencies or practitioners")
    page.wait_for_url("**/administration/imports/")
    checked(page, "40-imports")

    content = submit(page, "Continue")
    assert "Select what to import" in content
    checked(page, "41-imports-choice-error")
    page.check("input[value=practitioners]")
    submit(page, "Continue")
    page.wait_for_url("**/administration/imports/practitioners/")
    checked(page, "42-import-upload")

    with page.expect_download() as template:
        page.click("main >> text=Download the CSV template")
    header = template.value.path().read_text(encoding="utf-8-sig").strip()
    assert header == "first_name,last_name,email,agency,job_title,role"

    page.set_input_files("#id_file", files=[{"name": "people.txt", "mimeType": "text/plain", "buffer": b"x"}])
    content = submit(page, "Upload and import")
    assert "The selected file must be a CSV file" in content
    assert page.locator(".govuk-error-summary a[href='#id_file']").count() == 1
    checked(page, "43-import-upload-error")

    page.set_input_files(
        "#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE.encode("utf-8-sig")}]
    )
    content = submit(page, "Upload and import")
    page.wait_for_url("**/administration/imports/jobs/*/")
    assert "Import finished" in content
    checked(page, "44-import-finished")

    with page.expect_download() as problems:
        page.click("main >> text=Download the rows that were not imported")
    lines = list(csv.reader(io.StringIO(problems.value.path().read_text(encoding="utf-8-sig"))))
    assert [line[:2] for line in lines[1:]] == [["4", "email"]]

    page.click("text=Back to imports")
    page.wait_for_url("**/administration/imports/")
    assert "people.csv" in page.content()
    checked(page, "45-imports-list")
