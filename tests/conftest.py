import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Sign-in throttling has its own tests (tests/test_security.py); elsewhere Client.login must just work.
    settings.AXES_ENABLED = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def seed(db):
    """The Insurance Sales Agents framework, as shipped in fixtures/."""
    from django.core.management import call_command

    call_command("loaddata", "insurance-sales-agents", verbosity=0)
    from frameworks.models import Framework

    return Framework.objects.get(occupation__soc_code="41-3021.00", version="26.05")


@pytest.fixture
def curator(db):
    from tests.factories import UserFactory

    return UserFactory(username="curator", role="Curator")


@pytest.fixture
def editor(db):
    from tests.factories import UserFactory

    return UserFactory(username="editor", role="Editor")
