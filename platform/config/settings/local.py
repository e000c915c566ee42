"""Local development and the demo: the default settings.

No ``DATABASE_URL`` → embedded PostgreSQL under ``var/``; no ``CELERY_BROKER_URL`` → tasks run in
process; email is written to files under ``var/mail``.
"""

import os

from config.database import databases_from_environment
from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, PLATFORM_DOMAIN, VAR_DIR

DEBUG = True
# Only ever used on a developer's machine; production requires its own (settings/production.py).
SECRET_KEY = os.environ.get("SECRET_KEY", "local-development-only-not-a-secret")
ALLOWED_HOSTS = [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", "127.0.0.1"]
PLATFORM_SCHEME = "http"
PLATFORM_PORT = os.environ.get("PLATFORM_PORT", "8000")
_app_database, DATABASE_OWNER = databases_from_environment(VAR_DIR)
DATABASES = {"default": _app_database}

# Static files come straight from the finders; collectstatic is for production images only.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# The demo and benchmark commands (platform/demo): not part of the product, never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

SSO_PROVIDERS_MAY_BE_LOCAL = True  # the local OpenID provider the demo and the tests start
