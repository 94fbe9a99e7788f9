"""python manage.py import_onet <release folder> [--dry-run] [--allow-downgrade]: import an O*NET release."""

from django.core.management.base import BaseCommand, CommandError

from frameworks.onet_import import DowngradeError, ReleaseError, import_release, list_files
from nsx.commands import WithExamples, reader_may_stop_early, require_migrated_database, stopped_by_interrupt
from nsx.tallies import tally_table


class Progress:
    """Progress through the import's steps: a bar redrawn in place on a terminal, or else a line per step,
    which a log from cron or a container keeps readable."""

    WIDTH = 30

    def __init__(self, stream, *, in_place):
        self.stream, self.in_place = stream, in_place

    def __call__(self, done, total, label):
        if self.in_place:
            filled = self.WIDTH * done // total
            bar = "#" * filled + "." * (self.WIDTH - filled)
            line = f"\r[{bar}] {done}/{total} {label}"[:100].ljust(100)
            ending = "\n" if done == total else ""
        else:
            line, ending = f"{done}/{total} {label}", "\n"
        # Plain text: a command's stderr otherwise styles everything as an error.
        self.stream.write(line, style_func=lambda text: text, ending=ending)
        self.stream.flush()


class Command(WithExamples, BaseCommand):
    help = (
        "Import an O*NET database release (text format): occupations, job zones, titles, related "
        "occupations and O*NET source anchors. Running it again with the same release changes nothing."
    )
    examples = (
        ("import or upgrade to O*NET 30.1", "manage.py import_onet db_30_1_text"),
        ("say what would change, change nothing", "manage.py import_onet db_30_1_text --dry-run"),
        ("go back to an older release", "manage.py import_onet db_29_3_text --allow-downgrade"),
        ("from cron: print nothing but errors", "manage.py import_onet db_30_1_text -v 0"),
        ("a line per step, without a terminal", "manage.py import_onet db_30_1_text -v 2 2>>import.log"),
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The release folder, e.g. db_30_1_text.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Import, report, then roll everything back."
        )
        parser.add_argument(
            "--allow-downgrade",
            action="store_true",
            help="Import the release even if it is older than the one imported last.",
        )

    def handle(self, folder, dry_run, allow_downgrade, verbosity, **options):
        require_migrated_database()
        # Progress goes to stderr, so only where someone watches: a terminal, or a log asked for with -v 2.
        on_terminal = self.stderr.isatty()
        show_progress = verbosity >= 2 or (verbosity >= 1 and on_terminal)
        try:
            with stopped_by_interrupt():
                report = import_release(
                    folder,
                    dry_run=dry_run,
                    allow_downgrade=allow_downgrade,
                    progress=Progress(self.stderr, in_place=on_terminal) if show_progress else None,
                )
        except DowngradeError as error:
            raise CommandError(f"{error} Pass --allow-downgrade to import it anyway.") from error
        except ReleaseError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 1:
            with reader_may_stop_early(self.stdout):
                self._print_summary(report)

    def _print_summary(self, report):
        release = report.release
        self.stdout.write(f"{release}" + (f" ({release.released})" if release.released else ""))
        if report.missing_files:
            self.stdout.write(f"Not in this release, skipped: {list_files(report.missing_files)}")
        for line in tally_table(report.tallies):
            self.stdout.write(line)
        if any(tally.kept for tally in report.tallies.values()):
            self.stdout.write(
                "kept: no longer in the release, but cited or curator-authored, so not deleted."
            )
        if not report.changes:
            self.stdout.write(self.style.SUCCESS(f"Nothing changed: the database already matches {release}."))
        elif report.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: everything was rolled back."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {release}."))
