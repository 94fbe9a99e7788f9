"""Django's loaddata, with errors that name the record by its natural key and unresolved references.

Loading records no change history: a fixture is seed data, not a curator's edit, and loading it twice
must change nothing. django-simple-history already skips raw saves; this covers many-to-many links too.
"""

from django.core.management.commands import loaddata
from django.db import DatabaseError, IntegrityError, transaction


def describe(deserialized):
    instance = deserialized.object
    try:
        identity = f"natural key {list(instance.natural_key())!r}"
    except (AttributeError, TypeError):
        identity = f"pk={instance.pk}"
    unresolved = "".join(
        f"; {field.name} {value!r} does not exist" for field, value in deserialized.deferred_fields.items()
    )
    return f"{instance._meta.label} with {identity}{unresolved}"


class Command(loaddata.Command):
    def save_obj(self, obj):
        obj.object.skip_history_when_saving = True
        try:
            # A savepoint keeps the transaction usable for describing the record that failed.
            with transaction.atomic(using=self.using):
                return super().save_obj(obj)
        except (DatabaseError, IntegrityError, ValueError) as error:
            error.args = (f"{error.args[0]} [record: {describe(obj)}]",)
            raise
