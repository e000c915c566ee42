"""Settings shared by every environment. Everything that varies comes from the environment."""

import json
import os
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list
from config.otp import totp_issuer

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("PATCHWORK_VAR_DIR", BASE_DIR / "var"))

# The platform answers at this host; each council at <slug>.<PLATFORM_DOMAIN> or a custom domain.
PLATFORM_DOMAIN = os.environ.get("PLATFORM_DOMAIN", "localhost")
PLATFORM_PORT = os.environ.get("PLATFORM_PORT", "")
PLATFORM_SCHEME = os.environ.get("PLATFORM_SCHEME", "https")

# The cell: the one jurisdiction this installation serves (england, victoria), with AWS_REGION where it runs
# (tenants/cell.py). Required in production. Empty here, in development and tests: one installation serves
# every jurisdiction (the demo holds English and Victorian councils in one database) and no residency rule applies.
PATCHWORK_JURISDICTION = os.environ.get("PATCHWORK_JURISDICTION", "").strip()

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"])

# --- Applications ------------------------------------------------------------------------------
# Decided once (docs/adr/0002-shared-and-council-apps.md): identity lives in each council's schema,
# so accounts, sessions and second-factor devices are both shared (platform staff in ``public``)
# and per council (practitioners in the council's schema).
IDENTITY_APPS = [
    "django.contrib.postgres",  # trigram lookups and GIN indexes, in every schema
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "core.accounts",
    "core.audit",
    "core.notifications",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",  # passkeys: a second factor, and a sign-in without a password
]

SHARED_APPS = [
    "django_tenants",
    "tenants",
    *IDENTITY_APPS,
    "django.contrib.admin",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "onboarding",
    "billing",
    "support",
    "console",
]

TENANT_APPS = [
    *IDENTITY_APPS,
    "core.governance",
    "core.directory",
    "core.council",
    "core.clients",
    "core.teamwork",
    "core.inbox",
    "core.privacy",
    "core.subject_access",
    "core.retention",
    "core.sso",
    "oauth2_provider",
    "core.api_clients",
    "core.home",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Council"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
# A migrated, empty council schema that new councils are cloned from (tenants/services/schemas.py).
TENANT_BASE_SCHEMA = "council_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Set search_path once per request rather than before every query (ARCHITECTURE.md, Tenancy).
TENANT_LIMIT_SET_CALLS = True

DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# DATABASES is set by local.py and test.py (embedded allowed) and production.py (DATABASE_URL required).
# DATABASES["default"] is the application role; DATABASE_OWNER the owner role's USER and PASSWORD
# (same database), for migrations and provisioning only (config/database.py, docs/adr/0008).
DATABASE_OWNER: dict[str, str] | None = None

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that can answer early (unknown host, expired session), so every answer
    # carries the security and no-store headers.
    "config.security.SecurityHeadersMiddleware",
    # Before anything reads the body: a body larger than anything Patchwork takes is a 413 at once.
    "config.request_size.RequestSizeMiddleware",
    # Before anything reads the database: a NUL byte in a path, a form or a cookie is a 400, not a query.
    "config.control_characters.ControlCharacterMiddleware",
    "tenants.middleware.CouncilRoutingMiddleware",
    # Right after the routing, which has chosen the council's schema: every line logged from here on names the
    # request, the schema and the load balancer's trace (config/logs.py), and the answer echoes X-Request-Id.
    "config.logs.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, reading the user, their second-factor device and practitioner in one query.
    "core.accounts.signed_in.SignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.accounts.session_timeout.SessionTimeoutMiddleware",
    "core.accounts.access.VerifiedAccessMiddleware",
    # While a council is configuring, only its administrators use its site (core/council/gate.py, ADR 0010).
    "core.council.gate.CouncilSettingUpGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.CouncilLocaleMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.site",
                "config.security.csp_nonce",
                "core.accounts.context_processors.session_limits",
                "core.council.context_processors.council_notices",
                "core.clients.context_processors.break_glass",
                "core.inbox.context_processors.notices_unread",
            ],
            # GOV.UK form fields rendered in Python (config/templatetags/govuk.py); config is not an app.
            "libraries": {"govuk": "config.templatetags.govuk"},
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Identity ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["core.accounts.signed_in.SignedInBackend"]  # Django's ModelBackend, see its module
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

