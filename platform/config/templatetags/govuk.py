"""Form fields in GOV.UK Frontend markup, rendered in Python.

    {% load govuk %}
    {% govuk_field form.email %}
    {% govuk_date_input form.date_of_birth %}

The same markup the ``includes/field.html`` template used to build, at a fraction of its cost: that template
was the largest part of rendering a search (about 2.5 ms of CPU for its four fields, docs/benchmarks.md), because
the template language resolves every ``field.field.widget…`` lookup and ``{% if %}`` anew for each field.

The control is chosen from the widget's ``input_type`` (``widget_type`` when it has none):

- text, email, password, date, number, tel, url, search … → ``govuk-input``
- select (Select, SelectMultiple) → ``govuk-select``
- checkbox (CheckboxInput) → a single GOV.UK checkbox
- checkbox (CheckboxSelectMultiple), radio (RadioSelect) → GOV.UK checkboxes or radios in a fieldset
- textarea → ``govuk-textarea``; file → ``govuk-file-upload``; hidden → the plain hidden input
- anything else → Django's own rendering of the widget.

The hint is the field's ``help_text``; hint and error message are tied to the control (or the fieldset) with
``aria-describedby``. Widget attributes such as ``autocomplete``, ``maxlength`` and ``autofocus`` are kept;
``required`` is not added, because GOV.UK forms are validated on the server (``<form novalidate>``). Every value
is escaped (``format_html``, ``conditional_escape``): nothing a person typed reaches the page unescaped.
"""

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# Attributes the markup sets itself, never copied from the widget's own.
_OWN = {"class", "type", "id", "name", "value", "aria-describedby"}
_TEXTAREA_OWN = {"class", "id", "name", "rows", "cols", "aria-describedby"}
_BREAK = SafeString("<br>")
_SPELLCHECK_OFF = SafeString(' spellcheck="false"')  # an address is not a word to correct


def _text(value: Any) -> str:
    return "" if value is None else conditional_escape(value)


def _described_by(fid: str, field: BoundField) -> str:
    ids = [f"{fid}-hint"] * bool(field.help_text) + [f"{fid}-error"] * bool(field.errors)
    return format_html(' aria-describedby="{}"', " ".join(ids)) if ids else ""


def _hint(fid: str, field: BoundField, extra_class: str = "") -> str:
    if not field.help_text:
        return ""
    return format_html('<div id="{}-hint" class="govuk-hint{}">{}</div>', fid, extra_class, field.help_text)


def _error(fid: str, field: BoundField) -> str:
    if not field.errors:
        return ""
    messages = format_html_join(
        "",
        '{}<span class="govuk-visually-hidden">Error:</span> {}',
        ((_BREAK if index else "", error) for index, error in enumerate(field.errors)),
    )
    return format_html('<p id="{}-error" class="govuk-error-message">{}</p>', fid, messages)


def _attrs(attrs: dict[str, Any], skip: set[str]) -> str:
    """The widget's other attributes: ``name`` alone when True, ``name="value"`` unless False or None."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if name not in skip and value is not False and value is not None
        ),
    )


def _group(field: BoundField, inner: str) -> SafeString:
    error = " govuk-form-group--error" if field.errors else ""
    return format_html('<div class="govuk-form-group{}">\n{}\n</div>', error, inner)


def _choices(field: BoundField, fid: str, kind: str) -> SafeString:
    """Radios, or several checkboxes, in a fieldset whose legend is the label."""
    disabled = " disabled" if field.field.disabled else ""
    items = format_html_join(
        "\n",
        '<div class="govuk-{0}__item">\n<input class="govuk-{0}__input" id="{1}" name="{2}" type="{3}" value="{4}"'
        '{5}{6}>\n<label class="govuk-label govuk-{0}__label" for="{1}">{7}</label>\n</div>',
        (
            (
                f"{kind}es" if kind == "checkbox" else f"{kind}s",
                option.id_for_label,
                field.html_name,
                kind,
                _text(option.data["value"]),
                " checked" if option.data["selected"] else "",
                disabled,
                option.choice_label,
            )
            for option in field
        ),
    )
    plural = "checkboxes" if kind == "checkbox" else "radios"
    fieldset = format_html(
        '<fieldset class="govuk-fieldset"{}>\n<legend class="govuk-fieldset__legend">{}</legend>\n{}{}'
        '<div class="govuk-{}" data-module="govuk-{}">\n{}\n</div>\n</fieldset>',
        _described_by(fid, field),
        field.label,
        _hint(fid, field),
        _error(fid, field),
        plural,
        plural,
        items,
    )
    return _group(field, fieldset)


def _checkbox(field: BoundField, fid: str) -> SafeString:
    """One checkbox whose label is the field's."""
    inner = format_html(
        '{}<div class="govuk-checkboxes" data-module="govuk-checkboxes">\n<div class="govuk-checkboxes__item">\n'
        '<input class="govuk-checkboxes__input" id="{}" name="{}" type="checkbox"{}{}{}>\n'
        '<label class="govuk-label govuk-checkboxes__label" for="{}">{}</label>\n{}</div>\n</div>',
        _error(fid, field),
        fid,
        field.html_name,
        " checked" if field.value() else "",
        " disabled" if field.field.disabled else "",
        _described_by(fid, field),
        fid,
        field.label,
        _hint(fid, field, " govuk-checkboxes__hint"),
    )
    return _group(field, inner)


