from django.apps import AppConfig


class InboxConfig(AppConfig):
    """The notification centre: what each person has been told in the app, and how they want to be emailed."""

    name = "core.inbox"
    label = "inbox"
    verbose_name = "Notification centre"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core.inbox.unread import unread_count_at_sign_in

        # Not a domain flow: the header's unread count is put in the cache as someone signs in (a request that
        # writes anyway), so that the first page they see costs no query for it either (core/inbox/unread.py).
        user_logged_in.connect(unread_count_at_sign_in, dispatch_uid="inbox-unread-count-at-sign-in")
