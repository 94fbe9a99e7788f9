"""Django's loaddata, with errors that name the fixture, the record by its natural key and unresolved
references, and say what was wrong, without a traceback.

Loading records no change history: a fixture is seed data, not a curator's edit, and loading it twice
must change nothing. django-simple-history already skips raw saves; this covers many-to-many links too.
"""

from django.core.management import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
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
    def handle(self, *fixture_labels, **options):
        try:
            return super().handle(*fixture_labels, **options)
        except (DeserializationError, DatabaseError, ValueError, OSError) as error:
            # Django names the fixture, but for a file it cannot parse or read, not why.
            message = str(error)
            if message.endswith(": ") and error.__cause__ is not None:
                message += str(error.__cause__)
            if "Problem installing fixture" not in message:  # failed before Django named the file
                message = f"Problem installing fixture {', '.join(map(repr, fixture_labels))}: {message}"
            raise CommandError(message) from error

    def save_obj(self, obj):
        obj.object.skip_history_when_saving = True
        try:
            # A savepoint keeps the transaction usable for describing the record that failed.
            with transaction.atomic(using=self.using):
                return super().save_obj(obj)
        except (DatabaseError, IntegrityError, ValueError) as error:
            error.args = (f"{error.args[0]} [record: {describe(obj)}]",)
            raise
