"""python manage.py import_framework FILE [--dry-run]: create or update one framework from its file ("-" reads
standard input)."""

from django.core.management.base import BaseCommand, CommandError

from exchange.fileformat import FrameworkFileError
from exchange.services import ImportReport, import_framework
from nsx.commands import WithExamples, reader_may_stop_early, require_migrated_database, stopped_by_interrupt
from nsx.tallies import tally_table


class Command(WithExamples, BaseCommand):
    help = (
        "Create or update one framework from a framework file (YAML or JSON, see docs/framework-format.md). "
        "The file is the framework's full content; running it again with the same file changes nothing."
    )
    examples = (
        ("", "manage.py import_framework fixtures/frameworks/insurance-sales-agents.yaml"),
        ("say what would change, change nothing", "manage.py import_framework framework.json --dry-run"),
        ("from standard input: a framework served by another NSX site", "curl -s https://nsx.example/occupations/41-3021.00/framework.json | manage.py import_framework -"),
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help='The framework file, e.g. fixtures/frameworks/insurance-sales-agents.yaml; "-" reads standard input.',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Import, report, then roll everything back."
        )

    def handle(self, file, dry_run, verbosity, **options):
        require_migrated_database()
        try:
            with stopped_by_interrupt():
                report = import_framework(file, dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        except FrameworkFileError as error:
            count = len(error.problems)
            heading = f"{error.name}: {count} problem{'s' if count != 1 else ''}; nothing was imported."
            raise CommandError("\n".join([heading, *error.lines])) from error
        if verbosity >= 1:
            with reader_may_stop_early(self.stdout):
                self._print_summary(report)

    def _print_summary(self, report: ImportReport):
        framework = report.framework
        self.stdout.write(
            f"{framework.occupation.soc_code} {framework.occupation.title} v{framework.version} "
            f"from {report.name}"
        )
        rows = {kind: tally for kind, tally in report.tallies.items() if tally.changes or tally.unchanged}
        for line in tally_table(rows):
            self.stdout.write(line)
        if not report.changes:
            self.stdout.write(self.style.SUCCESS("Nothing changed: the database already matches the file."))
        elif report.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {report.changes:,} change{'s' if report.changes != 1 else ''}.")
            )
