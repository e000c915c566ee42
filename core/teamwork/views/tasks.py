"""Giving a task in the team, and marking one done. Members of the team only: anyone else is told "not found"."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from config.form_errors import errors_onto
from config.govuk_dates import GovukDateField
from core.audit.origin import Origin
from core.clients.views.viewer import own_involvement_or_404, viewer_for
from core.teamwork.models import TASK_MOST
from core.teamwork.tasks import TeamTaskNotFound, task_assignees_for, team_task_assign, team_task_done


class TeamTaskForm(forms.Form):
    assignee = forms.ChoiceField(
        label="Who is the task for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the task is for", "invalid_choice": "Choose a member of the team"},
    )
    description = forms.CharField(
        label="What is the task?",
        max_length=TASK_MOST,
        help_text=f"One line, up to {TASK_MOST} characters. The email they get does not include it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say what the task is",
            "max_length": f"The task must be {TASK_MOST} characters or fewer",
        },
    )
    due_on = GovukDateField(label="Due date", help_text="Today or later, within a year. For example, 27 3 2027")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = choices


@require_http_methods(["GET", "POST"])
def team_task_give(request: HttpRequest, client_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    involvement = own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    choices = [
        (str(choice.practitioner_id), choice.label)
        for choice in task_assignees_for(viewer=viewer, client_id=involvement.client_id)
    ]
    form = TeamTaskForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team_task_assign(
                actor=viewer,
                client_id=involvement.client_id,
                assignee_id=data["assignee"],
                description=data["description"],
                due_on=data["due_on"],
                origin=origin,
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "The task is given. They have been told.")
            return redirect("client-team", client_id=involvement.client_id)
    context = {"form": form, "client": involvement.client}
    return render(request, "teamwork/task_give.html", context, status=400 if form.errors else 200)


@require_POST
def team_task_mark_done(request: HttpRequest, client_id: object, task_id: object) -> HttpResponse:
    """The assignee or whoever gave the task; a member of the team who is neither is refused (403), anyone
    outside the team, or a task of another team, "not found"."""
    viewer = viewer_for(request)
    try:
        team_task_done(actor=viewer, client_id=client_id, task_id=task_id, origin=Origin.from_request(request))
    except TeamTaskNotFound as error:
        raise Http404("No such task.") from error
    except ValidationError as error:
        context = {"problem": " ".join(error.messages), "client_id": client_id}
        return render(request, "teamwork/task_refused.html", context, status=400)
    messages.success(request, "The task is marked done.")
    return redirect("client-team", client_id=client_id)
