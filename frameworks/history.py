"""Change history of curated rows: who changed which field, when, from what to what."""

from django.db.models.signals import pre_save
from simple_history.models import HistoricalRecords

BASELINE_REASON = "State before the first recorded change"
_TRACKED = {}  # model -> its History


class History(HistoricalRecords):
    """django-simple-history's records, plus a row's state from before its first recorded change.

    Rows loaded from a fixture (raw saves) or written by the O*NET import (bulk writes) get no history,
    so without a baseline the first curator edit would have no old value to show or restore.
    """

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:  # finalize hears of every model class; this History tracks one
            _TRACKED[sender] = self
            pre_save.connect(self._before_save, sender=sender, weak=False)

    def _before_save(self, sender, instance, raw=False, using=None, **kwargs):
        if not (raw or instance._state.adding or hasattr(instance, "skip_history_when_saving")):
            self.record_baseline(sender, instance, using)

    def record_baseline(self, sender, instance, using=None):
        history = getattr(sender, self.manager_name).using(using)
        if history.filter(**{sender._meta.pk.attname: instance.pk}).exists():  # pk would mean history_id
            return
        before = sender._default_manager.using(using).filter(pk=instance.pk).first()
        if before is None:
            return
        before._history_user = None  # not the curator about to save: nobody knows who wrote it
        before._change_reason = BASELINE_REASON
        self.create_historical_record(before, "~", using=using)


def record_baseline(instance):
    """Record the stored state of a tracked row that has no history yet, before changing it some other
    way than by saving it (an update() leaves the history alone)."""
    _TRACKED[type(instance)].record_baseline(type(instance), instance)
