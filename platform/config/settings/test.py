"""Settings for the test suite: real PostgreSQL (``DATABASE_URL`` or embedded), real Redis."""

import os
from urllib.parse import urlsplit, urlunsplit

from config.database import databases_from_environment
from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, INSTALLED_APPS, VAR_DIR

SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = [".testserver", "testserver", ".localhost", "localhost"]
PLATFORM_DOMAIN = "localhost"
PLATFORM_SCHEME = "http"
PLATFORM_PORT = ""
_app_database, DATABASE_OWNER = databases_from_environment(VAR_DIR)
DATABASES = {"default": _app_database}

# Tests talk to the machine's Redis: cache keys and Celery messages go through it for real, in three databases
# (cache, broker, results): 1, 2 and 3 — or, when REDIS_URL names a database N, N, N+1 and N+2, so that two
# runs side by side can keep apart ("redis://127.0.0.1:6379/6" uses 6, 7 and 8).
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")


def _redis_database(offset: int) -> str:
    parts = urlsplit(REDIS_URL)
    named = parts.path.strip("/")
    first = int(named) if named.isdigit() else 1
    return urlunsplit(parts._replace(path=f"/{first + offset}", fragment=""))


# pytest-xdist's workers share these Redis databases, each with a test database of its own whose councils have the
# same schema names, so the same cache keys: a key prefix per worker keeps one worker's cache (the routing
# generation, a council's cached values) from another's.
CACHES = {
    "default": CACHES["default"]
    | {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis_database(0),
        "KEY_PREFIX": f"patchwork-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
    }
}
CELERY_BROKER_URL = _redis_database(1)
# The same for the broker: each worker's messages in a queue of its own, or a Celery worker started by a test in one
# pytest-xdist worker takes (and runs against its own test database) a message sent by a test in another.
CELERY_TASK_DEFAULT_QUEUE = f"celery-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
CELERY_RESULT_BACKEND = _redis_database(2)
CELERY_TASK_ALWAYS_EAGER = False

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Test only: the outbox's after-commit hand-off runs the dispatch task's own function here (``task.apply``) instead
# of sending it to the broker, so that a test sees ``mail.outbox`` right after the action that queued the email.
# Production and development never set it; the delivery fault tests set it False and use a real worker.
NOTIFICATIONS_DISPATCH_INLINE = True
NOTIFICATIONS_COALESCE_HAND_OFFS = True  # the cache is Redis (above), shared with a worker a test starts
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested explicitly

# Static files come straight from the finders; collectstatic is for production images only.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# The demo and benchmark commands (platform/demo), and their tests: not part of the product.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

SSO_PROVIDERS_MAY_BE_LOCAL = True  # the local OpenID provider the demo and the tests start
