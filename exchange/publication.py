"""What every export says of who published a framework and when."""

from datetime import UTC

PUBLISHER = "National Skills Exchange"


def iso_datetime(value):
    """An aware datetime as ISO 8601 in UTC, written with Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
