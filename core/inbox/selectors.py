"""What a person reads of their own notices. Nobody reads anyone else's: every read is filtered by recipient."""

from django.core.paginator import Page, Paginator

from core.accounts.models import User
from core.inbox.models import Notice

NOTICES_PER_PAGE = 25


def notices_page(*, user: User, page_number: object) -> Page:
    """A page of the person's notices, newest first (two queries: the count and the page)."""
    notices = Notice.objects.filter(recipient=user).only("pk", "kind", "text", "created_at", "read_at")
    return Paginator(notices.order_by("-created_at", "-id"), NOTICES_PER_PAGE).get_page(page_number)
