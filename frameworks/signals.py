import threading
from contextlib import contextmanager

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from evidence.models import Citation, EvidenceMetric, SourceAnchor
from frameworks.models import Framework, OccupationTitle, Statement
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


@receiver(pre_save, sender=Framework)
def remember_whether_public(sender, instance, **kwargs):
    # Taking a framework back from the public changes public pages as much as publishing one does.
    instance._was_public = bool(instance.pk) and Framework.objects.public().filter(pk=instance.pk).exists()


def changes_public_pages(instance):
    """Whether saving or deleting this row can change what anonymous visitors see.

    Drafts and frameworks in review, and their statements, citations and metrics, are seen only by
    signed-in curators, whose pages are never cached: curating them leaves every cached page standing.
    """
    if isinstance(instance, Framework):
        return instance.is_public or getattr(instance, "_was_public", False)
    if isinstance(instance, (Statement, EvidenceMetric)):
        return Framework.objects.public().filter(pk=instance.framework_id).exists()
    if isinstance(instance, Citation):
        return Framework.objects.public().filter(statements=instance.statement_id).exists()
    return True


def mark_content_changed(instance, action=None, **kwargs):
    if in_batch() or (action is not None and not action.startswith("post_")):
        return
    if changes_public_pages(instance):
        content_changed_on_commit()


def connect_content_signals():
    """Any change to what public pages show starts a new content generation (see nsx.cache)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed
    from simple_history.models import HistoricalChanges

    from evidence.models import Suggestion

    for app_label in ("frameworks", "evidence"):
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            # Public submissions and the edit history change no public page.
            if model is Suggestion or issubclass(model, HistoricalChanges):
                continue
            uid = f"content-changed:{model._meta.label}"
            post_save.connect(mark_content_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(mark_content_changed, sender=model, dispatch_uid=uid)
            m2m_changed.connect(mark_content_changed, sender=model, dispatch_uid=uid)
