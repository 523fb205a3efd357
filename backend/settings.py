"""Ripple's settings, read from the environment (django-environ).

With nothing set, Ripple runs embedded: SQLite and Celery's file-system broker under
``var/``, e-mail to the console, DEBUG on. Production sets ``DJANGO_DEBUG=0``,
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``
(see ``.env.example``), and start-up stops with a clear message when one is missing.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("RIPPLE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)


def _secret_key() -> str:
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see .env.example)."
        )
    # Embedded mode: a key of this checkout's own, kept under var/ so that sessions
    # and tokens survive a restart of `make run`.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [],
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Ripple's own apps, in dependency order (each may import only those before it).
RIPPLE_APPS = [
    "backend",
    "projects",
    "capability",
    "pdsa",
    "spread",
    "notifications",
    "assessment",
]

INSTALLED_APPS = [
    "backend.admin_site.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "csp",
    *RIPPLE_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses pages, and under `make run` the static files WhiteNoise serves from the
    # source folders (production's are compressed ahead, at collectstatic, and pass
    # through untouched). Django pads compressed pages against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "backend.pages.RefusalMiddleware",
    "backend.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.navigation.header",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ripple.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take
    # the write lock up front, so two writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A covering index's extra columns (PostgreSQL's index-only scans) are left out on
    # SQLite, which still gets the index; said on every command, the warning only hid the
    # messages `make run` prints for its user.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Ripple's queries are short; PostgreSQL's JIT compiler, triggered by a high estimated
    # cost rather than by real work, spent ~650 ms compiling the portfolio's 20 ms query.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # django-redis rather than Django's own backend: with IGNORE_EXCEPTIONS a Redis that
    # is down is a cache miss (logged), so a broker outage, which is this same Redis in
    # production, slows the SPC reads but never fails a request.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ripple",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # A file cache is shared by the web server and the worker in embedded mode.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Cached SPC results are one entry per measure: a trust has thousands.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

CELERY_QUEUE_DIR = VAR_DIR / "celery"
# The host part means nothing to the file-system transport; naming one quiets kombu.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    for folder in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it finishes, so a worker that dies mid-task leaves
# it to be redelivered; every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses the broker keeps trying (with Celery's backoff, up to 30 s apart)
# for as long as it takes, instead of giving up after 100 tries.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the connection drops is redelivered anyway (acks_late), so it is
# stopped rather than finished twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # An unacknowledged task of a worker that died comes back after this long; it is
        # longer than any task's hard time limit (30 minutes for the daily jobs).
        "visibility_timeout": 60 * 60,
        # Notice a half-open connection (the broker restarted) within seconds.
        "socket_keepalive": True,
        "health_check_interval": 10,
        "socket_connect_timeout": 5,
        "retry_on_timeout": True,
    }
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Europe/London"

# --- Auth ---------------------------------------------------------------------------
# Change reasons (why a project was abandoned, say) are sentences, not 100-character labels.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

AUTH_USER_MODEL = "backend.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on's callback only: it answers nothing but the code flow.
    "backend.sso.Backend",
]
# A password reset link works for this long, and once.
PASSWORD_RESET_TIMEOUT = env.int("RIPPLE_PASSWORD_RESET_HOURS", default=2) * 60 * 60
# An invitation's link works for this many days, and once.
RIPPLE_INVITATION_DAYS = env.int("RIPPLE_INVITATION_DAYS", default=7)
# Wrong passwords in a row (within 15 minutes) that lock an account for 15 minutes.
RIPPLE_SIGN_IN_FAILURE_LIMIT = env.int("RIPPLE_SIGN_IN_FAILURE_LIMIT", default=10)

# --- Single sign-on (OpenID Connect; Microsoft Entra ID or any provider) ------------------
# Unset: no single sign-on. The provider's endpoints come from its discovery document.
RIPPLE_OIDC_ISSUER = env.str("RIPPLE_OIDC_ISSUER", default="")
RIPPLE_OIDC_CLIENT_ID = env.str("RIPPLE_OIDC_CLIENT_ID", default="")
RIPPLE_OIDC_CLIENT_SECRET = env.str("RIPPLE_OIDC_CLIENT_SECRET", default="")
RIPPLE_OIDC_BUTTON = env.str("RIPPLE_OIDC_BUTTON", default="Sign in with your organisation account")
OIDC_RP_SIGN_ALGO = env.str("RIPPLE_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-callback"

REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("RIPPLE_TOKEN_TTL_HOURS", default=24 * 14)),
    "AUTO_REFRESH": True,
    "AUTH_HEADER_PREFIX": "Token",
}

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "backend.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "backend.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backend.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "backend.metadata.Metadata",
    "DEFAULT_PARSER_CLASSES": [
        "backend.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("RIPPLE_AUTH_THROTTLE", default="30/min"),
        "password_reset": env.str("RIPPLE_PASSWORD_RESET_THROTTLE", default="10/hour"),
    },
    # How many proxies in front of Ripple set X-Forwarded-For; 0 trusts only the socket's
    # address, so a client cannot dodge the sign-in limit by sending the header itself.
    "NUM_PROXIES": env.int("RIPPLE_NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # A time of day, without a zone: the database's time columns hold none.
    "TIME_INPUT_FORMATS": ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Ripple API",
    "DESCRIPTION": (
        "Improvement projects, PDSA cycles, measures read with SPC, and spread of what "
        "works. Authenticate with `Authorization: Token <token>` from "
        "`POST /api/v1/auth/token/`. Every error has the `Error` shape. Create endpoints "
        "accept an `Idempotency-Key` header; updates accept `If-Match` with an `ETag`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status", "kind" or "role"; name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "backend.models.Unit.Kind",
        "MembershipRoleEnum": "backend.models.Membership.Role",
        "ProjectStatusEnum": "projects.models.Project.Status",
        "ProjectMemberRoleEnum": "projects.models.ProjectMember.Role",
        "DriverKindEnum": "projects.models.Driver.Kind",
        "ChangeIdeaStatusEnum": "projects.models.ChangeIdea.Status",
        "CycleStageEnum": "pdsa.models.Cycle.Stage",
        "NotificationKindEnum": "notifications.models.Kind",
        "SpreadCandidateStatusEnum": "spread.models.SpreadCandidate.Status",
        "AdoptionStatusEnum": "spread.models.Adoption.Status",
        "EscalatorLevelEnum": "capability.levels.Level",
        "TrainingRecordStatusEnum": "capability.models.TrainingRecord.Status",
        "AssessmentStatusEnum": "assessment.models.Assessment.Status",
    },
}

# --- E-mail -------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Every SMTP step is bounded, so a send cannot hang past the delivery claim's lease
# whatever the worker's pool (a solo or thread pool does not enforce time limits).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ripple <ripple@localhost>")
RIPPLE_BASE_URL = env.str("RIPPLE_BASE_URL", default="http://localhost:8000")

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))

# --- Photos and documents (backend/uploads.py) --------------------------------------
# Stored through Django's storage API: the file system under var/media by default, or an
# S3-compatible object store (AWS S3, MinIO, Ceph ...) through django-storages when
# RIPPLE_S3_BUCKET is set; credentials come from the usual AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (or the instance's role). Files are never at a public address:
# the store is private and the pages serve each file to those who may see its record.
MEDIA_ROOT = Path(env.str("RIPPLE_MEDIA_ROOT", default=str(VAR_DIR / "media")))
RIPPLE_MAX_UPLOAD_MB = env.int("RIPPLE_MAX_UPLOAD_MB", default=10)
RIPPLE_S3_BUCKET = env.str("RIPPLE_S3_BUCKET", default="")
if RIPPLE_S3_BUCKET:
    _FILE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RIPPLE_S3_BUCKET,
            "endpoint_url": env.str("RIPPLE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("RIPPLE_S3_REGION", default="") or None,
            "location": env.str("RIPPLE_S3_PREFIX", default=""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "addressing_style": env.str("RIPPLE_S3_ADDRESSING_STYLE", default="") or None,
        },
    }
else:
    _FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _FILE_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploaded files (evidence of training): served only through views that check who asks.
MEDIA_ROOT = Path(env.str("RIPPLE_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Security (on whenever DEBUG is off) --------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp): scripts, styles and everything else from this
# site only; no inline script anywhere (the pages load ripple.js, the API docs Swagger's
# split view), no framing, forms post only here. Images may be data: URLs (the SPC icons)
# and blob: URLs the page made itself (a chart drawn to PNG for download).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
