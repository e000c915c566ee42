"""The GOV.UK date input as a Django form field: day, month and year, with GOV.UK's error messages.

Rendered by ``{% govuk_date_input %}`` (config/templatetags/govuk.py); used by the client pages and council
administration.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year as three inputs (the GOV.UK date input): ``<name>_day`` and so on."""

    parts = ("day", "month", "year")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric", "autocomplete": "off"}
        super().__init__({part: forms.TextInput(attrs=numeric) for part in self.parts}, attrs)

    def decompress(self, value: datetime.date | None) -> list[object]:
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: object, attrs: dict[str, Any] | None) -> dict[str, Any]:
        """Inputs named and identified by their part (``id_date_of_birth_day``), as GOV.UK does."""
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id")
        if base_id:
            for part, subwidget in zip(self.parts, context["widget"]["subwidgets"], strict=True):
                subwidget["attrs"]["id"] = f"{base_id}_{part}"
        return context

    def id_for_label(self, id_: str) -> str:
        """Errors link to the day input, as GOV.UK's error summary does."""
        return f"{id_}_day" if id_ else ""


class GovukDateField(forms.MultiValueField):
    """A date from three inputs, with the GOV.UK error messages."""

    widget = GovukDateWidget

    def __init__(self, *, label: str, past: bool = False, **kwargs: Any) -> None:
        self.past = past
        self.noun = label
        part = forms.CharField(required=False, max_length=4)
        super().__init__(fields=(part, part, part), require_all_fields=False, label=label, **kwargs)
        self.error_messages["required"] = f"Enter the {label.lower()}"
        self.error_messages["incomplete"] = f"Enter the {label.lower()}"

    def compress(self, data_list: list[str]) -> datetime.date | None:
        values = [(value or "").strip() for value in data_list] if data_list else ["", "", ""]
        if not any(values):
            return None
        missing = [name for name, value in zip(("day", "month", "year"), values, strict=True) if not value]
        if missing:
            raise ValidationError(f"{self.noun} must include a {' and '.join(missing)}")
        if not all(value.isdigit() for value in values) or len(values[2]) != 4:
            raise ValidationError(f"{self.noun} must be a real date")
        try:
            date = datetime.date(int(values[2]), int(values[1]), int(values[0]))
        except ValueError as error:
            raise ValidationError(f"{self.noun} must be a real date") from error
        if self.past and date > timezone.localdate():
            raise ValidationError(f"{self.noun} must be today or in the past")
        return date
