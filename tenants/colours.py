"""A council's brand colour sits behind white header text, so it must be dark enough to read."""

from django.core.exceptions import ValidationError

MINIMUM_CONTRAST = 4.5  # WCAG 2.2 AA for normal text


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.03928 else ((srgb + 0.055) / 1.055) ** 2.4


def contrast_with_white(hex_colour: str) -> float:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)
    return 1.05 / (luminance + 0.05)


def validate_header_colour(hex_colour: str) -> None:
    try:
        ratio = contrast_with_white(hex_colour)
    except (ValueError, IndexError):
        raise ValidationError("Enter a colour as # followed by six hexadecimal digits, like #1d70b8.") from None
    if ratio < MINIMUM_CONTRAST:
        raise ValidationError(
            f"White text on {hex_colour} has a contrast of {ratio:.1f}:1; choose a darker colour "
            f"(at least {MINIMUM_CONTRAST}:1)."
        )
