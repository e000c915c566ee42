"""In Chromium, at phone widths and on a desktop: the team page of a client whose first name and surname are each
100 letters without a space never scrolls sideways, shows the diagram as a list on a phone and as a picture on a
desktop, and offers Call and Email as targets at least 44 CSS pixels square.

The social worker adds the client through the product's own journey (a new client: the demo's are other journeys');
two practitioners of other agencies are then put in the team in the served demo's database, so that the page has
cards with numbers to call. Screenshots are kept in ``PATCHWORK_E2E_SHOTS``."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, served_demo_env
from tests.e2e.staffordshire import SHOTS, checked, sign_in

pytestmark = pytest.mark.council_side

SOCIAL_WORKER = "amy.collier@staffordshire-childrens.example"
FIRST_NAME = ("Maximiliana" * 10)[:100]
SURNAME = ("Brackenbury" * 10)[:100]  # early in the alphabet: the teamwork journey starts from her last client
PHONES = (320, 360, 390, 414)

# Run in the served demo's database: two practitioners of other agencies, with a mobile and without a demo
# account of their own, join the new client's team.
MEMBERS = """
from django.utils import timezone
from django_tenants.utils import schema_context
from core.clients.models import Client, Involvement
from core.directory.models import Practitioner
from tenants.models import Council

with schema_context(Council.objects.get(slug="staffordshire").schema_name):
    client = Client.objects.get(first_name=%(first_name)r, surname=%(surname)r)
    others = (
        Practitioner.objects.exclude(mobile="").exclude(agency__name__icontains="children")
        .exclude(agency__is_sensitive=True).exclude(user__email__in=%(named)r).order_by("pk")
    )
    agencies = set()
    for practitioner in others:
        if practitioner.agency_id in agencies:
            continue
        agencies.add(practitioner.agency_id)
        Involvement.objects.create(
            client=client, practitioner=practitioner, role="Key worker", started_on=timezone.localdate(),
            join_reason="Asked to join by the lead professional",
        )
        if len(agencies) == 2:
            break
    print("MEMBERS", len(agencies))
"""
NAMED = [
    "amy.collier@staffordshire-childrens.example",
    "gareth.hollis@staffs-police.example",
    "helen.bradbury@staffordshire-earlyhelp.example",
    "mark.jennings@staffordshire-childrens.example",
    "kate.lowe@cgl-staffordshire.example",
]


def _add_client(page: object, port: str) -> str:
    """The social worker searches, finds nobody, and adds the client: the new team page's address."""
    page.goto(f"http://staffordshire.localhost:{port}/clients/search/")  # type: ignore[attr-defined]
    page.fill("#id_surname", SURNAME)  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_day", "17")  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_month", "3")  # type: ignore[attr-defined]
    page.fill("#id_date_of_birth_year", "2015")  # type: ignore[attr-defined]
    page.click("main button:has-text('Search')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    page.click("text=Add a new client")  # type: ignore[attr-defined]
    page.wait_for_url("**/clients/new/")  # type: ignore[attr-defined]
    page.fill("#id_first_name", FIRST_NAME)  # type: ignore[attr-defined]
    page.fill("#id_postcode", "WS13 6YY")  # type: ignore[attr-defined]
    page.check("label:has-text('Children Act 2004, sections 10 and 11')")  # type: ignore[attr-defined]
    page.fill("#id_role", "Social worker")  # type: ignore[attr-defined]
    page.click("main button:has-text('Add client')")  # type: ignore[attr-defined]
    page.wait_for_url("**/clients/*/")  # type: ignore[attr-defined]
    return page.url  # type: ignore[attr-defined]


def _add_members(var_dir: Path, port: str) -> None:
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            MEMBERS % {"first_name": FIRST_NAME, "surname": SURNAME, "named": NAMED},
        ],
        env=served_demo_env(var_dir, port),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "MEMBERS 2" in done.stdout, done.stdout + done.stderr


def _shown(page: object, selector: str) -> bool:
    return page.locator(selector).is_visible()  # type: ignore[attr-defined]


def _no_sideways_scroll(page: object, width: int) -> None:
    scroll_width, inner_width = page.evaluate(  # type: ignore[attr-defined]
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"at {width}px the page is {scroll_width}px wide"


def test_the_team_page_of_a_client_with_long_names_reads_on_a_phone(
    demo_server: str, demo_var_dir: Path, browser: object
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, SOCIAL_WORKER)
    team_url = _add_client(page, demo_server)
    _add_members(demo_var_dir, demo_server)
    page.goto(team_url)
    assert FIRST_NAME in page.locator("h1").text_content()

    for width in (*PHONES, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(team_url)
        _no_sideways_scroll(page, width)
        phone = width < 641
        assert _shown(page, "#network-list") is phone
        assert _shown(page, "svg.patchwork-network__picture") is not phone
        actions = page.locator(".patchwork-contact-action")
        assert actions.count() == 4  # Call and Email for each of the two others; none on her own card
        for index in range(actions.count()):
            action = actions.nth(index)
            action.scroll_into_view_if_needed()
            box = action.bounding_box()
            assert box is not None
            assert box["height"] >= 44, f"at {width}px: {action.text_content()} is {box['height']}px high"
            assert box["width"] >= 44, f"at {width}px: {action.text_content()} is {box['width']}px wide"
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= width
        if phone:
            items = page.locator("#network-list li")
            assert items.count() == 3
            assert "(you)" in page.locator("#network-list").text_content()
        if width in (390, 1280):
            checked(page, f"team-on-a-phone-{width}")
        else:
            page.screenshot(path=str(SHOTS / f"team-on-a-phone-{width}.png"), full_page=True)
    context.close()
