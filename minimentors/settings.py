"""MiniMentors settings: one module, driven by the environment.

| variable        | unset (embedded default)                   | set (scale-out)                 |
| DATABASE_URL    | SQLite file in var/                        | PostgreSQL                      |
| REDIS_URL       | in-memory channel layer, file-based Celery | channels-redis, Celery on Redis |
| MINIMENTORS_ENV | development (DEBUG, demo data allowed)     | production (secrets required)   |

Production refuses to start without what it needs, naming the missing variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MINIMENTORS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = os.environ.get("MINIMENTORS_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"MINIMENTORS_ENV must be development, production or test, not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"MINIMENTORS_ENV=production needs the environment variable {name}; it is not set."
        )
    return value


if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
    DEBUG = False
else:
    # Development only: a fixed key is acceptable because demo data is never real data.
    SECRET_KEY = os.environ.get(
        "SECRET_KEY", "development-only-key-not-for-production-4f9c2a7b1e8d6h3j5k0m"
    )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
    DEBUG = ENVIRONMENT == "development" and os.environ.get("DJANGO_DEBUG", "1") == "1"

# The proxies in front of Daphne (addresses or networks, comma-separated): only a connection
# from one of them may tell us the visitor's address (X-Forwarded-For). Unset: nobody may.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

# Origins allowed to open websockets and post forms (behind a proxy, list the public origin).
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "minimentors",
    "moderation",
    "chat",
    "counselling",
    "safeguarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "minimentors.middleware.CleanTextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "moderation.middleware.SanctionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "minimentors.urls"
ASGI_APPLICATION = "minimentors.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "minimentors.context_processors.site",
                "chat.context_processors.unread_messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "minimentors.sqlite3"),
            # Daphne, the Celery worker and beat share one file: WAL lets readers run beside
            # the writer, IMMEDIATE transactions queue writers instead of failing with "locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": os.environ.get("MINIMENTORS_TEST_DB") or None},
            # Keep the connection between messages: reopening SQLite for every chat message
            # was the largest single cost per message.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, Celery broker, cache ----------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "minimentors",
        },
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    if PRODUCTION:
        # The in-memory layer only reaches sockets of one process: never in production.
        _required("REDIS_URL")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "minimentors.layers.EmbeddedChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }
    # A database cache is shared by Daphne, the worker and beat on one machine (rate limits,
    # the watched-words version); created by the cache table migration.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "minimentors_cache",
        },
        # Chat rate limits (chat.ratelimit; with Redis they live in Redis): the embedded site
        # has one Daphne process (the in-memory channel layer cannot span two), so its own
        # memory is the whole truth and costs no write.
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("out", "processed", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "data_folder_processed": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
    }

CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = ENVIRONMENT == "test"

# --- Accounts and passwords -----------------------------------------------------------------
AUTH_USER_MODEL = "minimentors.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/chat/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Tests create hundreds of accounts; Argon2's deliberate cost is checked in its own test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Throttle by username and address together, so one child guessing cannot lock a whole school
# out, and nobody can lock another child out from elsewhere.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# "Amy", "AMY" and " amy " are one member, so they share one count of wrong tries.
AXES_USERNAME_CALLABLE = "minimentors.login.axes_username"
# Addresses come from minimentors.addresses: X-Forwarded-For only from a trusted proxy.
AXES_CLIENT_IP_CALLABLE = "minimentors.addresses.axes_client_address"
# Wrong passwords from one address (any names) before logging in from there pauses: a school
# shares one address, so this is higher than the per-name limit, and far below guessing.
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
LOGIN_ADDRESS_WINDOW_SECONDS = 15 * 60
# Wrong join codes on the sign-up page, per address and per school, before joining pauses
# there (per school from every address, so a code cannot be guessed from many places).
SIGNUP_CODE_FAILURES_PER_ADDRESS = int(os.environ.get("SIGNUP_CODE_FAILURES_PER_ADDRESS", "10"))
SIGNUP_CODE_FAILURES_PER_SCHOOL = int(os.environ.get("SIGNUP_CODE_FAILURES_PER_SCHOOL", "30"))
SIGNUP_CODE_WINDOW_SECONDS = 15 * 60
# Every form a member sends, together (minimentors.form_limits): per minute and per hour.
MEMBER_FORM_LIMIT_PER_MINUTE = int(os.environ.get("MEMBER_FORM_LIMIT_PER_MINUTE", "5"))
MEMBER_FORM_LIMIT_PER_HOUR = int(os.environ.get("MEMBER_FORM_LIMIT_PER_HOUR", "30"))
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The proxy's health check reaches Daphne over plain HTTP on loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Internationalisation, time -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- MiniMentors ----------------------------------------------------------------------------
# Opening hours in UK time; "00:00-24:00" means always open.
OPENING_HOURS = os.environ.get("OPENING_HOURS", "08:00-20:00")
# Helplines per age group; "default" applies to every group without its own entry.
HELPLINES = {
    "default": [
        {"name": "ChildLine", "phone": "0800 1111", "url": "https://www.childline.org.uk"},
    ],
}
# The one moderation entry point, reached by the accounts layer through this setting.
MEMBER_TEXT_REVIEW = "moderation.services.review_text"
# How the accounts layer alerts staff to a cry for help typed outside a chat (a username).
MEMBER_TEXT_ALERT = "moderation.services.alert_member_text"
# Build the moderation engine when the ASGI server starts, not on the first message (tests
# build it when they first need it, with the test database).
MODERATION_WARM_AT_START = ENVIRONMENT != "test"
# Demo accounts only; seed_demo refuses to run in production.
DEMO_PASSWORD_DEFAULT = "bright-kite-47"  # noqa: S105
# Chat limits (the websocket contract): 10 messages in any 10 seconds by default.
CHAT_RATE_LIMIT_MESSAGES = int(os.environ.get("CHAT_RATE_LIMIT_MESSAGES", "10"))
CHAT_RATE_LIMIT_SECONDS = int(os.environ.get("CHAT_RATE_LIMIT_SECONDS", "10"))
CHAT_MAX_SOCKETS_PER_MEMBER = int(os.environ.get("CHAT_MAX_SOCKETS_PER_MEMBER", "5"))
CHAT_MAX_FRAME_BYTES = 16 * 1024
CHAT_HISTORY_LENGTH = 50
MENTOR_MAX_BUBBLES = int(os.environ.get("MENTOR_MAX_BUBBLES", "2"))
ALERT_REPEAT_AFTER = timedelta(
    seconds=float(os.environ.get("ALERT_REPEAT_SECONDS", "0"))
    or 60 * float(os.environ.get("ALERT_REPEAT_MINUTES", "5"))
)
# A bubble request nobody takes in this time expires (the child is told where to get help).
BUBBLE_REQUEST_EXPIRES_AFTER = timedelta(
    seconds=float(os.environ.get("BUBBLE_REQUEST_EXPIRE_SECONDS", str(20 * 60)))
)
# Files that are never served to the public (transcript exports): downloaded only through the
# Safeguarding Team's admin, which checks and audits every download.
MEDIA_ROOT = VAR_DIR / "private"
EXPORT_FONT = os.environ.get("EXPORT_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# A case with no activity for this long is listed for the team ("What needs doing").
CASE_QUIET_AFTER = timedelta(days=int(os.environ.get("CASE_QUIET_DAYS", "14")))
# Staff sign in to admin with a second factor (TOTP, django-otp) in production; a setting so
# that development and the tests can sign in with a password alone.
STAFF_TWO_FACTOR = PRODUCTION or os.environ.get("STAFF_TWO_FACTOR", "") == "1"
# A counsellor's note can be changed this long after it was written; then only amended.
COUNSELLING_NOTE_GRACE = timedelta(minutes=int(os.environ.get("NOTE_GRACE_MINUTES", "15")))
# The retention job runs daily at 3:15; a number of seconds here runs it that often instead.
PURGE_EVERY_SECONDS = float(os.environ.get("PURGE_EVERY_SECONDS", "0"))
# The retention job rests this long between its batches of deletes, so chat never queues
# behind it on SQLite (a day's purge is small; speed matters less than chat's).
PURGE_PAUSE_SECONDS = float(os.environ.get("PURGE_PAUSE_SECONDS", "0.01"))
# How often beat runs its every-minute jobs (raise alerts again, expire requests); tests of the
# real processes shorten it.
BEAT_TICK_SECONDS = float(os.environ.get("BEAT_TICK_SECONDS", "60"))
# Usernames of staff who receive risk alerts out of hours.
ON_CALL_STAFF = [u.strip() for u in os.environ.get("ON_CALL_STAFF", "").split(",") if u.strip()]
# Longest chat message, in characters (longer ones get the "too_long" error).
CHAT_MAX_MESSAGE_CHARS = 1000
# The login form asks whether a member is blocked from the site, and tells them until when and
# why: (user) -> str | None.
MEMBER_BLOCK_NOTICE = "moderation.sanctions.block_notice"
# The one event path (minimentors.events): without Redis, processes that serve no sockets
# (the Celery worker, beat, commands) hand their events to Daphne through an outbox table,
# read this often. The test suite's own process sends straight to its in-memory layer.
EVENTS_OUTBOX = not REDIS_URL and ENVIRONMENT != "test"
EVENTS_OUTBOX_POLL_SECONDS = float(os.environ.get("EVENTS_OUTBOX_POLL_SECONDS", "0.25"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"minimentors": {"level": "INFO"}, "chat": {"level": "INFO"}},
}
