"""What the data commands (import_onet, import_framework, export_framework, seed, loaddata) share."""

import os
from contextlib import contextmanager

from django.core.management import CommandError
from django.core.management.base import DjangoHelpFormatter
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


def require_migrated_database(using=DEFAULT_DB_ALIAS):
    """Refuse to start on a database that cannot be reached or that `migrate` has not brought up to date.

    Otherwise the first query fails with a traceback that names a missing table, not the step left out.
    """
    try:
        executor = MigrationExecutor(connections[using])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        raise CommandError(f"Cannot use the database: {str(error).strip()}") from error
    if plan:
        count = len(plan)
        raise CommandError(
            f"The database lacks {count} migration{'s' if count != 1 else ''}: run "
            "`python manage.py migrate` first."
        )


# pg_advisory_xact_lock's key for the data commands' writes: a number no other code of the project takes.
DATA_WRITES_LOCK = 0x4E5358  # "NSX"
SQLITE_WRITER_WAIT_MS = 15 * 60 * 1000


def lock_data_writes(using=DEFAULT_DB_ALIAS):
    """Inside a transaction: wait while another data command writes, and make others wait until it ends.

    Two at once (two cron jobs, or an import beside `seed`) would each insert rows the other is inserting,
    and the later would fail on a duplicate key (PostgreSQL) or "database is locked" (SQLite). Waiting, the
    later sees the earlier's rows once it commits, and changes only what still differs.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DATA_WRITES_LOCK])
        elif connection.vendor == "sqlite":
            # SQLite's one writer: taken by a write that changes nothing, before any read, and waited for as
            # long as an import may take rather than the connection's few seconds.
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_WRITER_WAIT_MS}")
            cursor.execute("UPDATE django_migrations SET id = id WHERE 0")


# The status a shell gives a command that Ctrl-C stopped: 128 + SIGINT.
INTERRUPTED = 130


@contextmanager
def stopped_by_interrupt(message="Interrupted: nothing was imported."):
    """Ctrl-C ends a command that writes in one transaction with a line saying so, rather than a traceback:
    by the time the interrupt leaves the transaction, the transaction has been rolled back."""
    try:
        yield
    except KeyboardInterrupt:
        raise CommandError(message, returncode=INTERRUPTED) from None


@contextmanager
def reader_may_stop_early(stdout):
    """Around a summary printed once the work is committed: when the reader stops reading (`| head -1`), the
    command ends quietly with status 0, as the work is done, rather than with a BrokenPipeError traceback."""
    try:
        yield
        stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout once more as it exits; pointed at /dev/null, that flush cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)


EXIT_STATUS = (
    "exit status: 0 done; 1 refused or failed, the reason on stderr, nothing changed; 2 a wrong option or "
    "argument; 130 stopped by Ctrl-C, nothing changed."
)


class HelpWithExamples(DjangoHelpFormatter):
    """Django's help layout, with each indented line (an example) kept as written rather than wrapped."""

    def _fill_text(self, text, width, indent):
        return "\n".join(
            line if line.startswith(" ") else super(HelpWithExamples, self)._fill_text(line, width, indent)
            for line in text.splitlines()
        )


class WithExamples:
    """A data command whose --help ends with examples of its use and what its exit status means."""

    examples = ()  # (what it does, or "", command line)

    def create_parser(self, prog_name, subcommand, **kwargs):
        lines = []
        for note, example in self.examples:
            lines += [f"  # {note}", f"  {example}"] if note else [f"  {example}"]
        kwargs.setdefault("epilog", "\n".join(["examples:", *lines, "", EXIT_STATUS]))
        kwargs.setdefault("formatter_class", HelpWithExamples)
        return super().create_parser(prog_name, subcommand, **kwargs)
