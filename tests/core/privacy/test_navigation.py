"""The privacy officer's pages are in the menu of a privacy officer, and of no one else."""

from django.test import Client as Browser

LINK = 'href="/privacy-officer/"'


def test_a_privacy_officer_finds_their_pages_in_the_menu(as_officer: Browser) -> None:
    page = as_officer.get("/").content.decode()
    assert LINK in page
    assert "Privacy officer</a>" in page


def test_a_practitioner_has_no_such_link(as_worker: Browser) -> None:
    assert LINK not in as_worker.get("/").content.decode()


def test_the_privacy_officers_page_leads_to_the_alerts_and_the_break_glass_reviews(as_officer: Browser) -> None:
    page = as_officer.get("/privacy-officer/").content.decode()
    assert 'href="/privacy-officer/alerts/"' in page
    assert 'href="/break-glass/reviews/"' in page
