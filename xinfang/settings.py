"""Xinfang settings: one module, configured by environment variables.

With no configuration at all it runs the demo: an SQLite file under ./var/,
DEBUG off, public demo keys.  Production sets DATABASE_URL (PostgreSQL),
XINFANG_SECRET_KEY and XINFANG_DATA_KEY (or their *_FILE variants), and
refuses to start without the keys.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("XINFANG_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """A string from NAME, or from the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Production mode: a database other than the demo's SQLite file, or DEBUG
# switched off explicitly.  It refuses to start without its own two keys.  The
# demo and the test suite (pytest) run with public, fixed demo keys.
DEMO_SECRET_KEY = "demo-only-insecure-secret-key-change-me-in-production"
_default_sqlite = f"sqlite:///{VAR_DIR / 'xinfang.sqlite3'}"
_database_url = env_str("DATABASE_URL", "")
TESTING = "pytest" in sys.modules
PRODUCTION = not TESTING and (
    _database_url not in ("", _default_sqlite)
    or (os.environ.get("XINFANG_DEBUG") is not None and not env_bool("XINFANG_DEBUG", False))
)
# Off unless asked for: with DEBUG on, a 404 page lists every URL pattern.
DEBUG = env_bool("XINFANG_DEBUG", False) and not PRODUCTION
SECRET_KEY = env_str("XINFANG_SECRET_KEY", "") or ("" if PRODUCTION else DEMO_SECRET_KEY)
# Key for personal data at rest (AES-GCM) and keyed lookup hashes.  Never derived
# from SECRET_KEY in production; the demo's default equals the demo secret, the
# key earlier demo databases were written with.
DATA_KEY = env_str("XINFANG_DATA_KEY", "") or ("" if PRODUCTION else DEMO_SECRET_KEY)
if PRODUCTION:
    _problems = []
    if len(SECRET_KEY) < 50 or SECRET_KEY == DEMO_SECRET_KEY or len(set(SECRET_KEY)) < 5:
        _problems.append("XINFANG_SECRET_KEY (or XINFANG_SECRET_KEY_FILE): at least 50 random characters")
    if len(DATA_KEY) < 32 or DATA_KEY in (SECRET_KEY, DEMO_SECRET_KEY) or len(set(DATA_KEY)) < 5:
        _problems.append(
            "XINFANG_DATA_KEY (or XINFANG_DATA_KEY_FILE): at least 32 random characters, not the secret key"
        )
    if _problems:
        raise ImproperlyConfigured(
            "Production mode (DATABASE_URL is not the demo's SQLite, or XINFANG_DEBUG=0) needs its own keys; "
            "生产模式必须配置自己的密钥，拒绝启动。Missing or unsafe: "
            + "; ".join(_problems)
            + '. Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )
ALLOWED_HOSTS = env_list("XINFANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("XINFANG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "xinfang.units",
    "xinfang.accounts",
    "xinfang.calendars",
    "xinfang.audit",
    "xinfang.petitions",
    "xinfang.alerts",
    "xinfang.notifications",
    "xinfang.documents",
    "xinfang.triage",
    "xinfang.portal",
    "xinfang.reception",
    "xinfang.ownership",
    "xinfang.hearings",
    "xinfang.commitments",
    "xinfang.supervision",
    "xinfang.stats",
    "xinfang.demo",
    "xinfang.inbox",
    "xinfang.web",
    "xinfang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xinfang.web.middleware.CleanInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfang.web.context.site",
            ],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(_database_url or _default_sqlite, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the demo server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Session options for PostgreSQL (XINFANG_PG_OPTIONS; empty for none, e.g. behind a pooler
    # that refuses them).  No JIT by default: our heaviest queries take well under a second,
    # and compiling them cost more than it saved (60–110 ms of a 0.6 s hot-spot query at
    # 1,000,000 petitions).
    _pg_options = os.environ.get("XINFANG_PG_OPTIONS", "-c jit=off")
    if _pg_options:
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", _pg_options)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
CSRF_FAILURE_VIEW = "xinfang.api.urls.csrf_failure"  # JSON under /api/v1/
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = env_int("XINFANG_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("XINFANG_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS in production (manage.py check --deploy passes); behind a proxy that
# terminates TLS set XINFANG_PROXY_SSL_HEADER=1 (it must set X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("XINFANG_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("XINFANG_HSTS_SECONDS", 365 * 86400 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("XINFANG_HSTS_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("XINFANG_HSTS_PRELOAD", False)
if env_bool("XINFANG_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Preloading into browsers' HSTS lists is the domain owner's decision, not ours
# (a government intranet name cannot be preloaded).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Covering indexes (Index.include) are PostgreSQL's; SQLite builds their key columns alone,
# which is what we want there, so its "no non-key columns" warning says nothing.
SILENCED_SYSTEM_CHECKS += ["models.W040"]
# Failed logins per account and address in 15 minutes, and per address across
# accounts (accounts/views.py); counters in the database (accounts/ratelimit.py).
LOGIN_ATTEMPTS_PER_15_MIN = env_int("XINFANG_LOGIN_ATTEMPTS", 10)
LOGIN_ATTEMPTS_PER_IP_15_MIN = env_int("XINFANG_LOGIN_ATTEMPTS_PER_IP", 100)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["XINFANG_REDIS_URL"],
    }
    if os.environ.get("XINFANG_REDIS_URL")
    else {
        # The database cache is shared by every process of one installation,
        # which rate limits need; the Redis cache is the production choice.
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "xinfang_cache",
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("XINFANG_MEDIA_ROOT", str(VAR_DIR / "media")))
ATTACHMENT_MAX_BYTES = env_int("XINFANG_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_TYPES = env_list(
    "XINFANG_ATTACHMENT_TYPES",
    [
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/tiff",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Inbox exports (inbox/jobs.py): a list of more rows than EXPORT_SYNC_MAX_ROWS is written by the
# worker into MEDIA_ROOT/exports (private: served only to the user who asked), kept EXPORT_KEEP_HOURS.
EXPORT_SYNC_MAX_ROWS = env_int("XINFANG_EXPORT_SYNC_MAX_ROWS", 2000)
EXPORT_MAX_ROWS = env_int("XINFANG_EXPORT_MAX_ROWS", 1_000_000)  # an Excel sheet holds 1,048,576
EXPORT_KEEP_HOURS = env_int("XINFANG_EXPORT_KEEP_HOURS", 24)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Case numbers such as 海信〔2026〕00123号: {prefix} is the bureau's short code.
CASE_NUMBER_FORMAT = env_str("XINFANG_CASE_NUMBER_FORMAT", "{prefix}信〔{year}〕{seq:05d}号")
CASE_NUMBER_PREFIX = env_str("XINFANG_CASE_NUMBER_PREFIX", "海")
# Deadline rules counted in working days instead of calendar days (some provinces
# count working days throughout); see xinfang/calendars/rules.py for the names.
DEADLINE_WORKING_DAY_RULES = env_list("XINFANG_WORKING_DAY_RULES", [])
DUE_SOON_DAYS = env_int("XINFANG_DUE_SOON_DAYS", 3)
# A document for the petitioner with no recorded delivery (送达) after this many days is
# an early warning; periods the regulation sets none for, chosen by the bureau.
DELIVERY_WARNING_DAYS = env_int("XINFANG_DELIVERY_WARNING_DAYS", 5)
JURISDICTION_DECISION_DAYS = env_int("XINFANG_JURISDICTION_DECISION_DAYS", 15)  # Art. 24
IMPLEMENTATION_DAYS = env_int("XINFANG_IMPLEMENTATION_DAYS", 30)  # Art. 32, last paragraph

# The portal's public origin as petitioners reach it (receipts, QR codes, SMS links);
# page paths are added from the URL conf.  The demo's default follows its port.
PORTAL_BASE_URL = env_str("XINFANG_PORTAL_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}")
NOTIFICATION_BACKEND = env_str("XINFANG_NOTIFICATION_BACKEND", "xinfang.notifications.backends.FileBackend")
NOTIFICATION_OUTBOX = VAR_DIR / "outbox"
SMS_GATEWAY_URL = env_str("XINFANG_SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("XINFANG_SMS_GATEWAY_TOKEN", "")
EMAIL_BACKEND = env_str("XINFANG_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("XINFANG_FROM_EMAIL", "xinfang@localhost")

TRIAGE_MODEL_DIR = Path(env_str("XINFANG_TRIAGE_MODEL_DIR", str(VAR_DIR / "triage")))

# --- Operations: background work, retries, backups (README "Production") ---
# API Idempotency-Keys (and used portal submission tokens) are kept this many days, then the
# worker deletes them.
IDEMPOTENCY_KEY_DAYS = env_int("XINFANG_IDEMPOTENCY_KEY_DAYS", 7)
# A portal submission form must be posted within this many hours of being shown (never longer
# than the keys are kept); its one-time token makes a double submit give one petition.
PORTAL_SUBMIT_TOKEN_HOURS = env_int("XINFANG_PORTAL_SUBMIT_TOKEN_HOURS", 24)
# The worker queues petitions received in these last days that have no triage (triage/queue.py).
TRIAGE_SWEEP_DAYS = env_int("XINFANG_TRIAGE_SWEEP_DAYS", 2)
# Memory each process may hold for copies of large scopes' vectors (similar matters, triage/similar.py).
TRIAGE_SCOPE_COPIES_MB = env_int("XINFANG_TRIAGE_SCOPE_COPIES_MB", 256)
# A registration this many seconds old without its SMS acknowledgement is repaired by the worker.
NOTIFICATION_REPAIR_SECONDS = env_int("XINFANG_NOTIFICATION_REPAIR_SECONDS", 300)
# Behind the TLS proxy of deploy/nginx-xinfang.conf: trust its X-Forwarded-Proto (never set this
# when clients can reach the application directly).
if env_bool("XINFANG_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Tokens and passwords never reach the log, whoever logs them (xinfang/lib/logredact.py).
    "filters": {"redact": {"()": "xinfang.lib.logredact.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("XINFANG_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default handler for "django" does not redact: use ours only.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
