"""A council's header colour must keep white text readable (WCAG AA, 4.5:1)."""

import pytest
from django.core.exceptions import ValidationError

from onboarding.services.provisioning import council_create
from tenants.colours import contrast_with_white, validate_header_colour
from tenants.models import Council


def test_contrast_matches_known_values() -> None:
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#1d70b8") == pytest.approx(5.17, abs=0.01)


@pytest.mark.parametrize("colour", ["#ffdd00", "#85994b", "#ffffff"])
def test_light_colours_are_refused(colour: str) -> None:
    with pytest.raises(ValidationError, match="choose a darker colour"):
        validate_header_colour(colour)


@pytest.mark.django_db
def test_a_council_with_an_unreadable_header_colour_is_not_saved() -> None:
    with pytest.raises(ValidationError):
        council_create(name="Pale Council", slug="pale", jurisdiction="england", brand_colour="#ffdd00")
    assert not Council.objects.filter(slug="pale").exists()
