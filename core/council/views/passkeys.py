"""Whether the council's administrators and privacy officers must sign in with a passkey. Administrators only."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.audit.origin import Origin
from core.council.services.passkeys import council_passkeys_require, council_passkeys_required
from core.council.views.setup import _administrator


class PasskeysRequiredForm(forms.Form):
    required = forms.BooleanField(
        required=False,
        label="Administrators and privacy officers must sign in with a passkey",
        help_text="Anyone in those roles who signs in with a code is asked to add a passkey first; "
        "once they have one, a code is no longer enough.",
    )


def passkeys_required(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = PasskeysRequiredForm(request.POST or None, initial={"required": council_passkeys_required()})
    if request.method == "POST" and form.is_valid():
        changed = council_passkeys_require(
            actor=actor, required=form.cleaned_data["required"], origin=Origin.from_request(request)
        )
        messages.success(request, "The setting is saved." if changed else "Nothing has changed.")
        return redirect("council-setup")
    return render(request, "council/passkeys.html", {"form": form})
