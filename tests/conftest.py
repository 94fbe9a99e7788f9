import os

import pytest
from django.test import override_settings

from tests.tools import REDIS_URL, redis_reachable


@pytest.fixture(scope="session", autouse=True)
def _own_file_cache(tmp_path_factory):
    """Tests clear the cache: a running server's, or another test run's, is not theirs. So they keep a file
    cache of their own, as the site does without REDIS_URL, even where REDIS_URL is set: clearing that
    Redis would empty a running server's pages. Tests of Redis use tests.tools.REDIS_URL (redis_cache)."""
    location = str(tmp_path_factory.mktemp("cache"))
    os.environ["DJANGO_CACHE_DIR"] = location  # for the commands tests run in another process
    own = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": location}
    with override_settings(CACHES={"default": own}):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Sign-in throttling has its own tests (tests/test_security.py); elsewhere Client.login must just work.
    settings.AXES_ENABLED = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached pages: content changes move the cache on only when committed,
    which a test's transaction never is."""
    from django.core.cache import cache

    from evidence import ratelimit

    cache.clear()
    ratelimit.outage.retry_at = None  # a cache a test made unreachable is tried at once by the next
    yield
    cache.clear()


@pytest.fixture
def seed(db):
    """The Insurance Sales Agents framework, as shipped in fixtures/."""
    from django.core.management import call_command

    call_command("loaddata", "insurance-sales-agents", verbosity=0)
    from frameworks.models import Framework

    return Framework.objects.get(occupation__soc_code="41-3021.00", version="26.05")


@pytest.fixture
def draft(seed):
    """A draft copy of the seed framework, v.26.06: the only kind whose content anyone may change."""
    from frameworks import services

    return services.copy_as_new_version(seed, "26.06")


@pytest.fixture
def curator(db):
    from tests.factories import UserFactory

    return UserFactory(username="curator", role="Curator")


@pytest.fixture
def editor(db):
    from tests.factories import UserFactory

    return UserFactory(username="editor", role="Editor")


@pytest.fixture
def redis_cache(settings):
    """The cache framework on Redis, as in production, instead of this process's memory."""
    from django.core.cache import cache

    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    settings.CACHES = {
        "default": {"BACKEND": "nsx.redis_cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "nsx"}
    }
    from evidence import ratelimit

    cache.clear()
    ratelimit.outage.retry_at = None  # a cache a test made unreachable is tried at once by the next
    yield
    cache.clear()
