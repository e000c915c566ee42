"""Forms of the council's setting-up pages. They parse and tidy; the services decide what is allowed."""

from typing import Any

from django import forms
from django.utils.text import slugify

from config.govuk_dates import GovukDateField
from core.council.services.agreements import UNKNOWN_PARTY
from core.directory.models import Agency
from core.governance.rules import (
    FAMILY_TEAMS_LABELS,
    RETENTION_KIND_LABELS,
    ROLE_NAME_MAX_LENGTH,
    SEARCH_MINIMUM_LABELS,
    SENSITIVE_MODE_LABELS,
    BreakGlassRole,
    RetentionKind,
)
from core.governance.services.rulebook import REASON_MAX_LENGTH
from tenants.jurisdictions import time_zones_for
from tenants.models import Council


class GovukCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose errors link to the first box, as GOV.UK's error summary does."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class GovukRadios(forms.RadioSelect):
    """Radios whose errors link to the first radio, as GOV.UK's error summary does."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class GovernanceForm(forms.Form):
    dpia_reference = forms.CharField(
        label="DPIA reference",
        max_length=120,
        required=False,
        help_text="The reference of the council's data protection impact assessment for Patchwork.",
    )
    dpo_name = forms.CharField(label="Data Protection Officer's name", max_length=200, required=False)
    dpo_email = forms.CharField(
        label="Data Protection Officer's email",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    dpo_phone = forms.CharField(
        label="Data Protection Officer's phone (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class AgreementForm(forms.Form):
    parties = forms.MultipleChoiceField(
        label="Agencies that signed it",
        required=False,
        widget=GovukCheckboxes,
        help_text="Approved agencies only. Approve an agency first if it is missing.",
        error_messages={"invalid_choice": UNKNOWN_PARTY},
    )
    signed_on = GovukDateField(label="Date signed", required=False, help_text="For example, 27 3 2026")
    review_on = GovukDateField(label="Review date", required=False, help_text="For example, 27 3 2027")
    document = forms.FileField(
        label="The signed agreement",
        required=False,
        help_text="A PDF file, smaller than 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = [(str(agency.pk), agency.name) for agency in agencies]


class PractitionerSearchForm(forms.Form):
    q = forms.CharField(
        label="Name or work email",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "type": "search"}),
        help_text="At least two letters. Up to 20 matching practitioners are shown.",
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label="Council name", max_length=120, required=False)
    brand_colour = forms.CharField(
        label="Header colour",
        max_length=7,
        required=False,
        help_text=(
            "As # followed by six hexadecimal digits, like #1d70b8. The header's text is white, "
            "so the colour must be dark enough to read it."
        ),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        error_messages={"invalid_choice": "Select the council's time zone from the list"},
    )
    support_contact = forms.CharField(
        label="Support contact",
        max_length=300,
        required=False,
        help_text=(
            "Who practitioners contact about Patchwork, for example “Early Help team, 01632 960 000”. "
            "Shown on practitioners' home page."
        ),
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (zone, zone.replace("_", " ")) for zone in time_zones_for(council.jurisdiction)
        ]


# The rulebook's pages ---------------------------------------------------------------------------------------
# Numbers are parsed here; whether they are within the bounds is the rules' own check (core/governance/rules.py),
# so a page, an import and a hand-edited row are held to the same limits.

WHOLE_NUMBER = {"invalid": "Enter a whole number", "required": "Enter a whole number"}


def _whole_number(label: str, **extra: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        error_messages=WHOLE_NUMBER,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4", "spellcheck": "false"}),
        **extra,
    )


class _Time(forms.TimeField):
    def __init__(self, label: str, **extra: Any) -> None:
        super().__init__(
            label=label,
            input_formats=["%H:%M", "%H.%M"],
            error_messages={
                "invalid": "Enter a time of day on the 24-hour clock, like 07:00 or 19:30",
                "required": "Enter a time of day on the 24-hour clock, like 07:00 or 19:30",
            },
            widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
            help_text="On the 24-hour clock, like 07:00 or 19:30.",
            **extra,
        )


class RulesChangeForm(forms.Form):
    """Every rulebook page asks why: the reason is kept with the new version."""

    reason = forms.CharField(
        label="Why are you changing this?",
        max_length=REASON_MAX_LENGTH,
        help_text="Kept with this version of the rules, for the privacy officer and the next administrator.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the rules are changing: it is kept with this version",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )


class SensitiveServiceForm(RulesChangeForm):
    mode = forms.ChoiceField(
        label="How do practitioners of other agencies see this service's involvements?",
        widget=GovukRadios,
        choices=[(str(mode), label) for mode, label in SENSITIVE_MODE_LABELS.items()],
        error_messages={"required": "Choose how others see this service", "invalid_choice": "Choose one of the ways"},
    )
    seen_in_full_by = forms.MultipleChoiceField(
        label="Agencies whose staff see it in full",
        required=False,
        widget=GovukCheckboxes,
        help_text="Whatever the choice above, staff of these agencies see this service's involvements in full.",
        error_messages={"invalid_choice": "Choose from the council's approved agencies"},
    )
    field_order = ["mode", "seen_in_full_by", "reason"]

    def __init__(self, *args: Any, others: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_in_full_by"].choices = [(str(agency.pk), agency.name) for agency in others]


class SearchJoinForm(RulesChangeForm):
    search_minimum = forms.ChoiceField(
        label="The least a search must give before it runs",
        widget=GovukRadios,
        choices=[(str(value), label) for value, label in SEARCH_MINIMUM_LABELS.items()],
        error_messages={
            "required": "Choose the minimum a search needs",
            "invalid_choice": "Choose one of the minimums",
        },
    )
    result_cap = _whole_number(
        "Most results a search shows",
        help_text="Between 1 and 20. When more people match, the practitioner is asked to search more precisely.",
    )
    searches_per_hour = _whole_number(
        "Searches a practitioner may make in an hour", help_text="Between 10 and 300, in any sixty minutes."
    )
    join_needs_lead_approval = forms.BooleanField(
        label="Joining a team needs the lead professional's approval",
        required=False,
        help_text="As well as a reason. Where a team has no lead professional, any member of the team may approve.",
    )
    field_order = ["search_minimum", "result_cap", "searches_per_hour", "join_needs_lead_approval", "reason"]


class FamilyTeamsForm(RulesChangeForm):
    family_teams = forms.ChoiceField(
        label="What a client's page shows of the teams around the client's family members",
        widget=GovukRadios,
        choices=[(str(value), label) for value, label in FAMILY_TEAMS_LABELS.items()],
        help_text="Patchwork starts with agencies only.",
        error_messages={"required": "Choose what is shown", "invalid_choice": "Choose one of the choices"},
    )
    field_order = ["family_teams", "reason"]


class BreakGlassForm(RulesChangeForm):
    remove_roles = forms.MultipleChoiceField(
        label="Remove these roles",
        required=False,
        widget=GovukCheckboxes,
        help_text="Practitioners given a removed role keep its name on their account, but it no longer opens anything.",
        error_messages={"invalid_choice": "Choose from the council's roles"},
    )
    new_role = forms.CharField(
        label="Add a role (optional)",
        required=False,
        max_length=ROLE_NAME_MAX_LENGTH,
        help_text="Its name, for example “MASH” or “Out-of-hours duty team”.",
        error_messages={"max_length": f"A role's name must be {ROLE_NAME_MAX_LENGTH} characters or fewer"},
    )
    break_glass_reasons = forms.CharField(
        label="Reasons a team may be opened",
        help_text="One a line. The practitioner chooses one and adds their own words.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give at least one reason a team may be opened in an emergency"},
    )
    break_glass_minutes = _whole_number(
        "How long an opened team stays open, in minutes", help_text="Between 15 and 1440 (a day)."
    )
    field_order = ["remove_roles", "new_role", "break_glass_reasons", "break_glass_minutes", "reason"]

    def __init__(self, *args: Any, roles: tuple[BreakGlassRole, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles = roles
        self.fields["remove_roles"].choices = [(role.key, role.name) for role in roles]
        if not roles:
            del self.fields["remove_roles"]

    def clean_new_role(self) -> BreakGlassRole | None:
        name = " ".join(self.cleaned_data["new_role"].split())
        if not name:
            return None
        key = slugify(name)[:40].strip("-")
        if not key:
            raise forms.ValidationError("Give the role a name with letters or numbers in it")
        if any(role.key == key for role in self.roles):
            raise forms.ValidationError(f"The council already has a role called {name}")
        return BreakGlassRole(key=key, name=name)

    def clean_break_glass_reasons(self) -> tuple[str, ...]:
        lines = (" ".join(line.split()) for line in self.cleaned_data["break_glass_reasons"].splitlines())
        return tuple(dict.fromkeys(line for line in lines if line))

    def roles_after(self) -> tuple[BreakGlassRole, ...]:
        removed = set(self.cleaned_data.get("remove_roles") or ())
        kept = tuple(role for role in self.roles if role.key not in removed)
        added = self.cleaned_data.get("new_role")
        return (*kept, added) if added else kept


class AlertThresholdsForm(RulesChangeForm):
    searches_without_involvement = _whole_number(
        "Searches in a day none of which led to joining a team", help_text="Between 1 and 10,000."
    )
    burst_searches = _whole_number("Searches within ten minutes", help_text="Between 1 and 10,000.")
    distinct_clients_viewed = _whole_number(
        "Different clients' teams viewed in a day", help_text="Between 1 and 10,000."
    )
    out_of_hours_searches = _whole_number(
        "Searches in a day outside the working day", help_text="Between 1 and 10,000."
    )
    working_day_starts = _Time("The working day starts at")
    working_day_ends = _Time("The working day ends at")
    field_order = [
        "searches_without_involvement",
        "burst_searches",
        "distinct_clients_viewed",
        "out_of_hours_searches",
        "working_day_starts",
        "working_day_ends",
        "reason",
    ]


class RetentionForm(RulesChangeForm):
    """The council's retention schedule: a whole number of years per kind of record."""

    clients = _whole_number(
        RETENTION_KIND_LABELS[RetentionKind.CLIENTS],
        help_text="In years, between 1 and 50. A client never involved with anyone counts from when they were added.",
    )
    involvements = _whole_number(
        RETENTION_KIND_LABELS[RetentionKind.INVOLVEMENTS],
        help_text="In years, between 1 and 50. For clients still being worked with; a closed case goes as a whole.",
    )
    team_activity = _whole_number(
        RETENTION_KIND_LABELS[RetentionKind.TEAM_ACTIVITY], help_text="In years, between 1 and 50."
    )
    audit = _whole_number(RETENTION_KIND_LABELS[RetentionKind.AUDIT], help_text="In years, between 1 and 50.")
    sign_in = _whole_number(
        RETENTION_KIND_LABELS[RetentionKind.SIGN_IN],
        help_text="In years, between 1 and 50: sign-ins, sign-outs, failed sign-ins and lockouts, and ended sessions.",
    )
    field_order = ["clients", "involvements", "team_activity", "audit", "sign_in", "reason"]


class StillInvolvedForm(RulesChangeForm):
    """When members with no contact recorded are asked whether they are still involved."""

    after_days = _whole_number(
        "Ask after this many days with no contact recorded",
        help_text="Between 14 and 365. Counted from the member's last contact, or from when they joined the team, "
        "or from when they last said they are still involved.",
    )
    reminder_days = _whole_number(
        "Days to wait for an answer",
        help_text="Between 2 and 30. With no answer, the member is reminded once; with none again as long after, "
        "the lead professional is told.",
    )
    field_order = ["after_days", "reminder_days", "reason"]


class BreakGlassRoleGiveForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        error_messages={"required": "Choose a role", "invalid_choice": "Choose one of the council's roles"},
    )

    def __init__(self, *args: Any, roles: tuple[BreakGlassRole, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.key, role.name) for role in roles]
