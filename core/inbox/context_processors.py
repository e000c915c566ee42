"""The unread count in the header of every signed-in council page: read lazily, only when the header shows it,
and from the cache (core/inbox/unread.py), so that a page costs no database query for it."""

from django.http import HttpRequest
from django.utils.functional import cached_property

from core.inbox.unread import unread_count


class UnreadNotices:
    def __init__(self, user_id: object) -> None:
        self.user_id = user_id

    @cached_property
    def count(self) -> int:
        return unread_count(user_id=self.user_id)


def notices_unread(request: HttpRequest) -> dict[str, object]:
    council = getattr(request, "council", None)
    user = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)  # set by django-otp's middleware; not on every page's user
    if council is None or user is None or not user.is_authenticated or verified is None or not verified():
        return {}
    return {"notices_unread": UnreadNotices(user.pk)}
