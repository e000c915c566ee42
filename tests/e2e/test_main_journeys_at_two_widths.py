"""The main journeys on a phone (390 px) and a computer (1280 px): signing in, finding a client, the team around
them, asking to join a team, the privacy officer's view of who looked at a client, and the accessibility statement.
Every page passes axe with no violation and fits the width without scrolling sideways.

With PATCHWORK_ACCESSIBILITY_SHOTS set to a folder, each page's screenshot (the first screenful) is kept there:
``python3 dev.py screenshots`` writes docs/accessibility/ this way, for docs/accessibility.md.
"""

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import axe_violations
from tests.e2e.staffordshire import born, sign_in, submit

pytestmark = pytest.mark.council_side

WIDTHS = {"phone": {"width": 390, "height": 844}, "computer": {"width": 1280, "height": 900}}
MEMBER = "gareth.hollis@staffs-police.example"  # in Ryan Thomas's team (the demo's fixed seed)
NOT_A_MEMBER = "amy.collier@staffordshire-childrens.example"  # not in it: she may ask to join
PRIVACY_OFFICER = "helen.bradbury@staffordshire-earlyhelp.example"
CLIENT = ("Ryan", "Thomas")


def _checked(page: object, name: str, width: str, scrolled_to: str = "") -> None:
    """No axe violation, nothing sideways; the screenful kept when asked (palette PNG, to keep the docs small),
    from the top of the page or from the element ``scrolled_to``."""
    violations = axe_violations(page)
    assert violations == [], f"{name} ({width}): {violations}"
    sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
    assert sideways <= 0, f"{name} ({width}) scrolls {sideways} px sideways"
    folder = os.environ.get("PATCHWORK_ACCESSIBILITY_SHOTS")
    if folder:
        from PIL import Image

        path = Path(folder) / f"{name}-{width}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if scrolled_to:
            page.locator(scrolled_to).evaluate("element => element.scrollIntoView()")  # type: ignore[attr-defined]
        page.screenshot(path=str(path))  # type: ignore[attr-defined]
        Image.open(path).convert("RGB").quantize(colors=128).save(path, optimize=True)


def _find(page: object, site: str, dob: tuple[str, str, str]) -> None:
    page.goto(f"{site}/clients/search/")  # type: ignore[attr-defined]
    page.fill("#id_surname", CLIENT[1])  # type: ignore[attr-defined]
    for field, value in zip(("day", "month", "year"), dob, strict=True):
        page.fill(f"#id_date_of_birth_{field}", value)  # type: ignore[attr-defined]
    submit(page, "Search")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_main_journeys_pass_axe_and_fit_the_screen(
    demo_server: str, browser: object, demo_var_dir: Path, width: str
) -> None:
    site = f"http://staffordshire.localhost:{demo_server}"
    dob = born(demo_var_dir, demo_server, *CLIENT)
    contexts = []

    def new_page() -> object:
        context = browser.new_context(viewport=WIDTHS[width])  # type: ignore[attr-defined]
        contexts.append(context)
        return context.new_page()

    try:
        member = new_page()
        member.goto(f"{site}/")
        assert "Sign in" in member.inner_text("main")
        _checked(member, "01-sign-in", width)
        sign_in(member, demo_server, MEMBER)
        _checked(member, "02-home", width)
        member.goto(f"{site}/clients/search/")
        _checked(member, "03-find-a-client", width)
        _find(member, site, dob)
        assert "Ryan Thomas" in member.inner_text("main")
        _checked(member, "04-search-results", width)
        with member.expect_navigation():
            member.click("main a:has-text('View the team')")
        assert "Who is working with Ryan" in member.inner_text("main")
        _checked(member, "05-team", width)
        _checked(member, "05-team-who-is-working-with-them", width, scrolled_to="h2:has-text('Who is working with')")

        asker = new_page()
        sign_in(asker, demo_server, NOT_A_MEMBER)
        _find(asker, site, dob)
        with asker.expect_navigation():
            asker.click("main a:has-text('Join the team')")
        assert "/join/" in asker.url
        _checked(asker, "06-join-the-team", width)

        officer = new_page()
        sign_in(officer, demo_server, PRIVACY_OFFICER)
        officer.goto(f"{site}/privacy-officer/")
        _checked(officer, "07-privacy-officer", width)
        officer.goto(f"{site}/accessibility/")
        assert "Enforcement procedure" in officer.inner_text("main")
        _checked(officer, "08-accessibility-statement", width)
    finally:
        for context in contexts:
            context.close()
