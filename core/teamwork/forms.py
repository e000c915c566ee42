"""Forms of the message and meeting pages. They parse what was typed; the services decide what is allowed.

Nothing typed is lost on an error: no input carries a ``maxlength`` (a browser would cut a long message without
saying so), and the services say what is too long instead.
"""

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from config.govuk_dates import GovukDateField
from core.directory.models import Practitioner
from core.teamwork.models import MESSAGE_MOST

WHOLE_TEAM = "whole_team"
CHOSEN = "chosen"
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def member_choices(people: list[Practitioner]) -> list[tuple[str, str]]:
    """Members to pick, each by name, agency and job title (only those the viewer sees in full are given)."""
    return [
        (str(person.pk), f"{person.user.full_name} ({person.agency.name}, {person.job_title})") for person in people
    ]


class TeamMessageForm(forms.Form):
    text = forms.CharField(
        label="Your message",
        required=False,
        help_text=f"Up to {MESSAGE_MOST} characters. Say what the team should know or do. The email about it "
        "says only that you sent a message, not what it says.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    send_to = forms.ChoiceField(
        label="Who should get it?",
        choices=[(WHOLE_TEAM, "Everyone in the team"), (CHOSEN, "Only the people I choose below")],
        initial=WHOLE_TEAM,
        required=False,
        widget=forms.RadioSelect,
    )
    recipients = forms.MultipleChoiceField(
        label="People to send it to",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only if you chose “Only the people I choose below”.",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = choices

    def recipient_ids(self) -> list[str] | None:
        """None for the whole team; otherwise the chosen ids."""
        if self.cleaned_data.get("send_to") == CHOSEN:
            return list(self.cleaned_data.get("recipients") or [])
        return None

    def clean_send_to(self) -> str:
        return self.cleaned_data.get("send_to") or WHOLE_TEAM


def time_of_day(text: str) -> datetime.time | None:
    """A time as people type it: "14:30", "9.15", "2pm", "2:30pm". None when it is not one."""
    found = _TIME.match(text.strip())
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    suffix = (found.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def local_moment(day: datetime.date, at: datetime.time, zone: ZoneInfo) -> datetime.datetime | None:
    """The moment ``at`` on ``day`` in ``zone``, or None when the clocks skip that time (it never happens)."""
    moment = datetime.datetime.combine(day, at, tzinfo=zone)
    there_and_back = moment.astimezone(datetime.UTC).astimezone(zone)
    return moment if there_and_back.replace(tzinfo=None) == moment.replace(tzinfo=None) else None


class MeetingForm(forms.Form):
    """Times in the council's time zone (``zone``): the page says which."""

    date = GovukDateField(label="Date", help_text="For example, 27 3 2027")
    start_time = forms.CharField(
        label="Start time",
        required=False,
        help_text="For example, 09:30 or 14:00",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
    )
    end_time = forms.CharField(
        label="End time",
        required=False,
        help_text="For example, 10:30 or 15:00",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
    )
    place = forms.CharField(
        label="Place",
        required=False,
        help_text="A venue, such as a meeting room and its building. Never the client’s address: the place goes "
        "into everyone’s calendar.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    online_link = forms.CharField(
        label="Video link (optional if you gave a place)",
        required=False,
        help_text="For example, a Teams or Zoom link starting with https://",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    invitees = forms.MultipleChoiceField(label="Who to invite", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, zone: ZoneInfo, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["invitees"].choices = choices

    def _time(self, name: str, missing: str) -> datetime.time | None:
        text = self.cleaned_data.get(name) or ""
        if not text.strip():
            self.add_error(name, missing)
            return None
        value = time_of_day(text)
        if value is None:
            self.add_error(name, f"Enter the {self.fields[name].label.lower()} as hours and minutes, like 14:30")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("date")
        if day is None and "date" not in self.errors:
            self.add_error("date", "Enter the date of the meeting")
        starts = self._time("start_time", "Enter the start time")
        ends = self._time("end_time", "Enter the end time")
        if day is None or starts is None or ends is None:
            return data
        data["starts_at"] = local_moment(day, starts, self.zone)
        data["ends_at"] = local_moment(day, ends, self.zone)
        for name, key in (("start_time", "starts_at"), ("end_time", "ends_at")):
            if data[key] is None:
                self.add_error(name, "The clocks go forward then: that time does not exist on that day")
        return data
