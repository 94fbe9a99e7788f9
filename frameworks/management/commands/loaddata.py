"""Django's loaddata, with errors that name the fixture, the record by its natural key and unresolved
references, and say what was wrong, without a traceback.

Each record is held to its fields' rules before it is saved (frameworks.fixtures), as a curator's edit and
a framework file are: otherwise a fixture could store what export_framework then writes and import_framework
refuses. A fixture that lists one record twice is refused, rather than loaded with the last copy winning.

Loading records no change history: a fixture is seed data, not a curator's edit, and loading it twice
must change nothing. django-simple-history already skips raw saves; this covers many-to-many links too.
"""

from pathlib import Path

from django.core.exceptions import FieldDoesNotExist
from django.core.management import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, transaction

from frameworks.fixtures import describe_instance, field_problems
from frameworks.models import OccupationTitle, comparable_title
from nsx.commands import WithExamples, lock_data_writes, require_migrated_database, stopped_by_interrupt

# Only a file this small is read to learn whether it holds nothing but spaces and line breaks.
BLANK_FILE_SIZE = 4096


class RecordRefused(Exception):
    """A record of a fixture that is not saved: Django names the fixture file before the message."""


def describe(deserialized):
    unresolved = "".join(
        f"; {field.name} {value!r} does not exist" for field, value in deserialized.deferred_fields.items()
    )
    return f"{describe_instance(deserialized.object)}{unresolved}"


def missing_references(instances, using):
    """Each instance's foreign key that names a row neither the database nor the instances hold."""
    wanted = {}
    for instance in instances:
        for field in instance._meta.concrete_fields:
            if field.many_to_one and (value := getattr(instance, field.attname)) is not None:
                wanted.setdefault((field.related_model, field.target_field.attname), []).append((instance, field, value))
    missing = []
    for (model, key), references in wanted.items():
        values = {value for _, _, value in references}
        held = set(model._base_manager.using(using).filter(**{f"{key}__in": values}).values_list(key, flat=True))
        held |= {getattr(instance, key) for instance in instances if isinstance(instance, model)}
        missing += [(instance, field, value) for instance, field, value in references if value not in held]
    return missing


