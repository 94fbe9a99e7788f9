from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from evidence.models import SourceAnchor
from frameworks.models import OccupationTitle
from frameworks.search import refresh_derived_fields


@receiver([post_save, post_delete], sender=OccupationTitle)
@receiver([post_save, post_delete], sender=SourceAnchor)
def keep_derived_fields_current(sender, instance, **kwargs):
    # Bulk imports skip signals and refresh once at the end instead.
    if sender is OccupationTitle or instance.kind in (SourceAnchor.Kind.TASK, SourceAnchor.Kind.TECHNOLOGY):
        refresh_derived_fields([instance.occupation_id])


def connect_content_signals():
    """Any change to what pages show starts a new content generation (see nsx.cache)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed

    from evidence.models import Suggestion
    from nsx.cache import content_changed

    for app_label in ("frameworks", "evidence"):
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            if model is Suggestion:  # public submissions change no page
                continue
            uid = f"content-changed:{model._meta.label}"
            post_save.connect(content_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
            m2m_changed.connect(content_changed, sender=model, dispatch_uid=uid)
