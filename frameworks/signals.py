import threading
from contextlib import contextmanager

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from evidence.models import SourceAnchor
from frameworks.models import OccupationTitle
from frameworks.search import refresh_derived_fields
from nsx.cache import content_changed_on_commit

_batch = threading.local()


@contextmanager
def batch_of_changes():
    """Within it, per-row follow-ups wait: the caller refreshes derived fields and the cache once after.

    A release import deletes thousands of rows one signal at a time; refreshing an occupation and moving
    the content generation for each would multiply its work many times over.
    """
    _batch.active = True
    try:
        yield
    finally:
        _batch.active = False


def in_batch():
    return getattr(_batch, "active", False)


@receiver([post_save, post_delete], sender=OccupationTitle)
@receiver([post_save, post_delete], sender=SourceAnchor)
def keep_derived_fields_current(sender, instance, **kwargs):
    if in_batch():
        return
    if sender is OccupationTitle or instance.kind in (SourceAnchor.Kind.TASK, SourceAnchor.Kind.TECHNOLOGY):
        refresh_derived_fields([instance.occupation_id])


def mark_content_changed(**kwargs):
    if not in_batch():
        content_changed_on_commit()


def connect_content_signals():
    """Any change to what pages show starts a new content generation (see nsx.cache)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed

    from evidence.models import Suggestion

    for app_label in ("frameworks", "evidence"):
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            if model is Suggestion:  # public submissions change no page
                continue
            uid = f"content-changed:{model._meta.label}"
            post_save.connect(mark_content_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(mark_content_changed, sender=model, dispatch_uid=uid)
            m2m_changed.connect(mark_content_changed, sender=model, dispatch_uid=uid)
