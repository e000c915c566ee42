"""In a real browser: an operator backs a council up from the console and restores the backup into a new schema.

The backups page, the "Restore…" page (with the error of a slug mistyped), and the restore's own page are checked
with axe and photographed, as in the other journeys. The demo has no broker: the tasks run as their transaction
commits, so the restore is done by the time its page opens. Restoring over the council's own schema is tested in
tests/console/test_restores.py, not here: the other journeys share this served demo.
"""

import pytest

from tests.e2e.staffordshire import checked, submit

pytestmark = pytest.mark.platform_side

OPERATOR = "operator@patchwork.example"
PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
SLUG = "staffordshire"


def test_an_operator_backs_a_council_up_and_restores_it_into_a_new_schema(demo_server: str, page: object) -> None:
    platform = f"http://localhost:{demo_server}"
    page.goto(f"{platform}/console/")  # type: ignore[attr-defined]
    page.fill("#id_email", OPERATOR)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/")  # type: ignore[attr-defined]

    page.goto(f"{platform}/console/councils/{SLUG}/backups/")  # type: ignore[attr-defined]
    submit(page, "Back up now")
    assert "Done" in page.inner_text("#backup-status")  # type: ignore[attr-defined]
    page.goto(f"{platform}/console/councils/{SLUG}/backups/")  # type: ignore[attr-defined]
    checked(page, "restore-01-backups")

    page.click("main a:has-text('Restore…')")  # type: ignore[attr-defined]
    page.wait_for_url("**/restore/")  # type: ignore[attr-defined]
    checked(page, "restore-02-restore")
    page.check("#id_mode_1")  # type: ignore[attr-defined]  # over its own schema
    page.fill("#id_confirm", "not-the-slug")  # type: ignore[attr-defined]
    page.fill("#id_reason", "A drill")  # type: ignore[attr-defined]
    assert f"Type {SLUG} to confirm" in submit(page, "Restore this backup")
    checked(page, "restore-03-slug-mistyped")

    page.check("#id_mode_0")  # type: ignore[attr-defined]  # into a new schema
    page.fill("#id_into_schema", "staffordshire_drill")  # type: ignore[attr-defined]
    submit(page, "Restore this backup")
    page.wait_for_url("**/restores/*/")  # type: ignore[attr-defined]
    assert "Done" in page.inner_text("#restore-status")  # type: ignore[attr-defined]
    assert "rows in" in page.inner_text("#restore-counts")  # type: ignore[attr-defined]
    checked(page, "restore-04-restored")
    page.goto(f"{platform}/console/councils/{SLUG}/backups/")  # type: ignore[attr-defined]
    assert "staffordshire_drill" in page.inner_text("main")  # type: ignore[attr-defined]
    checked(page, "restore-05-backups-with-restore")
