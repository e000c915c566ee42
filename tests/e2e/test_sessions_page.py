"""In a real browser: the sessions page reads at a glance on a phone and a desktop, passes axe, and one other
session is signed out of with the keyboard alone, which signs that browser out."""

import pytest

from tests.e2e.staffordshire import SHOTS, checked, sign_in

pytestmark = pytest.mark.council_side

AMY = "amy.collier@staffordshire-childrens.example"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def _sideways_scroll(page: object) -> int:
    """How far the page can scroll sideways, in CSS pixels (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")  # type: ignore[attr-defined]


def _focused_text(page: object) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.textContent.trim() : ''")  # type: ignore[attr-defined]


def test_the_sessions_page_reads_well_and_another_session_ends_with_the_keyboard(
    demo_server: str, browser: object
) -> None:
    desk = browser.new_context(user_agent=FIREFOX_WINDOWS, viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    phone = browser.new_context(user_agent=SAFARI_IPHONE, viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    try:
        on_desk, on_phone = desk.new_page(), phone.new_page()
        sign_in(on_desk, demo_server, AMY)
        sign_in(on_phone, demo_server, AMY)
        sessions = f"http://staffordshire.localhost:{demo_server}/account/sessions/"

        on_phone.goto(sessions)
        assert on_phone.locator("h2", has_text="Safari on iPhone").locator(".govuk-tag").inner_text() == "This session"
        assert _sideways_scroll(on_phone) == 0
        checked(on_phone, "sessions-390")
        on_phone.set_viewport_size({"width": 320, "height": 844})
        assert _sideways_scroll(on_phone) == 0
        on_phone.screenshot(path=str(SHOTS / "sessions-320.png"), full_page=True)

        on_desk.goto(sessions)
        assert "Firefox on Windows" in on_desk.locator("h2", has_text="This session").inner_text()
        assert on_desk.get_by_text("Safari on iPhone", exact=True).count() == 1
        checked(on_desk, "sessions-1280")

        # The keyboard alone: Tab to the phone's own button (named for it to a screen reader), then Enter.
        on_desk.locator("h1").click()
        for _ in range(80):
            on_desk.keyboard.press("Tab")
            focused = _focused_text(on_desk)
            if focused.startswith("Sign out of this session") and "Safari on iPhone" in focused:
                break
        else:
            pytest.fail("Tab never reached the phone's sign-out button")
        with on_desk.expect_navigation(url=sessions):
            on_desk.keyboard.press("Enter")
        assert on_desk.url == sessions
        banner = on_desk.locator(".govuk-notification-banner--success").inner_text()
        assert "Signed out of Safari on iPhone" in banner
        assert on_desk.get_by_text("Safari on iPhone", exact=True).count() == 0
        checked(on_desk, "sessions-1280-after")

        on_phone.reload()
        assert "/sign-in/" in on_phone.url
        on_desk.reload()
        assert on_desk.url == sessions  # this one is still signed in
    finally:
        desk.close()
        phone.close()
