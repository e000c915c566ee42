"""The platform's audit trail (the ``public`` schema's): every operator action, newest first, a page at a time,
filtered by action and by operator. Read-only: the table itself refuses changes (core/audit, migration 0002)."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.selectors import platform_audit_page, platform_operators
from console.views.access import staff_required
from core.audit.models import AuditAction


class AuditFilterForm(forms.Form):
    """The filters, from the query string. An unknown action or operator is an error shown on the form, and the
    list is then shown unfiltered by it, never an error page."""

    action = forms.ChoiceField(
        label="Action",
        required=False,
        error_messages={"invalid_choice": "Choose an action from the list"},
    )
    operator = forms.ChoiceField(
        label="Operator",
        required=False,
        error_messages={"invalid_choice": "Choose an operator from the list"},
    )

    def __init__(self, *args: object, operators: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["action"].choices = [("", "Any action"), *sorted(AuditAction.choices, key=lambda item: item[1])]
        self.fields["operator"].choices = [("", "Anyone")] + [
            (str(user.pk), f"{user.get_full_name()} ({user.email})" if user.get_full_name() else user.email)
            for user in operators
        ]


@staff_required
@require_GET
def platform_audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, operators=platform_operators())
    action, operator = "", ""
    if form.is_bound:
        form.is_valid()
        action = form.cleaned_data.get("action", "")
        operator = form.cleaned_data.get("operator", "")
    page = platform_audit_page(action=action, operator_id=operator or None, page=request.GET.get("page", 1))
    kept = request.GET.copy()
    kept.pop("page", None)
    for name in form.errors:
        kept.pop(name, None)
    return render(
        request,
        "console/audit.html",
        {
            "form": form,
            "page": page,
            "filters": kept.urlencode(),
            "filtered": bool(action or operator),
            "section": "audit",
        },
    )
