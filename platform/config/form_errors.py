"""A service's refusal shown on the form that asked for it."""

from django import forms
from django.core.exceptions import ValidationError


def errors_onto(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: each message on its field when the form has one, otherwise
    at the top of the form (a plain message, or one keyed by a field the form does not show)."""
    if not hasattr(error, "error_dict"):
        for problem in error.messages:
            form.add_error(None, problem)
        return
    for name, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)
