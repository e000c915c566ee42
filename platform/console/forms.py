"""Forms of the console pages: they parse and tidy input; the services decide what is allowed."""

from typing import Any

from django import forms

from tenants.models import Council, RestoreMode
from tenants.services.backups import RestoreRefused, restore_target_check

REASON_MAX = 300


class RestoreForm(forms.Form):
    """Restore a kept backup: into a new schema (its name) or over the council's own (its slug typed)."""

    mode = forms.ChoiceField(
        label="Where should the backup be restored?",
        widget=forms.RadioSelect,
        choices=[
            (RestoreMode.NEW_SCHEMA, "Into a new schema, for inspection or recovery (the council keeps running)"),
            (RestoreMode.REPLACE, "Over the council's own schema (everything since the backup is lost)"),
        ],
        error_messages={"required": "Choose where to restore the backup"},
    )
    into_schema = forms.CharField(
        label="Name of the new schema",
        required=False,
        max_length=63,
        help_text="Only if you restore into a new schema. Lower-case letters, digits and underscores, starting "
        "with a letter; not a council's schema, and not one that exists.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off", "class": "govuk-input--width-20"}),
    )
    confirm = forms.CharField(
        label="Type the council's subdomain to confirm",
        required=False,
        max_length=63,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off", "class": "govuk-input--width-20"}),
    )
    reason = forms.CharField(
        label="Why are you restoring it?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the platform's audit trail. Do not include anyone's personal details.",
        error_messages={
            "required": "Enter why you are restoring the backup",
            "max_length": "The reason must be 300 characters or fewer",
        },
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.fields["confirm"].help_text = f"Only if you restore over the council's own schema: type {council.slug}."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mode = data.get("mode")
        if mode == RestoreMode.NEW_SCHEMA:
            name = (data.get("into_schema") or "").strip()
            if not name:
                self.add_error("into_schema", "Enter the name of the new schema")
            else:
                try:
                    restore_target_check(name)
                except RestoreRefused as refusal:
                    text = str(refusal)
                    self.add_error("into_schema", text[0].upper() + text[1:])
            data["into_schema"] = name
        elif mode == RestoreMode.REPLACE and (data.get("confirm") or "").strip() != self.council.slug:
            self.add_error(
                "confirm",
                f"Type {self.council.slug} to confirm that {self.council.name} is restored over its own schema",
            )
        return data
