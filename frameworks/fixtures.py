"""Fixture records as `loaddata` checks them: each named by its natural key, each field held to the rules a
curator's edit is held to (SERIALIZATION_MODULES names this module for JSON, so that a value Django cannot
read is named the same way)."""

from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import Serializer  # noqa: F401 (dumpdata writes JSON as Django does)


def describe_instance(instance):
    try:
        identity = f"natural key {list(instance.natural_key())!r}"
    except (AttributeError, TypeError):
        identity = f"pk={instance.pk}"
    return f"{instance._meta.label} with {identity}"


def field_problems(instance):
    """"field: why" for each field whose value Model.clean_fields refuses: its choices and validators (no
    control characters, importance on O*NET's scales, …) and, where the field requires one, a value.

    Relations are left out: the references are resolved, and checked, by the load itself. So is a null,
    which the database refuses where the column cannot hold one, naming the record too."""
    unchecked = [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation or getattr(instance, field.attname) is None
    ]
    try:
        instance.clean_fields(exclude=unchecked)
    except ValidationError as error:
        return [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages]
    return []


class Deserializer(JSONDeserializer):
    """Django's, naming a record with a value its field cannot read by the record's natural key and the field,
    rather than as "(evidence.sourceanchor:pk=None) field_value was 'high'"."""

    def __init__(self, stream_or_string, **options):
        if not isinstance(stream_or_string, (bytes, str)):
            stream_or_string = stream_or_string.read()
        if isinstance(stream_or_string, bytes):
            stream_or_string = stream_or_string.decode()
        # Editors on Windows start a file with a byte order mark; import_framework skips one too.
        super().__init__(stream_or_string.removeprefix("\ufeff"), **options)

    def _handle_object(self, obj):
        try:
            yield from super()._handle_object(obj)
        except DeserializationError as error:
            if (described := self._describe_unreadable(obj)) is None:
                raise
            raise DeserializationError(described) from error

    def _describe_unreadable(self, obj):
        try:
            model = self._get_model_from_node(obj["model"])
            unreadable, readable = {}, {}
            for name, value in obj["fields"].items():
                field = model._meta.get_field(name)
                try:
                    if not field.is_relation:
                        field.to_python(value)
                    readable[name] = value
                except ValidationError as error:
                    unreadable[name] = error.messages
            if not unreadable:
                return None
            # The record again without the values that cannot be read, only to learn its natural key.
            rest = next(super()._handle_object({**obj, "fields": readable})).object
        except Exception:  # whatever else is wrong, Django's own message stands
            return None
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in unreadable.items()
        )
        return f"{describe_instance(rest)}: {problems}"
