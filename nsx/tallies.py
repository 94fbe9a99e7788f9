"""What an import did to each kind of row, and the table its command prints of it."""

from dataclasses import dataclass


@dataclass
class Tally:
    """What an import did to one kind of row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    COLUMNS = ("created", "updated", "unchanged", "deleted")

    @property
    def changes(self):
        return self.created + self.updated + self.deleted


def tally_table(tallies):
    """The lines of a table with a row per kind of row (tallies: kind -> Tally) and a column per count."""
    columns = next(iter(tallies.values())).COLUMNS if tallies else Tally.COLUMNS
    width = max(map(len, tallies), default=0)
    lines = [" " * width + "".join(f"{column:>11}" for column in columns)]
    for kind, tally in tallies.items():
        lines.append(f"{kind:<{width}}" + "".join(f"{getattr(tally, column):>11,}" for column in columns))
    return lines
