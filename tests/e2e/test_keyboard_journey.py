"""In Chromium, with the keyboard alone (Tab, Enter, Space and typing; never a click): the police officer signs in,
uses the skip link, reaches "Find a client", finds a client whose team he is not in, and joins the team.

At every Tab stop the focused element is on the screen (a box of some size, inside the viewport) and shows a
visible focus indicator: its focus style (the element's, or for a radio or checkbox its label's) differs from its
style unfocused, and is GOV.UK's yellow. The client is new to the demo (made here in the served demo's database, with
one practitioner of another agency in the team and no demo account in it), so no other journey sees it change."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, served_demo_env
from tests.e2e.staffordshire import BACKUP_CODE, PASSWORD, checked

pytestmark = pytest.mark.council_side

POLICE_OFFICER = "gareth.hollis@staffs-police.example"
FIRST_NAME = "Tobias"
SURNAME = "Keyes-Fairweather"
BORN = ("14", "3", "2015")
YELLOW = "rgb(255, 221, 0)"
MOST_STOPS = 80

# Run in the served demo's database: a client nobody named in the demo works with, and one member in the team.
CLIENT = """
import datetime
from django.utils import timezone
from django_tenants.utils import schema_context
from core.clients.models import Client, Involvement
from core.directory.models import Practitioner
from core.governance.models import LegalBasis
from tenants.models import Council

with schema_context(Council.objects.get(slug="staffordshire").schema_name):
    member = (
        Practitioner.objects.exclude(agency__is_sensitive=True).exclude(agency__name__icontains="police")
        .exclude(user__email__in=%(named)r).order_by("pk").first()
    )
    client = Client.objects.create(
        first_name=%(first_name)r, surname=%(surname)r, date_of_birth=datetime.date(%(year)s, %(month)s, %(day)s),
        postcode="WS13 6YY", legal_basis=LegalBasis.objects.filter(requires_consent=False, is_accepted=True).first(),
        created_by=member,
    )
    Involvement.objects.create(
        client=client, practitioner=member, role="Key worker", started_on=timezone.localdate(), is_lead=True,
        join_reason="Added the client",
    )
    print("CLIENT", client.pk)