class Command(WithExamples, loaddata.Command):
    help = (
        "Load fixtures (Django's loaddata), each record held to its fields' rules; a problem names the fixture, "
        "the record by its natural key and the field. Into a database an O*NET release was imported into, "
        "import framework files with import_framework instead."
    )
    examples = (
        ("fixtures/insurance-sales-agents.json", "manage.py loaddata insurance-sales-agents"),
        ("print nothing but errors", "manage.py loaddata path/to/fixture.json -v 0"),
    )

    def loaddata(self, fixture_labels):
        self.loaded = []  # (fixture label, instance) of each record saved
        self.listed = {}  # (model, pk) -> (fixture file number, record number) of each record saved
        self.file_number, self.record_number = None, 0
        try:
            # A savepoint, so that the references can be read after a failed check, which names a
            # table's row id (SQLite) or a constraint (PostgreSQL) but not the record.
            with transaction.atomic(using=self.using):
                lock_data_writes(self.using)
                super().loaddata(fixture_labels)
        except IntegrityError:
            self.refuse_missing_references()
            raise

    def refuse_missing_references(self):
        if missing := missing_references([instance for _, instance in self.loaded], self.using):
            instance, field, value = missing[0]
            label = next(label for label, loaded in self.loaded if loaded is instance)
            raise CommandError(
                f"Problem installing fixture {label!r}: {describe_instance(instance)}: "
                f"{field.name} {value!r} does not exist"
            )

    def find_fixtures(self, fixture_label):
        fixtures = super().find_fixtures(fixture_label)
        for fixture_file, _, _ in fixtures:
            # Django's readers fail on a blank file with a traceback (YAML) or "Expecting value" (JSON).
            path = Path(fixture_file)
            if path.is_file() and path.stat().st_size <= BLANK_FILE_SIZE and not path.read_bytes().strip():
                raise CommandError(f"Problem installing fixture {fixture_file!r}: the file is empty")
        return fixtures

    def load_label(self, fixture_label):
        self.fixture_label = fixture_label
        return super().load_label(fixture_label)

    def handle(self, *fixture_labels, **options):
        require_migrated_database(options["database"])
        try:
            with stopped_by_interrupt("Interrupted: nothing was loaded."):
                return super().handle(*fixture_labels, **options)
        except (DeserializationError, DatabaseError, RecordRefused, ValueError, OSError) as error:
            # Django names the fixture, but for a file it cannot parse or read, not why.
            message = str(error)
            if message.endswith(": ") and error.__cause__ is not None:
                message += str(error.__cause__)
            if isinstance(error, DeserializationError) and isinstance(
                error.__cause__, (TypeError, KeyError, AttributeError, FieldDoesNotExist)
            ):
                # Django's own words ("string indices must be integers") name neither the record nor the fault.
                fixture = message.partition(": Error deserializing object: ")[0]
                message = f"{fixture}: {self.unreadable_record(error.__cause__)}"
            if "Problem installing fixture" not in message:  # failed before Django named the file
                message = f"Problem installing fixture {', '.join(map(repr, fixture_labels))}: {message}"
            raise CommandError(message) from error

    def unreadable_record(self, cause):
        # The record after the last one handed to save_obj, in the file Django opened last.
        number = self.record_number + 1 if self.file_number == self.fixture_count else 1
        if isinstance(cause, FieldDoesNotExist):
            return f"record {number}: {cause}"
        return (
            f'record {number} is not a mapping with "model" and "fields", as each record of a fixture is '
            "(a framework file is imported with import_framework)"
        )

    def save_obj(self, obj):
        if self.file_number != self.fixture_count:  # Django counts each fixture file as it opens it
            self.file_number, self.record_number = self.fixture_count, 0
        self.record_number += 1
        self.refuse_invalid(obj.object)
        obj.object.skip_history_when_saving = True
        try:
            # A savepoint keeps the transaction usable for describing the record that failed.
            with transaction.atomic(using=self.using):
                saved = super().save_obj(obj)
        except (DatabaseError, IntegrityError, ValueError) as error:
            error.args = (f"{error.args[0]} [record: {describe(obj)}]",)
            raise
        if saved:
            self.loaded.append((self.fixture_label, obj.object))
            self.listed[type(obj.object), obj.object.pk] = (self.file_number, self.record_number)
        return saved

    def refuse_invalid(self, instance):
        if problems := field_problems(instance):
            raise RecordRefused(f"{describe_instance(instance)}: {'; '.join(problems)}")
        if isinstance(instance, OccupationTitle):
            self.refuse_title_held(instance)
        # A record already loaded from this file was found by its natural key, and this copy would
        # overwrite it.
        file_number, record_number = self.listed.get((type(instance), instance.pk), (None, None))
        if instance.pk is not None and file_number == self.file_number:
            raise RecordRefused(
                f"{describe_instance(instance)}: listed twice, as records {record_number} and "
                f"{self.record_number} of the file"
            )

    def refuse_title_held(self, title):
        # The admin, framework files and O*NET imports keep each title of an occupation once, whatever its
        # kind; a second would make an export that import_framework refuses.
        others = OccupationTitle.objects.using(self.using).filter(occupation_id=title.occupation_id)
        wanted = comparable_title(title.title)
        for kind, held in others.exclude(pk=title.pk).values_list("kind", "title"):
            if comparable_title(held) == wanted:
                raise RecordRefused(
                    f"{describe_instance(title)}: title: the occupation already has the title {held!r} "
                    f"({OccupationTitle.Kind(kind).label.lower()}); it holds each title once, whatever its "
                    "kind, case or spacing"
                )