def _control(field: BoundField, fid: str, input_type: str) -> SafeString:
    """The control of a labelled field: a select, a text area, a file upload or an input."""
    widget = field.field.widget
    has_error = bool(field.errors)
    disabled = " disabled" if field.field.disabled else ""
    described = _described_by(fid, field)
    if input_type == "select":
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            ((_text(o.data["value"]), " selected" if o.data["selected"] else "", o.choice_label) for o in field),
        )
        return format_html(
            '<select class="govuk-select{}" id="{}" name="{}"{}{}{}>\n{}\n</select>',
            " govuk-select--error" if has_error else "",
            fid,
            field.html_name,
            " multiple" if getattr(widget, "allow_multiple_selected", False) else "",
            disabled,
            described,
            options,
        )
    if input_type == "textarea":
        return format_html(
            '<textarea class="govuk-textarea{}" id="{}" name="{}" rows="{}"{}{}{}>\n{}</textarea>',
            " govuk-textarea--error" if has_error else "",
            fid,
            field.html_name,
            widget.attrs.get("rows") or 5,
            _attrs(widget.attrs, _TEXTAREA_OWN),
            disabled,
            described,
            _text(field.value()),
        )
    if input_type == "file":
        return format_html(
            '<input class="govuk-file-upload{}" id="{}" name="{}" type="file"{}{}{}>',
            " govuk-file-upload--error" if has_error else "",
            fid,
            field.html_name,
            _attrs(widget.attrs, _OWN),
            disabled,
            described,
        )
    if not getattr(widget, "input_type", None):
        return str(field)
    classes = "govuk-input"
    if input_type == "date":
        classes += " govuk-input--width-10"
    if has_error:
        classes += " govuk-input--error"
    if widget.attrs.get("class"):
        classes += f" {widget.attrs['class']}"
    value = ""
    if input_type != "password" or getattr(widget, "render_value", False):
        current = field.value()
        if current is not None:
            value = format_html(' value="{}"', str(current))
    return format_html(
        '<input class="{}" id="{}" name="{}" type="{}"{}{}{}{}{}>',
        classes,
        fid,
        field.html_name,
        input_type,
        value,
        _SPELLCHECK_OFF if input_type == "email" else "",
        _attrs(widget.attrs, _OWN),
        disabled,
        described,
    )


@register.simple_tag
def govuk_field(field: BoundField) -> SafeString | str:
    """One bound Django form field in GOV.UK Frontend markup (see the module's docstring)."""
    widget = field.field.widget
    fid = field.auto_id
    input_type = getattr(widget, "input_type", None) or field.widget_type
    if input_type == "hidden":
        return str(field)
    if input_type == "radio" or (input_type == "checkbox" and getattr(widget, "allow_multiple_selected", False)):
        return _choices(field, fid, input_type)
    if input_type == "checkbox":
        return _checkbox(field, fid)
    inner = format_html(
        '<label class="govuk-label" for="{}">{}</label>\n{}{}{}',
        fid,
        field.label,
        _hint(fid, field),
        _error(fid, field),
        _control(field, fid, input_type),
    )
    return _group(field, inner)


@register.simple_tag
def govuk_date_input(field: BoundField) -> SafeString:
    """A GovukDateField (core/clients/forms.py) as the GOV.UK date input: one fieldset, three inputs."""
    fid = field.auto_id
    has_error = bool(field.errors)
    parts = field.subwidgets[0].data["subwidgets"]
    items = format_html_join(
        "\n",
        '<div class="govuk-date-input__item">\n<div class="govuk-form-group">\n'
        '<label class="govuk-label govuk-date-input__label" for="{0}">{1}</label>\n'
        '<input class="govuk-input govuk-date-input__input govuk-input--width-{2}{3}" id="{0}" name="{4}" '
        'type="text" inputmode="numeric" autocomplete="off"{5}>\n</div>\n</div>',
        (
            (
                part["attrs"]["id"],
                ("Day", "Month")[index] if index < 2 else "Year",
                "4" if index == len(parts) - 1 else "2",
                " govuk-input--error" if has_error else "",
                part["name"],
                format_html(' value="{}"', part["value"]) if part["value"] else "",
            )
            for index, part in enumerate(parts)
        ),
    )
    fieldset = format_html(
        '<fieldset class="govuk-fieldset" role="group"{}>\n<legend class="govuk-fieldset__legend">{}</legend>\n'
        '{}{}<div class="govuk-date-input" id="{}">\n{}\n</div>\n</fieldset>',
        _described_by(fid, field),
        field.label,
        _hint(fid, field),
        _error(fid, field),
        fid,
        items,
    )
    return _group(field, fieldset)
