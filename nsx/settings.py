"""NSX settings, read from the environment with safe defaults for local use."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from redis.connection import parse_url as parse_redis_url

BASE_DIR = Path(__file__).resolve().parent.parent

# Settings are read as a process starts: gunicorn runs no system checks, so a wrong value must stop it
# here, named, rather than fail inside Django on the first request or quietly weaken the site.
SWITCH_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def env_bool(name, default=False):
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in SWITCH_VALUES:
        # Read as off, a misspelt DJANGO_PRODUCTION=ture would turn every protection off.
        raise ImproperlyConfigured(f"{name}={os.environ[name]!r} is not a switch: use true or false.")
    return SWITCH_VALUES[value]


def env_number(name, default, kind=int, minimum=0):
    value = os.environ.get(name, "").strip()
    if not value:
        return kind(default)
    try:
        number = kind(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a {'whole ' if kind is int else ''}number of {minimum} or more."
        )
    return number


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# DJANGO_PRODUCTION=true turns on every protection a public deployment needs (see the end of this file).
PRODUCTION = env_bool("DJANGO_PRODUCTION")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG is on: production must not show visitors tracebacks and settings.")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production must not run on the development key.")
    SECRET_KEY = "insecure-local-development-key-change-me-0123456789abcdefghijkl"
elif PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # What `check --deploy` calls weak; signed cookies and sessions are only as safe as this key.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too short or too simple: use 50 or more random characters, such as "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))' prints."
    )

if PRODUCTION and not os.environ.get("DJANGO_ALLOWED_HOSTS", "").strip():
    # The local default would answer every request for the site's own name 400.
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS to the site's host names, such as nsx.example.org.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Django compares these with the Host header less its port: a scheme, port or path never matches.
HOST_NAME = re.compile(r"\*|\.?[a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]", re.IGNORECASE)
for host in ALLOWED_HOSTS:
    if not HOST_NAME.fullmatch(host):
        raise ImproperlyConfigured(
            f"DJANGO_ALLOWED_HOSTS: {host!r} is not a host name; give names alone, such as nsx.example.org, "
            ".example.org for it and its subdomains, or 127.0.0.1."
        )

# Origins, besides the site's own, whose forms may post here: needed when the proxy in front does not pass
# on the Host the browser asked for.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
for origin in CSRF_TRUSTED_ORIGINS:
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"} or parts.query:
        raise ImproperlyConfigured(
            f"DJANGO_CSRF_TRUSTED_ORIGINS: {origin!r} is not an origin; give a scheme and host name alone, "
            "such as https://nsx.example.org."
        )

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
    raise ImproperlyConfigured("Set DATABASE_URL: production must not fall back to the local SQLite file.")
DATABASE_EXAMPLE = "such as postgres://nsx:PASSWORD@db:5432/nsx or sqlite:///path/to/nsx.sqlite3"
try:
    database = dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_number("DJANGO_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
except ValueError as error:  # the message names the scheme at most, never the password
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address ({error}); give one {DATABASE_EXAMPLE}.") from None
if database["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"} or not database["NAME"]:
    raise ImproperlyConfigured(f"DATABASE_URL must name a PostgreSQL or SQLite database, {DATABASE_EXAMPLE}.")
DATABASES = {"default": database}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DJANGO_DB_POOL"):
    # psycopg's connection pool, one per process; it replaces persistent connections. A sync gunicorn
    # worker runs one request at a time, so one connection each: every process's pool counts against
    # PostgreSQL's max_connections. A request waits for a connection a few seconds at most, well inside
    # gunicorn's timeout, so a database outage answers 503 quickly rather than holding every worker.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_number("DJANGO_DB_POOL_MIN", 1),
        "max_size": env_number("DJANGO_DB_POOL_MAX", env_number("GUNICORN_THREADS", 1), minimum=1),
        "timeout": env_number("DJANGO_DB_POOL_TIMEOUT", 5, float),
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
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip().strip("/") + "/"
if not re.fullmatch(r"[\w.~-]+(/[\w.~-]+)*/", ADMIN_URL, re.ASCII):
    raise ImproperlyConfigured(
        f"DJANGO_ADMIN_URL={os.environ['DJANGO_ADMIN_URL']!r} is not a path of its own; give one such as curation-desk/."
    )
# The framework change form posts ~5 fields per statement: Django's default 1,000 stops at ~200 statements.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# No form takes files: a request that sends one is refused (400) before its content is read.
DATA_UPLOAD_MAX_NUMBER_FILES = 0
# Bytes of the largest request body, whatever it holds (413 past it). By default 2.5 MB, Django's default
# limit for a form's fields, which is all the site's forms send; the two limits move together.
NSX_MAX_REQUEST_BODY = env_number("DJANGO_MAX_REQUEST_BODY", 2621440, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = NSX_MAX_REQUEST_BODY

AUTHENTICATION_BACKENDS = [
    # Refuses sign-in after repeated failures, for the admin and the public sign-in alike.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Where 0 often means "no limit", here it would refuse every sign-in, the first included.
AXES_FAILURE_LIMIT = env_number("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_number("DJANGO_LOGIN_COOLOFF_HOURS", 1, float)
# A name and an address together: by name alone, anyone could lock a curator out by mistyping on purpose.
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "evidence.ratelimit.client_address"
AXES_USERNAME_CALLABLE = "nsx.views.sign_in_username"  # a name cut to what its records hold
# How many proxies of ours stand in front and append to X-Forwarded-For (0: the peer is the client).
NSX_PROXY_COUNT = env_number("DJANGO_PROXY_COUNT", 0)
AXES_LOCKOUT_CALLABLE = "nsx.views.sign_in_paused"  # says how long the pause lasts

# A shared cache (Redis) when REDIS_URL is set, so every app process sees the same pages and limits.
# Without it, files in the project: still shared by every process of this machine, so a change made by
# a command (an import, loaddata) reaches the running server's pages as one made in the admin does.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    try:
        for location in re.split("[;,]", REDIS_URL):  # a primary and its replicas, as Django reads it
            parse_redis_url(location)
            if urlsplit(location).scheme != "unix" and not re.fullmatch(r"/?\d*", urlsplit(location).path):
                raise ValueError("its database is a number")
    except ValueError as error:
        # Else every cache call would fail and the site run on, uncached and unshared, with a warning.
        raise ImproperlyConfigured(
            f"REDIS_URL is not a Redis address ({error}); give one such as redis://redis:6379/0."
        ) from None
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
SECURE_HSTS_SECONDS = env_number("DJANGO_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# Read in any case: logging knows only DEBUG, INFO, WARNING, ERROR and CRITICAL, and failed on anything
# else, "debug" too, with "Unable to configure root logger".
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "").strip().upper() or "INFO"
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"DJANGO_LOG_LEVEL={os.environ['DJANGO_LOG_LEVEL']!r} is not a level: use debug, info, warning, error or critical."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "nsx.logging.JsonFormatter"}},
    "filters": {
        "request_id": {"()": "nsx.logging.RequestIdFilter"},
        "refusal": {"()": "nsx.logging.RefusalFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id", "refusal"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Each request is logged once, by nsx.request, a failure's traceback included; Django's own request
        # logs would repeat it, a 500 as a second line that names neither its status nor its duration.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "CRITICAL"},
        "axes": {"level": "WARNING"},
    },
}
