"""Settings for the Wanghua platform.

Everything that differs between a laptop demo and production comes from WANGHUA_* environment
variables; `WANGHUA_PRODUCTION=1` turns on the hardened profile that `check --deploy` verifies.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent  # the repository root (editable install)
VAR_DIR = Path(os.environ.get("WANGHUA_VAR_DIR", BASE_DIR / "var"))
# The embedded database and job queue live there, and huey opens its queue when Django sets up: any entry point
# (pytest, gunicorn, manage commands) needs the folder before that.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_flag("WANGHUA_PRODUCTION")
DEBUG = env_flag("WANGHUA_DEBUG") and not PRODUCTION
SECRET_KEY = os.environ.get("WANGHUA_SECRET_KEY") or (
    "" if PRODUCTION else "insecure-demo-key-only-for-local-use-9f3c1e7a2b5d8c4e6f0a1b2c3d4e5f60"
)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("WANGHUA_SECRET_KEY must be set (50+ characters) in production")
ALLOWED_HOSTS = os.environ.get("WANGHUA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("WANGHUA_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_filters",
    "axes",
    "ninja",
    "huey.contrib.djhuey",  # `wanghua run_huey`: the job worker that `wanghua serve` starts
    "wanghua.core",
    "wanghua.org",
    "wanghua.stations",
    "wanghua.industry",
    "wanghua.lab",
    "wanghua.projects",
    "wanghua.civic",
    "wanghua.culture",
    "wanghua.dashboard",
    "wanghua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wanghua.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wanghua.core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wanghua.core.middleware.AccessRuleMiddleware",
    "axes.middleware.AxesMiddleware",
]
if os.environ.get("WANGHUA_COUNT_QUERIES"):  # the demo walk pins how many queries each page may run
    MIDDLEWARE.insert(0, "wanghua.core.middleware.QueryCountMiddleware")

ROOT_URLCONF = "wanghua.urls"
WSGI_APPLICATION = "wanghua.wsgi.application"
ASGI_APPLICATION = "wanghua.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wanghua.core.context_processors.shell",
            ],
        },
    },
]

# SQLite (WAL) is the embedded default; WANGHUA_DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASE_URL = os.environ.get("WANGHUA_DATABASE_URL", f"sqlite:///{VAR_DIR / 'wanghua.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
        "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not a shared in-memory database, so that concurrent writers queue on SQLite's
    # real lock (busy_timeout) exactly as they do in production.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "core:login"

# Shared state. Without WANGHUA_CACHE_URL the cache is this process's memory (one process: tests, the shell).
# Several servers — or several workers of one — must share one: redis://host:6379/1 (Django's own RedisCache;
# the public report's rate limit counts there), or file:///path for workers on one machine, which is what
# `wanghua serve` sets for its gunicorn workers when nothing else is configured.
CACHE_URL = os.environ.get("WANGHUA_CACHE_URL", "")
CACHE_KEY_PREFIX = os.environ.get("WANGHUA_CACHE_KEY_PREFIX", "wanghua")


def cache_config(url: str, prefix: str) -> dict:
    if not url or url.startswith("locmem:"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": prefix}
    if url.startswith("file://"):
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": url[len("file://"):],
                "KEY_PREFIX": prefix}
    if url.split(":", 1)[0] in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    raise RuntimeError(f"WANGHUA_CACHE_URL: unknown scheme in {url!r} (redis://, rediss://, unix://, file://)")


CACHES = {"default": cache_config(CACHE_URL, CACHE_KEY_PREFIX)}

# The client address (rate limits, lockout, login log, audit): X-Forwarded-For is believed only from these
# proxies (addresses or CIDR blocks, e.g. "127.0.0.1,10.0.0.0/8"); without them, the connection's address.
from wanghua.core.clientip import parse_proxies  # noqa: E402  (a plain module: no Django models)

TRUSTED_PROXIES = parse_proxies(os.environ.get("WANGHUA_TRUSTED_PROXIES", ""))
RATELIMIT_IP_META_KEY = "wanghua.core.clientip.client_ip"
RATELIMIT_USE_CACHE = "default"
AXES_CLIENT_IP_CALLABLE = "wanghua.core.clientip.client_ip"

# Login throttling: five failures for one username from one address lock it for 15 minutes. Attempts are kept
# in the database (axes' database handler), so the lockout holds across every server sharing it.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("WANGHUA_STATIC_ROOT", VAR_DIR / "static")) if PRODUCTION else None
NODE_MODULES = Path(os.environ.get("WANGHUA_NODE_MODULES", BASE_DIR / "node_modules"))
# Front-end libraries come from npm (package.json); only their built files are exposed.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
# Telemetry retention (`wanghua prune_telemetry`): raw samples and dead letters, then minute rollups.
TELEMETRY_RAW_DAYS = int(os.environ.get("WANGHUA_TELEMETRY_RAW_DAYS", "90"))
TELEMETRY_ROLLUP_DAYS = int(os.environ.get("WANGHUA_TELEMETRY_ROLLUP_DAYS", "730"))

# The job queue (huey): the scheduled jobs of core/jobs.py and 立即执行 run in the job worker that `wanghua serve`
# starts (`wanghua run_huey`). Embedded on SQLite in VAR_DIR; on Redis when WANGHUA_REDIS_URL is set (several
# servers then share one queue). WANGHUA_JOBS_IMMEDIATE=1 runs each job inside the call that enqueues it (tests).
REDIS_URL = os.environ.get("WANGHUA_REDIS_URL", "")
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "name": "wanghua",
    "immediate": env_flag("WANGHUA_JOBS_IMMEDIATE"),
    "results": False,  # each run is recorded as a core.JobRun instead
    "utc": True,
    **({"url": REDIS_URL} if REDIS_URL else {"filename": str(VAR_DIR / "jobs.sqlite3")}),
    "consumer": {"workers": int(os.environ.get("WANGHUA_JOB_THREADS", "2")), "worker_type": "thread",
                 "periodic": True, "check_worker_health": True, "flush_locks": True, "initial_delay": 0.2,
                 "max_delay": 2.0},
}

# TrueType CJK faces embedded (subset) in printed PDFs, so they read the same on any machine.
PDF_FONTS = {
    "regular": NODE_MODULES / "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
    "bold": NODE_MODULES / "@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf",
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Content-Security-Policy (django-csp): scripts, styles, fonts and data from our own origin only — no inline
# script, no inline event handler, no eval (behaviours are data attributes read by wanghua/behaviour.js).
# Inline *styles* stay allowed: templates size charts with style attributes and htmx adds its indicator style;
# a style cannot run code. Images may also be data: URIs (Bootstrap's form controls draw with them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# A session ends after WANGHUA_SESSION_IDLE_MINUTES without a request (core.middleware.SessionTimeoutMiddleware)
# and, however busy, WANGHUA_SESSION_MAX_HOURS after its login.
SESSION_IDLE_MINUTES = int(os.environ.get("WANGHUA_SESSION_IDLE_MINUTES", "30"))
SESSION_MAX_HOURS = int(os.environ.get("WANGHUA_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = int(timedelta(hours=SESSION_MAX_HOURS).total_seconds())
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_flag("WANGHUA_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WANGHUA_LOG_LEVEL", "WARNING")},
    # The job worker logs through Django's handler (huey would add its own, and every line came twice).
    "loggers": {"huey": {"handlers": ["console"], "level": os.environ.get("WANGHUA_LOG_LEVEL", "WARNING"),
                         "propagate": False}},
}
CSRF_FAILURE_VIEW = "wanghua.core.views.csrf_failure"
