from django import forms

from core.inbox.models import EmailFrequency


class _Radios(forms.RadioSelect):
    """Radios whose errors link to the first radio, as GOV.UK's error summary does."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class NotificationSettingsForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label="When do you want to be emailed about what you are told in Patchwork?",
        widget=_Radios,
        choices=[
            (EmailFrequency.IMMEDIATE, "As each thing happens"),
            (EmailFrequency.DAILY_DIGEST, "Once a day, in a summary"),
        ],
        help_text=(
            "Either way, everything is in your notifications in Patchwork. Meeting invitations and emails about "
            "your account are always sent at once."
        ),
        error_messages={
            "required": "Choose how often you want to be emailed",
            "invalid_choice": "Choose how often you want to be emailed",
        },
    )