# Host-only cookies: a council's session cookie is never sent to another council's host, and each
# council's sessions live in its own schema, so a cookie from one council means nothing at another.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
# Sessions live in the cache (Redis; its keys carry the council's schema, so one council's session key means
# nothing at another's): reading one costs no database round trip, and it is written only when it changed
# (docs/adr/0012). Which sessions a person has, to see and end them, stays in the council's UserSession table.
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
USE_X_FORWARDED_HOST = False  # the council is resolved only from the Host header we were sent
# How many proxies we trust in front of the web process; the audit trail records the client's address
# from X-Forwarded-For counted that many entries from the right (core/audit/origin.py client_address).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", default=0)
# The largest request body taken (config/request_size.py): a 10 MB agreement PDF and its form.
MAX_REQUEST_BODY_BYTES = 11 * 1024 * 1024

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English (United Kingdom)"), ("en-au", "English (Australia)")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "platform" / "config" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Documents nobody may reach by an address (data-sharing agreements): outside MEDIA_ROOT, read
    # only through views that check who asks and record it (docs/adr/0010).
    "private": {
        "BACKEND": "core.council.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private"},
    },
    # The audit trail's nightly copy (core/audit/services/archive.py): in production a bucket nobody can alter or
    # delete from during its retention (S3 Object Lock); here a folder of its own under var/ (docs/adr/0031).
    "audit_archive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "audit-archive"},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: every key carries the council's schema ---------------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "patchwork"}
    )
    | {"KEY_FUNCTION": "django_tenants.cache.make_key", "KEY_PREFIX": "patchwork"},
}

# --- Celery: tasks carry the council's schema in a message header ------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
# With no broker configured, tasks run in-process (local demo); with one, through the broker.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Celery's scheduler, with a heartbeat and the queues' depths (config/beat.py).
CELERY_BEAT_SCHEDULER = "config.beat:Scheduler"
# Where the worker and beat write their heartbeat files, which their health checks read (config/liveness.py);
# empty: the temporary directory (/tmp).
PATCHWORK_LIVENESS_DIR = os.environ.get("PATCHWORK_LIVENESS_DIR", "")
# Beat publishes each queue's depth to CloudWatch (Patchwork/CeleryQueueDepth), which the worker scales on: production.
PATCHWORK_QUEUE_METRICS = env_bool("PATCHWORK_QUEUE_METRICS", default=False)
# Undelivered email waits in each schema's outbox; this sweep retries it (with backoff per row).
CELERY_BEAT_SCHEDULE = {
    "notifications-retry": {"task": "notifications.retry_all", "schedule": 120.0},
    # A bulk import whose worker stopped, or whose start message was lost, carries on (core/directory/tasks.py).
    "imports-resume": {"task": "directory.import_jobs_resume_all", "schedule": 300.0},
    # Each council's previous local day looked at for the privacy officer (core/privacy/tasks.py); at 01:30 UTC
    # the day just ended everywhere from London to Melbourne, and a re-run raises nothing new.
    "privacy-anomalies": {"task": "privacy.anomalies_detect_all", "schedule": crontab(hour=1, minute=30)},
    # Subject access exports whose download link expired unused are deleted; lost ones sent again.
    "subject-access-sweep": {"task": "subject_access.sweep_all", "schedule": 900.0},
    # Each council's records past its retention schedule listed for its privacy officer (core/retention/tasks.py);
    # at 02:30 UTC (each council's own date); nothing is erased before the officer approves; a re-run lists nothing new.
    "retention-runs": {"task": "retention.retention_run_prepare_all", "schedule": crontab(hour=2, minute=30)},
    # Each council's members with no contact recorded asked whether they are still involved, reminded, and their
    # lead professional told (core/teamwork/still_involved.py); a re-run the same night asks nobody twice.
    "teamwork-still-involved": {"task": "teamwork.involvement_checks_all", "schedule": crontab(hour=3, minute=30)},
    # Assignees reminded of tasks due today or overdue, once a day (core/teamwork/tasks.py): 06:30 UTC is the
    # morning in London and the working day's end in Melbourne, on the same date in both.
    "teamwork-task-reminders": {"task": "teamwork.team_task_reminders_all", "schedule": crontab(hour=6, minute=30)},
    # Each person who chose a daily summary of their notifications gets it (core/inbox/tasks.py): at 07:00 UTC, the
    # start of a working day in the UK (and the evening before in Victoria); a re-run emails nobody twice.
    "inbox-digests": {"task": "inbox.digests_send_all", "schedule": crontab(hour=7, minute=0)},
    # Billing (billing/tasks.py), in the platform's schema. On the 1st at 04:00 UTC the month just ended is over in
    # every council's time zone: each council's active practitioners counted, then its invoice issued; a re-run
    # counts and issues nothing twice. Overdue invoices are reminded each morning (at most once a week each).
    "billing-month-close": {"task": "billing.month_close", "schedule": crontab(day_of_month=1, hour=4, minute=0)},
    "billing-overdue-reminders": {"task": "billing.overdue_remind", "schedule": crontab(hour=8, minute=0)},
    # Support access that ran out is recorded in its council's audit (platform/support/tasks.py). The access itself
    # ends at its time whether or not this has run: every page checks the grant's end.
    "support-expiry": {"task": "support.expiry_record", "schedule": 300.0},
    # Expired API access tokens cleared from each council's schema (core/api_clients/tasks.py).
    "api-client-tokens-clear": {"task": "api_clients.tokens_clear_all", "schedule": 3600.0},
    # Each schema's audit trail of the UTC days not yet archived copied to the archive storage (core/audit/tasks.py);
    # at 00:45 UTC, yesterday is over; a re-run writes nothing twice, a missed night is caught up.
    "audit-archive": {"task": "audit.archive_all", "schedule": crontab(hour=0, minute=45)},
}

