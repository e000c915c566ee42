"""In a real browser: find a client, add them, and a colleague from another agency finds and joins the team.

Every page on the way is checked with axe (A11Y-1): the search form, the results, the add form, the team
page (with its network diagram), the join page and the dashboard.
"""

import pytest

from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.council_side

PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
SOCIAL_WORKER = "amy.collier@staffordshire-childrens.example"
POLICE_OFFICER = "gareth.hollis@staffs-police.example"
SURNAME = "Quennell-Ashby"


def _sign_in(page: object, port: str, email: str) -> None:
    page.goto(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]


def _search(page: object) -> None:
    page.click("nav >> text=Find a client")  # type: ignore[attr-defined]
    page.wait_for_url("**/clients/search/")  # type: ignore[attr-defined]
    assert axe_violations(page) == []
    page.fill("#id_surname", SURNAME)  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_day", "9")  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_month", "11")  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_year", "2016")  # type: ignore[attr-defined]
    page.click("main button:has-text('Search')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "/clients/search/" in page.url  # type: ignore[attr-defined]
    assert SURNAME not in page.url  # type: ignore[attr-defined]  # a POST: nothing personal in the address


def test_a_client_is_added_and_a_colleague_joins_their_team(demo_server: str, browser: object) -> None:
    social_worker = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = social_worker.new_page()
    _sign_in(page, demo_server, SOCIAL_WORKER)
    assert "My clients" in page.content()
    assert axe_violations(page) == []

    page.click("nav >> text=Find a client")
    page.fill("#id_surname", SURNAME)
    page.click("main button:has-text('Search')")  # a surname alone is below the minimum
    page.wait_for_load_state()
    assert "There is a problem" in page.content()
    assert axe_violations(page) == []

    _search(page)
    assert "No matching clients" in page.content()
    assert axe_violations(page) == []

    page.click("text=Add a new client")
    page.wait_for_url("**/clients/new/")
    assert page.input_value("#id_surname") == SURNAME
    assert page.input_value("#id_date_of_birth_year") == "2016"
    assert axe_violations(page) == []
    page.fill("#id_first_name", "Noah")
    page.fill("#id_postcode", "WS13 6YY")
    page.check("label:has-text('Children Act 2004, sections 10 and 11')")
    page.fill("#id_role", "Social worker")
    page.click("main button:has-text('Add client')")
    page.wait_for_url("**/clients/*/")
    team_url = page.url
    content = page.content()
    assert f"Noah {SURNAME}" in content
    assert "Amy Collier" in content
    assert page.locator("#network-title").text_content().startswith("Diagram of the team around")
    assert axe_violations(page) == []
    social_worker.close()

    police = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = police.new_page()
    _sign_in(page, demo_server, POLICE_OFFICER)
    assert axe_violations(page) == []
    _search(page)
    results = page.content()
    assert f"Noah {SURNAME}" in results
    assert "1 agency involved" in results
    assert "Amy Collier" not in results  # a search hit never shows the team
    assert axe_violations(page) == []

    page.click("text=Join the team")
    page.wait_for_url("**/join/")
    assert axe_violations(page) == []
    page.click("main button:has-text('Join the team')")  # no reason yet
    page.wait_for_load_state()
    assert "Say why you are joining this team" in page.content()
    assert axe_violations(page) == []
    page.fill("#id_reason", "Missing-from-home report; I am the officer in the case")
    page.click("main button:has-text('Join the team')")
    page.wait_for_url(team_url)
    content = page.content()
    assert "Gareth Hollis" in content
    assert "Amy Collier" in content
    assert "You have joined the team" in content
    assert axe_violations(page) == []
    for action, heading in (
        ("Update my involvement", "Update your involvement"),
        ("Invite a colleague", "Invite a colleague to this team"),
        ("Leave this team", "Are you sure you want to leave this team?"),
    ):
        page.click(f"main >> text={action}")
        page.wait_for_load_state()
        assert heading in page.content()
        assert axe_violations(page) == []
        page.goto(team_url)

    page.click("nav >> text=Home")
    page.wait_for_url(f"http://staffordshire.localhost:{demo_server}/")
    home = page.content()
    assert f"Noah {SURNAME}" in home  # my clients
    changes = home.split("Recent changes in my teams", 1)[1]
    assert "Gareth Hollis (Staffordshire Police" in changes
    assert "joined the team" in changes
    assert axe_violations(page) == []
    police.close()
