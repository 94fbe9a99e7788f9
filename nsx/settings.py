"""NSX settings, read from the environment with safe defaults for local use."""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# DJANGO_PRODUCTION=true turns on every protection a public deployment needs (see the end of this file).
PRODUCTION = env_bool("DJANGO_PRODUCTION")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("Set DJANGO_SECRET_KEY: production must not run on the development key.")
    SECRET_KEY = "insecure-local-development-key-change-me-0123456789abcdefghijkl"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "nsx.apps.SiteAdminConfig",  # django.contrib.admin, on the site's own admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_htmx",
    "simple_history",
    "axes",
    "frameworks",
    "evidence",
    "exchange",
]

MIDDLEWARE = [
    # First, so that every answer is logged, static files and cached pages too.
    "nsx.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Right inside SecurityMiddleware, as its headers are: every answer carries them, those given before
    # any view too (a host refused, a body too large, the redirect adding a slash).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "nsx.middleware.PermissionsPolicyMiddleware",
    # Before anything reads the body; inside SecurityMiddleware, whose headers its refusal carries too.
    "nsx.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers repeat anonymous requests before the rest of the stack (nsx.cache).
    "nsx.cache.PageCacheMiddleware",
    # Inside the page cache, so a cached page is compressed once rather than on every request.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lets history records name the signed-in user who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks, so it sees every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nsx.urls"

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
                "evidence.context_processors.site_sources",
                "nsx.context_processors.sign_in_return",
            ],
        },
    },
]

WSGI_APPLICATION = "nsx.wsgi.application"

if PRODUCTION and not os.environ.get("DATABASE_URL"):
    # The local default, a SQLite file beside the code, would be lost with the container.
    raise RuntimeError("Set DATABASE_URL: production must not fall back to the local SQLite file.")
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DJANGO_DB_POOL"):
    # psycopg's connection pool, one per process; it replaces persistent connections. A sync gunicorn
    # worker runs one request at a time, so one connection each: every process's pool counts against
    # PostgreSQL's max_connections. A request waits for a connection a few seconds at most, well inside
    # gunicorn's timeout, so a database outage answers 503 quickly rather than holding every worker.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DJANGO_DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("DJANGO_DB_POOL_MAX", os.environ.get("GUNICORN_THREADS", "1"))),
        "timeout": float(os.environ.get("DJANGO_DB_POOL_TIMEOUT", "5")),
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Seconds to wait for a database that does not answer (libpq waits for ever by default).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Parameters bound by the server, so psycopg prepares a query after its fifth run on a connection and
    # PostgreSQL stops planning it again (planning the citation query's eight-table join took 10 ms).
    DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

PLAIN_STATIC = DEBUG or env_bool("DJANGO_PLAIN_STATIC")
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if PLAIN_STATIC
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Plain static files are served from where they are written, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = PLAIN_STATIC

# Pages load nothing from other origins and run no inline script or style.
# Every script is a file of ours, so no nonce: a nonce in a shared cached page would be one every
# visitor sees, which is no nonce at all. (JSON-LD data blocks are not scripts to the CSP.)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Shown at the end of every page's Sources line.
NSX_COPYRIGHT = "© 2026 EBSCOed"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# JSON as Django writes and reads it, but a value a fixture record's field cannot read is named by the record's
# natural key and the field.
SERIALIZATION_MODULES = {"json": "frameworks.fixtures"}

# The admin's address, so that it need not be the well-known /admin/.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
# The framework change form posts ~5 fields per statement: Django's default 1,000 stops at ~200 statements.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# No form takes files: a request that sends one is refused (400) before its content is read.
DATA_UPLOAD_MAX_NUMBER_FILES = 0
# Bytes of the largest request body, whatever it holds (413 past it). By default 2.5 MB, Django's default
# limit for a form's fields, which is all the site's forms send; the two limits move together.
NSX_MAX_REQUEST_BODY = int(os.environ.get("DJANGO_MAX_REQUEST_BODY", "2621440"))
DATA_UPLOAD_MAX_MEMORY_SIZE = NSX_MAX_REQUEST_BODY

AUTHENTICATION_BACKENDS = [
    # Refuses sign-in after repeated failures, for the admin and the public sign-in alike.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_COOLOFF_HOURS", "1"))
# A name and an address together: by name alone, anyone could lock a curator out by mistyping on purpose.
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "evidence.ratelimit.client_address"
AXES_USERNAME_CALLABLE = "nsx.views.sign_in_username"  # a name cut to what its records hold
# How many proxies of ours stand in front and append to X-Forwarded-For (0: the peer is the client).
NSX_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
AXES_LOCKOUT_CALLABLE = "nsx.views.sign_in_paused"  # says how long the pause lasts

# A shared cache (Redis) when REDIS_URL is set, so every app process sees the same pages and limits.
# Without it, files in the project: still shared by every process of this machine, so a change made by
# a command (an import, loaddata) reaches the running server's pages as one made in the admin does.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "nsx.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "nsx",
            # Seconds to wait on a Redis that does not answer (redis-py would wait for ever) before a
            # page is rendered without it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR") or BASE_DIR / ".cache",
        }
    )
}

# Whole-page caching of anonymous pages (nsx.cache); off only to measure the uncached cost.
NSX_PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", True)

# HTTPS protections: all on with DJANGO_PRODUCTION=true; each can still be set alone.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks come over plain HTTP from inside
if env_bool("DJANGO_BEHIND_PROXY", PRODUCTION):
    # The proxy in front terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "nsx.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Each request is logged once, by nsx.request; Django's own request log would repeat it.
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