# --- Billing -------------------------------------------------------------------------------------
# Who issues the invoices of each jurisdiction (billing/suppliers.py): name, address, VAT number or ABN, how to pay.
# JSON keyed by jurisdiction, each field replacing the demo's made-up one: {"england": {"tax_number": "GB ..."}}.
BILLING_SUPPLIERS = json.loads(os.environ.get("BILLING_SUPPLIERS") or "{}")

# --- Subject access ------------------------------------------------------------------------------
# How long an export's single-use download link works after the export is ready (core/subject_access).
SUBJECT_ACCESS_LINK_DAYS = int(os.environ.get("SUBJECT_ACCESS_LINK_DAYS", "7"))

# --- Email -------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Patchwork <no-reply@patchwork.localhost>")
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
# The outbox's dispatcher (core/notifications/services/delivery.py, docs/adr/0018-email-delivery.md): which
# transport email leaves by ("django": EMAIL_BACKEND; "ses": Amazon SES v2 in each council's data region), how long
# a dispatcher holds a row it took, and the first retry's delay (doubled each attempt, at most an hour).
NOTIFICATIONS_TRANSPORT = "django"
NOTIFICATIONS_LEASE_SECONDS = 300
NOTIFICATIONS_BACKOFF_BASE_SECONDS = 60.0
# Coalesce hand-offs while a dispatch is queued (services/outbox.py): only with a cache every process shares.
NOTIFICATIONS_COALESCE_HAND_OFFS = bool(CACHE_URL)
# GOV.UK Notify's API, for the councils that chose it (their key is in Secrets Manager, never here).
NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.PatchworkAutoSchema",
    # An API client's bearer request first (its checks are done by core.api_clients.middleware), then a browser's.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api_clients.authentication.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.accounts.permissions.IsVerified"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, and never nested deeper than any endpoint takes (a 400, not a RecursionError).
    "DEFAULT_PARSER_CLASSES": ["config.api.BoundedJSONParser"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Patchwork API",
    "DESCRIPTION": "Who else is working with a client, and how to reach them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.accounts.permissions.IsVerified"],
}

# --- Errors and logs ---------------------------------------------------------------------------
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
# The hosts a SENTRY_DSN may send to (comma-separated): only a Sentry that keeps the data in the cell's
# jurisdiction. Empty: no Sentry at all (config/sentry.py refuses any DSN; a system check says so).
SENTRY_ALLOWED_HOSTS = env_list("SENTRY_ALLOWED_HOSTS", [])
# "json" (config/logs.py: one object a line, with the request id, council schema, trace id and task) for
# CloudWatch, the default in production (production.py); "plain" elsewhere. Either way, no query string, header,
# body or person's name is written: the JSON formatter writes fixed fields only.
LOG_FORMATS = ("plain", "json")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")


