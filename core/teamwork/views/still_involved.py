"""Answering "are you still involved?" through a signed link (from the notice, the email or the home page).

The link works only for the practitioner asked, signed in as usual with the second factor: anyone else is told
"not found". A GET shows one button confirming the answer and changes nothing (mail scanners follow links);
the POST records it, once.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.audit.origin import Origin
from core.clients.views.viewer import viewer_for
from core.teamwork.models import StillInvolvedAnswer
from core.teamwork.still_involved import (
    CheckNotFound,
    LinkRefused,
    involvement_check_answer,
    involvement_check_asked_of,
    still_involved_token_read,
)

DONE = {
    StillInvolvedAnswer.STILL_INVOLVED: "Thank you: you are still in the team. You will not be asked again until "
    "there has been no contact for a while.",
    StillInvolvedAnswer.NO_LONGER_INVOLVED: "You have left the team. The other members have been told.",
}


def _refused(request: HttpRequest, problem: str) -> HttpResponse:
    return render(request, "teamwork/still_involved_refused.html", {"problem": problem}, status=400)


@require_http_methods(["GET", "POST"])
def still_involved_answer(request: HttpRequest, token: str) -> HttpResponse:
    viewer = viewer_for(request)
    try:
        check_id, answer = still_involved_token_read(token)
    except LinkRefused as error:
        return _refused(request, str(error))
    check = involvement_check_asked_of(viewer=viewer, check_id=check_id)
    if check is None:
        raise Http404("No such question.")
    if request.method == "POST":
        try:
            involvement_check_answer(
                actor=viewer, check_id=check.pk, answer=answer, origin=Origin.from_request(request)
            )
        except CheckNotFound as error:
            raise Http404("No such question.") from error
        except ValidationError as error:
            return _refused(request, " ".join(error.messages))
        messages.success(request, DONE[answer])
        return redirect("home")
    if check.answered_at is not None:
        return _refused(request, f"You have already answered: {check.get_answer_display().lower()}.")
    if check.involvement.ended_on is not None:
        return _refused(request, "You have already left this team: there is nothing to answer.")
    context = {"check": check, "client": check.involvement.client, "answer": answer, "token": token}
    return render(request, "teamwork/still_involved.html", context)
