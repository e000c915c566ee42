"""Create a platform staff account and print a single-use link to choose its password.

There are no default or shared accounts: the person sets their own password through the link
(valid 30 minutes, once), then sets up their second factor at first sign-in.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class Command(BaseCommand):
    help = "Create a platform operator account (public schema) and print its set-password link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        users = get_user_model().objects
        if users.filter(email=email).exists():
            raise CommandError(f"An account for {email} already exists.")
        user = users.create_user(
            email, None, first_name=options["first_name"], last_name=options["last_name"], is_staff=True
        )
        path = reverse(
            "password-reset-confirm",
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
        self.stdout.write(f"Created {email}. Send them this link (works once, for 30 minutes):")
        self.stdout.write(f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{port}{path}")
