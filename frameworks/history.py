"""Change history of curated rows: who changed which field, when, from what to what."""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_save
from simple_history.models import HistoricalRecords

BASELINE_REASON = "State before the first recorded change"
_TRACKED = {}  # model -> its History
_OPEN_RECORD = "_history_open_record"  # on an instance: its record that m2m changes in this transaction join
_UNCHANGED = "_history_unchanged"  # on an instance: its save being made changes no recorded field


class History(HistoricalRecords):
    """django-simple-history's records, plus a row's state from before its first recorded change.

    Rows loaded from a fixture (raw saves) or written by the O*NET import (bulk writes) get no history,
    so without a baseline the first curator edit would have no old value to show or restore.

    A save that changes no recorded field (a page saved as it stands) records nothing, baseline included.

    For a model with tracked many-to-many fields, one save is one record. simple-history records the save
    before a form writes the m2m, then once more for each add, remove or clear: an admin save that changes
    a citation's anchors made three records, the first holding the old anchors under the curator's name.
    Here the m2m changes made to the same instance in the same transaction rewrite the m2m rows of the
    record its save (or first m2m change) made.

    `tracks`, given, says which rows keep a history: the others are written by a command alone (an O*NET
    import's titles), which may delete thousands at once.
    """

    def __init__(self, *args, tracks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tracks = tracks or (lambda instance: True)

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:  # finalize hears of every model class; this History tracks one
            _TRACKED[sender] = self
            pre_save.connect(self._before_save, sender=sender, weak=False)

    def _before_save(self, sender, instance, raw=False, using=None, **kwargs):
        instance.__dict__.pop(_UNCHANGED, None)  # left by a save that failed after its pre_save
        if raw or instance._state.adding or hasattr(instance, "skip_history_when_saving"):
            return
        if not self.tracks(instance):
            return
        history = getattr(sender, self.manager_name).using(using)
        records = history.filter(**{sender._meta.pk.attname: instance.pk}).order_by("-history_date", "-history_id")
        latest = records.first()
        # Without history yet, the row as it was loaded or imported.
        before = latest or sender._default_manager.using(using).filter(pk=instance.pk).first()
        if before is None:
            return
        if self.same_fields(before, instance):
            # A page saved as it stands: its record would show no change, and crowd the history.
            instance.__dict__[_UNCHANGED] = True
        elif latest is None:
            self._record_baseline_of(before, using)

    def same_fields(self, recorded, instance):
        """Whether `instance` holds what `recorded` (a history record, or the stored row) holds in every
        recorded field: its many-to-many changes, if any, are recorded as they are made."""
        return all(
            getattr(recorded, field.attname) == getattr(instance, field.attname)
            for field in self.fields_included(instance)
        )

    def post_save(self, instance, created, using=None, **kwargs):
        if instance.__dict__.pop(_UNCHANGED, False) or not self.tracks(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        if self.tracks(instance):
            super().post_delete(instance, using=using, **kwargs)

    def record_baseline(self, sender, instance, using=None):
        history = getattr(sender, self.manager_name).using(using)
        if history.filter(**{sender._meta.pk.attname: instance.pk}).exists():  # pk would mean history_id
            return
        before = sender._default_manager.using(using).filter(pk=instance.pk).first()
        if before is not None:
            self._record_baseline_of(before, using)

    def _record_baseline_of(self, before, using):
        before._history_user = None  # not the curator about to save: nobody knows who wrote it
        before._change_reason = BASELINE_REASON
        # Its m2m rows are read from the database too, so they are the ones from before the change.
        self.create_historical_record(before, "~", using=using)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, using=None, **kwargs):
        if reverse or hasattr(instance, "skip_history_when_saving") or not _enabled():
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if action in ("pre_add", "pre_remove", "pre_clear"):
            # A change of the m2m alone saves no row, so no pre_save records the baseline.
            self.record_baseline(type(instance), instance, using)
        elif action in ("post_add", "post_remove", "post_clear"):
            if (record := self._open_record(instance)) is not None:
                for field in record._history_m2m_fields:
                    self.m2m_models[field].objects.filter(history=record).delete()
                self.create_historical_record_m2ms(record, instance)
            else:
                self.create_historical_record(instance, "~")
        return None

    def create_historical_record_m2ms(self, history_instance, instance):
        super().create_historical_record_m2ms(history_instance, instance)
        if (
            history_instance._history_m2m_fields
            and instance.__dict__.get(_OPEN_RECORD) is not history_instance
        ):
            instance.__dict__[_OPEN_RECORD] = history_instance
            # Outside a transaction this runs at once: every m2m change then has a record of its own.
            transaction.on_commit(
                partial(instance.__dict__.pop, _OPEN_RECORD, None), using=history_instance._state.db
            )

    def _open_record(self, instance):
        record = instance.__dict__.get(_OPEN_RECORD)
        if record is None:
            return None
        history = getattr(type(instance), self.manager_name).using(record._state.db)
        latest = history.filter(**{instance._meta.pk.attname: instance.pk}).values_list(
            "history_id", flat=True
        )
        # Another save of the row since, or a rolled-back savepoint, closes it.
        return record if latest.first() == record.history_id else None


def _enabled():
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True)


def record_baseline(instance):
    """Record the stored state of a tracked row that has no history yet, before changing it some other
    way than by saving it (an update() leaves the history alone)."""
    _TRACKED[type(instance)].record_baseline(type(instance), instance)


def record_m2m_history(records, field_name, links):
    """Give history `records` of rows written in bulk the many-to-many rows (`links`, through-model rows
    also written in bulk) that `field_name` held, as a save of each row would have recorded them."""
    if not records:  # none, or history is switched off
        return
    model = records[0].instance_type
    field = model._meta.get_field(field_name)
    m2m_history_model = _TRACKED[model].m2m_models[field]
    own_attname = field.m2m_field_name() + "_id"
    by_row = {}
    for link in links:
        by_row.setdefault(getattr(link, own_attname), []).append(link)
    attnames = [through_field.attname for through_field in field.remote_field.through._meta.fields]
    pk_attname = model._meta.pk.attname
    m2m_history_model.objects.bulk_create(
        m2m_history_model(history=record, **{name: getattr(link, name) for name in attnames})
        for record in records
        for link in by_row.get(getattr(record, pk_attname), [])
    )


def m2m_history_model(model, field_name):
    """The model of the many-to-many rows that the history records of `model` hold for `field_name`."""
    return _TRACKED[model].m2m_models[model._meta.get_field(field_name)]
