"""Every page of every site, as each kind of person reaches it, passes axe with no violation of any rule or
impact, at a computer's width (1280 px) and a phone's (390 px), and does not scroll sideways on the phone.

Pages are found by following links (tests/e2e/crawl.py), as a person finds them, signed out and signed in as each
role: a practitioner, a practitioner of a sensitive service, an agency manager, a council administrator who is also
the privacy officer, an administrator setting a council up, a practitioner in Victoria, and the platform's operator.
Pages that only a form leads to (search results, joining a team) are checked by the journeys that fill the forms.
The error pages, which the served demo (DEBUG) replaces with Django's own, are checked as production renders them.
"""

from dataclasses import dataclass

import pytest

from tests.e2e.conftest import axe_violations
from tests.e2e.crawl import Crawl
from tests.e2e.staffordshire import BACKUP_CODE, PASSWORD

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Visitor:
    name: str
    host: str  # "" for the platform's site, else the council's slug
    email: str = ""  # signed out when empty
    starts: tuple[str, ...] = ("/",)
    must_see: tuple[str, ...] = ()  # kinds of page the crawl must reach: it did crawl, and saw what the role sees
    least: int = 1  # fewest kinds of page


VISITORS = [
    Visitor(
        "signed out, platform",
        "",
        starts=("/", "/sign-in/", "/password-reset/"),
        must_see=("/order/", "/terms/", "/accessibility/", "/password-reset/"),
        least=8,
    ),
    Visitor(
        "signed out, council",
        "staffordshire",
        starts=("/", "/sign-in/", "/password-reset/", "/accessibility/", "/privacy/"),
        must_see=("/sign-in/", "/accessibility/", "/password-reset/"),
        least=4,
    ),
    Visitor(
        "practitioner",
        "staffordshire",
        "amy.collier@staffordshire-childrens.example",
        must_see=("/clients/{id}/", "/clients/search/", "/directory/", "/account/sessions/"),
        least=15,
    ),
    Visitor(
        "sensitive service",
        "staffordshire",
        "kate.lowe@cgl-staffordshire.example",
        must_see=("/clients/{id}/",),
        least=10,
    ),
    Visitor(
        "agency manager",
        "staffordshire",
        "mark.jennings@staffordshire-childrens.example",
        must_see=("/team/",),
        least=10,
    ),
    Visitor(
        "council administrator and privacy officer",
        "staffordshire",
        "helen.bradbury@staffordshire-earlyhelp.example",
        must_see=("/administration/", "/privacy-officer/", "/administration/agencies/{id}/single-sign-on/"),
        least=40,
    ),
    Visitor(
        "administrator setting a council up",
        "derbyshire",
        "claire.wood@derbyshire-earlyhelp.example",
        must_see=("/administration/setup/",),
        least=5,
    ),
    Visitor(
        "practitioner in Victoria",
        "yarra",
        "sarah.kowalski@dffh-childprotection.example",
        must_see=("/clients/{id}/",),
        least=10,
    ),
    Visitor(
        "operator",
        "",
        "operator@patchwork.example",
        starts=("/console/",),
        must_see=("/console/councils/{id}/", "/console/orders/{id}/", "/console/billing/"),
        least=20,
    ),
]


def _sign_in(page: object, origin: str, visitor: Visitor) -> None:
    page.goto(f"{origin}{visitor.starts[0]}")  # type: ignore[attr-defined]
    page.fill("#id_email", visitor.email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    # The second step of signing in is a page no link leads to: checked here, at both widths.
    assert axe_violations(page) == [], "the sign-in code page"
    page.set_viewport_size(PHONE)  # type: ignore[attr-defined]
    assert _sideways(page) <= 0, "the sign-in code page scrolls sideways"
    assert axe_violations(page) == [], "the sign-in code page on a phone"
    page.set_viewport_size(DESKTOP)  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert "/sign-in/" not in page.url, f"{visitor.email} did not sign in"  # type: ignore[attr-defined]


def _sideways(page: object) -> int:
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]


@pytest.mark.parametrize("visitor", VISITORS, ids=[visitor.name for visitor in VISITORS])
def test_every_page_passes_axe_at_both_widths_and_fits_a_phone(
    demo_server: str, browser: object, visitor: Visitor
) -> None:
    origin = f"http://{visitor.host + '.' if visitor.host else ''}localhost:{demo_server}"
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        if visitor.email:
            _sign_in(page, origin, visitor)
        # Signing out is a form, never a link; a link to the sign-out address would end the crawl's session.
        crawl = Crawl(origin, skip=lambda path: path.startswith("/sign-out"))
        problems: list[str] = []
        for url in crawl.pages(page, [f"{origin}{start}" for start in visitor.starts], limit=150):
            problems += [f"{url} at 1280 px: {violation}" for violation in axe_violations(page)]
            page.set_viewport_size(PHONE)
            sideways = _sideways(page)
            if sideways > 0:
                problems.append(f"{url} at 390 px scrolls {sideways} px sideways")
            problems += [f"{url} at 390 px: {violation}" for violation in axe_violations(page)]
            page.set_viewport_size(DESKTOP)
        opened = set(crawl.opened)
        assert len(opened) >= visitor.least, sorted(opened)
        assert set(visitor.must_see) <= opened, sorted(opened)
        assert problems == [], "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_the_error_pages_pass_axe_at_both_widths_and_fit_a_phone(
    demo_server: str, browser: object, status: int
) -> None:
    from django.template.loader import render_to_string

    html = render_to_string(f"{status}.html")  # as production's handlers render them (config/api.py)
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(f"http://localhost:{demo_server}/accessibility/")  # the site's address, for its styles
        page.set_content(html, wait_until="load")
        assert page.locator("h1").count() == 1
        assert axe_violations(page) == []
        page.set_viewport_size(PHONE)
        assert _sideways(page) <= 0
        assert axe_violations(page) == []
    finally:
        context.close()