"""
NAMED = [
    "amy.collier@staffordshire-childrens.example",
    "gareth.hollis@staffs-police.example",
    "helen.bradbury@staffordshire-earlyhelp.example",
    "mark.jennings@staffordshire-childrens.example",
    "kate.lowe@cgl-staffordshire.example",
]

# The focused element's look, and the same element's when not focused (blurred, looked at, focused again: focus
# returns to where it was, so the next Tab goes on from there). For a radio or checkbox, its label's ::before and
# ::after are what show focus (the input itself is transparent).
LOOK = """
() => {
  const element = document.activeElement;
  const style = (node, pseudo) => {
    const s = getComputedStyle(node, pseudo);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.color,
            s.textDecorationLine, s.textDecorationThickness, s.borderColor].join(" | ");
  };
  const look = () => {
    const parts = [style(element, null)];
    if (element.labels && element.labels.length && ["radio", "checkbox"].includes(element.type)) {
      parts.push(style(element.labels[0], "::before"), style(element.labels[0], "::after"));
    }
    return parts.join(" || ");
  };
  const focused = look();
  element.blur();
  const unfocused = look();
  element.focus({preventScroll: true});
  const box = element.getBoundingClientRect();
  return {
    focused, unfocused, restored: document.activeElement === element,
    box: [box.left, box.top, box.width, box.height], viewport: [window.innerWidth, window.innerHeight],
    tag: element.tagName, id: element.id, text: (element.innerText || element.value || "").trim().slice(0, 60),
    href: element.getAttribute("href") || "",
  };
}
"""


def _make_client(var_dir: Path, port: str) -> None:
    day, month, year = BORN
    script = CLIENT % {
        "first_name": FIRST_NAME,
        "surname": SURNAME,
        "named": NAMED,
        "day": day,
        "month": month,
        "year": year,
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script],
        env=served_demo_env(var_dir, port),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "CLIENT" in done.stdout, done.stdout + done.stderr


def _focus_is_visible(page: object) -> dict[str, object]:
    """The element focus is on is on the screen and looks focused (GOV.UK's yellow); returns what it is."""
    look = page.evaluate(LOOK)  # type: ignore[attr-defined]
    where = f"{look['tag']} #{look['id']} {look['text']!r} {look['href']} on {page.url}"  # type: ignore[attr-defined]
    assert look["restored"], where
    left, top, width, height = look["box"]
    view_width, view_height = look["viewport"]
    assert width > 0, f"focus on an invisible element: {where}"
    assert height > 0, f"focus on an invisible element: {where}"
    assert left + width > 0, f"off the screen: {where}"
    assert left < view_width, f"off the screen: {where}"
    assert top + height > 0, f"off the screen: {where}"
    assert top < view_height, f"off the screen: {where}"
    assert look["focused"] != look["unfocused"], f"no visible focus indicator: {where}"
    assert YELLOW in look["focused"], f"not GOV.UK's focus style: {where}"
    assert YELLOW not in look["unfocused"], f"yellow without focus: {where}"
    return look


def _tab_to(page: object, wanted: object, what: str) -> dict[str, object]:
    """Press Tab until ``wanted`` (a test of the focused element's description) holds, checking every stop."""
    for _ in range(MOST_STOPS):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        look = _focus_is_visible(page)
        if wanted(look):  # type: ignore[operator]
            return look
    raise AssertionError(f"{what} not reached in {MOST_STOPS} Tab stops on {page.url}")  # type: ignore[attr-defined]


def _field(field_id: str) -> object:
    return lambda look: look["id"] == field_id


def _type_into(page: object, field_id: str, text: str) -> None:
    _tab_to(page, _field(field_id), field_id)
    page.keyboard.type(text)  # type: ignore[attr-defined]


def _press_and_wait(page: object, key: str) -> None:
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.keyboard.press(key)  # type: ignore[attr-defined]


def test_a_police_officer_finds_and_joins_a_team_with_the_keyboard_alone(
    demo_server: str, demo_var_dir: Path, browser: object
) -> None:
    _make_client(demo_var_dir, demo_server)
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    site = f"http://staffordshire.localhost:{demo_server}/"
    page.goto(site)

    # Signing in: email and password, then the second factor.
    first = _tab_to(page, lambda look: True, "the first Tab stop")
    assert first["text"] == "Skip to main content"
    _type_into(page, "id_email", POLICE_OFFICER)
    _type_into(page, "id_password", PASSWORD)
    _press_and_wait(page, "Enter")
    assert page.url.endswith("/sign-in/code/")
    _type_into(page, "id_code", BACKUP_CODE)
    _press_and_wait(page, "Enter")
    assert page.url == site

    # The skip link is the first stop, and takes focus past the header into the page's main content.
    first = _tab_to(page, lambda look: True, "the first Tab stop")
    assert first["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")  # and on from there: the first stop in the main content
    look = _focus_is_visible(page)
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), look

    # "Find a client", in the header's navigation: from the top of the page again.
    page.goto(site)
    _tab_to(page, lambda look: look["text"] == "Find a client", "Find a client")
    _press_and_wait(page, "Enter")
    assert page.url.endswith("/clients/search/")
    first = _tab_to(page, lambda look: True, "the first Tab stop")
    assert first["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    _type_into(page, "id_surname", SURNAME)
    _type_into(page, "id_date_of_birth_day", BORN[0])
    _type_into(page, "id_date_of_birth_month", BORN[1])
    _type_into(page, "id_date_of_birth_year", BORN[2])
    _press_and_wait(page, "Enter")  # Enter in a field sends its form
    content = page.content()
    assert f"{FIRST_NAME} {SURNAME}" in content
    assert "Key worker" not in content  # a search hit never shows the team
    checked(page, "keyboard-01-search-results")

    # The result: join its team.
    _tab_to(page, lambda look: str(look["text"]).startswith("Join the team"), "Join the team")
    _press_and_wait(page, "Enter")
    assert "/join/" in page.url
    checked(page, "keyboard-02-join")
    _type_into(page, "id_role", "Police officer in the case")
    _type_into(page, "id_reason", "Missing-from-home report")
    button = _tab_to(page, lambda look: look["tag"] == "BUTTON", "the join button")
    assert button["text"] == "Join the team"
    _press_and_wait(page, "Space")
    content = page.content()
    assert "You have joined the team" in content
    assert f"{FIRST_NAME} {SURNAME}" in content
    assert "Gareth Hollis" in content
    checked(page, "keyboard-03-team")

    # Every stop of the team page, to its end: each visible and with a visible focus.
    seen = set()
    for _ in range(MOST_STOPS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        look = _focus_is_visible(page)
        seen.add(look["text"])
    assert "Skip the diagram" in seen
    context.close()
