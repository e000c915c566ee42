"""``{{ number|phone_national }}``: a stored E.164 number as the council's country writes it."""

from django import template

from core.directory.phones import phone_national as _phone_national

register = template.Library()


@register.filter
def phone_national(value: str) -> str:
    return _phone_national(value)
