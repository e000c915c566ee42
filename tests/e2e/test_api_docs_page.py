"""In a real browser, the API documentation page passes axe on a desktop and a phone, and nothing on it pushes
the page sideways on the narrowest screen (320 px); screenshots of both are kept for a person to look at."""

import pytest

from tests.e2e.staffordshire import SHOTS, checked, sign_in

pytestmark = pytest.mark.council_side

PRACTITIONER = "amy.collier@staffordshire-childrens.example"


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_api_documentation_passes_axe_and_fits_a_narrow_screen(
    demo_server: str, browser: object, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, PRACTITIONER)
    page.goto(f"http://staffordshire.localhost:{demo_server}/api/v1/docs/")
    assert page.locator("h1").inner_text() == "Patchwork API"
    assert page.locator("main h3[id^='operation-']").count() > 10
    checked(page, f"api-docs-{width}")

    page.set_viewport_size({"width": 320, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        page.screenshot(path=str(SHOTS / "api-docs-320-overflow.png"), full_page=True)
    assert overflow <= 0, f"{overflow}px wider than the 320px screen"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
