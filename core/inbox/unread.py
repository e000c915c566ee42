"""How many notices a person has not read, for the header of every signed-in page, without a database query.

The count is kept in the cache (whose keys carry the council's schema, so one council's count means nothing at
another's), read from the database only when the cache has none, and forgotten whenever notices are written,
read or removed: at once, and again when the transaction commits, so that a page read between the two cannot
leave the count of before the change. It lives for at most ``UNREAD_SECONDS``, which bounds any count left
behind by a race the two forgettings do not cover.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django_tenants.utils import get_public_schema_name

from core.inbox.models import Notice
from tenants.transactions import on_commit_in_this_schema

UNREAD_SECONDS = 30 * 60


def _key(user_id: object) -> str:
    return f"inbox:unread:{user_id}"


def unread_count(*, user_id: object) -> int:
    """The person's unread notices: from the cache, or counted (one query) and remembered."""
    key = _key(user_id)
    count = cache.get(key)
    if count is None:
        count = Notice.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
        cache.set(key, count, timeout=UNREAD_SECONDS)
    return int(count)


def unread_forget(*, user_ids: Iterable[object]) -> None:
    """Forget these people's counts now and once the caller's transaction commits (no database query)."""
    keys = [_key(user_id) for user_id in dict.fromkeys(user_ids)]
    if not keys:
        return
    cache.delete_many(keys)
    on_commit_in_this_schema(lambda: cache.delete_many(keys))


def unread_count_at_sign_in(sender: object, user: object, **kwargs: object) -> None:
    """Django's ``user_logged_in`` (both factors passed): remember the count now, in a council (the platform's
    schema has no notices), so that the first page after signing in reads it from the cache."""
    if connection.schema_name != get_public_schema_name():
        unread_count(user_id=user.pk)  # type: ignore[attr-defined]
