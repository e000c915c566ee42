"""Money in minor units (pence, cents), its tax, and how it is written.

An amount is an ``int`` of minor units with its currency beside it, never a float. Tax is worked out once,
on an invoice's subtotal, and rounded half up to the minor unit (HMRC and the ATO both accept rounding on
the invoice total; one rounding keeps total = subtotal + tax exact).
"""

from decimal import ROUND_HALF_UP, Decimal

SYMBOLS = {"GBP": "£", "AUD": "A$"}


def tax_on(subtotal_minor: int, rate: Decimal) -> int:
    """The tax on ``subtotal_minor`` at ``rate`` (0.2 for 20%), in minor units, rounded half up (away from zero)."""
    return int((Decimal(subtotal_minor) * rate).to_integral_value(rounding=ROUND_HALF_UP))


def money_format(amount_minor: int, currency: str) -> str:
    """``£1,234.56``, ``-A$12.00``: the currency's symbol, thousands separated, two decimals."""
    sign = "-" if amount_minor < 0 else ""
    pounds, pence = divmod(abs(amount_minor), 100)
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{pounds:,}.{pence:02d}"


def rate_percent(rate: Decimal) -> str:
    """``20%``, ``10%``, ``12.5%``."""
    return f"{(rate * 100).normalize():f}%"
