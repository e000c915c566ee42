"""Production: every secret from the environment, no fallbacks; refuses to start without them."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.database import credentials_of, database_from_url
from config.env import env_bool, env_int, env_list, env_required
from config.sentry import sentry_init
from config.settings.base import *  # noqa: F403
from config.settings.base import (
    DEMO,
    INSTALLED_APPS,
    PLATFORM_DOMAIN,
    SENTRY_ALLOWED_HOSTS,
    SENTRY_DSN,
    logging_settings,
)

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
# Keys SECRET_KEY replaced (comma-separated), still accepted for what they signed (sessions, links) during a rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
SSO_SECRET_KEYS = env_required("SSO_SECRET_KEYS").split(",")  # agencies' providers' client secrets
# The web process pools its connections (DATABASE_POOL_SIZE, set by infra/gunicorn.conf.py to its threads); other
# processes (Celery workers, the release task) keep one persistent connection each.
DATABASES = {
    "default": database_from_url(
        env_required("DATABASE_URL"), conn_max_age=60, pool_size=env_int("DATABASE_POOL_SIZE", default=0, maximum=32)
    )
}
DATABASES["default"]["OPTIONS"].setdefault("sslmode", "verify-full")
# Only the release task and the provisioning worker are given the owner role (docs/adr/0008).
_owner_url = os.environ.get("DATABASE_OWNER_URL", "").strip()
DATABASE_OWNER = credentials_of(database_from_url(_owner_url)) if _owner_url else None
if DATABASE_OWNER and DATABASE_OWNER["USER"] == DATABASES["default"]["USER"]:
    raise ImproperlyConfigured("DATABASE_URL must name the application's own role, not DATABASE_OWNER_URL's.")
CELERY_BROKER_URL = env_required("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_required("CACHE_URL"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": "patchwork",
    },
}
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"])
PLATFORM_SCHEME = "https"

# The cell: the jurisdiction it serves and the region it runs in. Every council here must be of that
# jurisdiction with its data in that region (tenants/cell.py; checked by tenants/checks.py).
PATCHWORK_JURISDICTION = env_required("PATCHWORK_JURISDICTION")
# Object storage and email through AWS, in the council's data region (S3 with SSE-KMS, SES).
AWS_REGION = env_required("AWS_REGION")
AWS_STORAGE_BUCKET_NAME = env_required("AWS_STORAGE_BUCKET_NAME")
# The audit trail's nightly copy: a bucket of its own with S3 Object Lock in compliance mode (docs/adr/0031).
AWS_AUDIT_ARCHIVE_BUCKET_NAME = env_required("AWS_AUDIT_ARCHIVE_BUCKET_NAME")
# The cell's own KMS key, named on every upload: an upload that says only "aws:kms" is encrypted with the
# account's AWS-managed key instead, and the buckets' policies refuse any upload not naming the cell's key.
AWS_S3_KMS_KEY_ID = env_required("AWS_S3_KMS_KEY_ID")
ENCRYPTED_WITH_THE_CELLS_KEY = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": AWS_S3_KMS_KEY_ID}
# No ACL on any upload: the buckets have ACLs disabled (owner enforced), and S3 refuses a PUT that names one.
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": AWS_REGION,
            "querystring_auth": True,
            "object_parameters": ENCRYPTED_WITH_THE_CELLS_KEY,
        },
    },
    # Data-sharing agreements: the same private bucket under their own prefix, read only through the
    # council's download view (never a public or pre-signed address handed to a page).
    "private": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": AWS_REGION,
            "location": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": ENCRYPTED_WITH_THE_CELLS_KEY,
        },
    },
    # Never overwritten (the bucket refuses it during retention). Object Lock needs a checksum on every upload:
    # asked for here, not left to the SDK's default.
    "audit_archive": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_AUDIT_ARCHIVE_BUCKET_NAME,
            "region_name": AWS_REGION,
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {**ENCRYPTED_WITH_THE_CELLS_KEY, "ChecksumAlgorithm": "SHA256"},
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = "django_ses.SESBackend"
# The outbox sends through SES v2 in each council's own data region (core/notifications/transports.py).
NOTIFICATIONS_TRANSPORT = "ses"
NOTIFICATIONS_COALESCE_HAND_OFFS = True  # the cache is Redis, shared by the web processes and the workers
AWS_SES_REGION_NAME = AWS_REGION
AWS_SES_REGION_ENDPOINT = f"email.{AWS_REGION}.amazonaws.com"

# Transport security.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the cell's load balancer (one proxy): the audit records the address it was reached from.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", default=1)
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-patchwork-session"
CSRF_COOKIE_NAME = "__Host-patchwork-csrf"

# The demo and benchmark tooling (platform/demo) is not part of the product and is not installed,
# except in a demo environment run with these settings (PATCHWORK_DEMO=1 lets the demo command run).
if DEMO:
    INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

# One JSON object a line for CloudWatch (config/logs.py); LOG_FORMAT=plain to read them by eye.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = logging_settings(LOG_FORMAT)

sentry_init(dsn=SENTRY_DSN, environment="production", allowed_hosts=SENTRY_ALLOWED_HOSTS)