def logging_settings(log_format: str) -> dict[str, Any]:
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        # fontTools (under fpdf2) logs every table of every font it subsets at INFO.
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "pgserver": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }


LOGGING = logging_settings(LOG_FORMAT)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DEMO = env_bool("PATCHWORK_DEMO", default=False)
GET_EXECUTOR_FUNCTION = "tenants.migration_executor.get_executor"
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("MIGRATION_PROCESSES", "2"))

# Content-Security-Policy, cache and other response headers (config/settings/security.py).
from config.settings.security import *  # noqa: E402, F403

# --- Second factor (django-otp) ----------------------------------------------------------------
OTP_TOTP_ISSUER = totp_issuer  # a callable: the council's name, read when a QR code is made
OTP_TOTP_THROTTLE_FACTOR = 1

# --- Passkeys (django-otp-webauthn) ------------------------------------------------------------
# The relying party is the site the browser is at (core/accounts/passkeys.py): a council's own host.
OTP_WEBAUTHN_RP_ID_CALLABLE = "core.accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_RP_NAME_CALLABLE = "core.accounts.passkeys.relying_party_name"
# The library checks origins against a fixed list; councils each have a host of their own, so the helper
# expects the origin of the request at hand (core/accounts/passkey_helper.py). The list below is not read
# then; the library's system check only asks that it is not empty.
OTP_WEBAUTHN_HELPER_CLASS = "core.accounts.passkey_helper.SiteWebAuthnHelper"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    f"{PLATFORM_SCHEME}://{PLATFORM_DOMAIN}{':' + PLATFORM_PORT if PLATFORM_PORT else ''}",
]

# --- Single sign-on per agency (core/sso) ------------------------------------------------------
# Fernet keys for providers' client secrets, newest first (comma-separated). Empty in development and
# tests: one is derived from SECRET_KEY (core/sso/encryption.py). Production requires them (production.py).
SSO_SECRET_KEYS = env_list("SSO_SECRET_KEYS", [])
SSO_HTTP_TIMEOUT = 10  # seconds, for each request to a provider (discovery, keys, token)
# Whether an agency's provider may be on this machine or a private network (http://localhost, 10.x, 169.254.x):
# only for the demo's local provider and the tests' (local.py, test.py). In production the server fetches nothing
# an administrator types unless it is on the public internet, so a provider's address cannot reach inside.
SSO_PROVIDERS_MAY_BE_LOCAL = False

# --- API clients (django-oauth-toolkit, core/api_clients) --------------------------------------
# Named so that migrations referring to it (ours) can resolve django-oauth-toolkit's swappable model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "teams:read": "Read teams, search clients, read the directory",
        "involvements:write": "Keep the agency's own practitioners' involvements current",
    },
    "DEFAULT_SCOPES": ["teams:read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60,
    "OAUTH2_VALIDATOR_CLASS": "core.api_clients.validator.ApiClientValidator",
    "PKCE_REQUIRED": True,
    # RFC 9700 (OAuth 2.0 Security Best Current Practice), enforced rather than warned about: no implicit or password
    # grant, no "plain" PKCE, tokens never in a query string, the issuer in authorisation responses, and tokens
    # stored hashed (a copy of the database or of a backup holds no working token).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    # Only client credentials are granted (core/api_clients/validator.py), so there are no refresh tokens or
    # redirects; were either ever used, these are the safe values.
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# Each API client's calls, counted per client in the council's cache (429 with Retry-After beyond it).
API_CLIENT_RATE_LIMIT = os.environ.get("API_CLIENT_RATE_LIMIT", "120/minute")
# Bearer requests are checked (token, scope, rate, practitioner) just before the deny-by-default middleware.
MIDDLEWARE.insert(
    MIDDLEWARE.index("core.accounts.access.VerifiedAccessMiddleware"), "core.api_clients.middleware.ApiClientMiddleware"
)
PASSWORD_RESET_TIMEOUT = 30 * 60  # single-use by construction; short-lived by this (AUTH-5)
