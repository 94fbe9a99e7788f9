"""python manage.py export_framework SOC [--version V] [-o FILE]: write a framework file."""

import os
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.document import framework_document
from exchange.fileformat import STANDARD_STREAM, dump_yaml
from exchange.selectors import NoSuchFramework, framework_to_export
from nsx.commands import WithExamples, require_migrated_database, stopped_by_interrupt


class Command(WithExamples, BaseCommand):
    help = (
        "Write one framework as a framework file (YAML, see docs/framework-format.md): the occupation's "
        "published framework, or the one --version names."
    )
    examples = (
        ("the published framework", "manage.py export_framework 41-3021.00 -o framework.yaml"),
        ("a version in any status", "manage.py export_framework 41-3021.00 --version 26.06 > draft.yaml"),
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Here --version names a framework version and replaces Django's own --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "soc_code", metavar="SOC", help="The occupation's O*NET-SOC code, e.g. 41-3021.00."
        )
        parser.add_argument(
            "--version", dest="framework_version", help="The framework version, in any status."
        )
        parser.add_argument(
            "-o", "--output", default=STANDARD_STREAM, help='The file to write; "-" or left out: standard output.'
        )

    def handle(self, soc_code, framework_version, output, **options):
        require_migrated_database()
        try:
            framework = framework_to_export(soc_code, framework_version)
        except NoSuchFramework as missing:
            raise CommandError(str(missing)) from None
        text = dump_yaml(framework_document(framework))
        if output == STANDARD_STREAM:
            self._write_to_standard_output(text)
            return
        try:
            with stopped_by_interrupt("Interrupted: nothing was written."):
                self._write_file(output, text)
        except OSError as error:
            raise CommandError(f"{output}: cannot write the framework file: {error.strerror}.") from None

    @staticmethod
    def _write_file(output, text):
        # newline="\n": the same bytes on every platform, so that exports can be compared.
        if Path(output).exists() and not Path(output).is_file():  # a device or a pipe, such as /dev/stdout
            Path(output).write_text(text, encoding="utf-8", newline="\n")
            return
        target = Path(os.path.realpath(output))  # a link's file, so that the link stays
        # Written beside the file, then renamed over it: a full disk or Ctrl-C midway leaves the last
        # export whole rather than half a framework.
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            partial.write_text(text, encoding="utf-8", newline="\n")
            if target.exists():
                shutil.copymode(target, partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)

    def _write_to_standard_output(self, text):
        # UTF-8 bytes, as written to a file, whatever the locale's encoding of text output.
        binary = getattr(self.stdout, "buffer", None)
        if binary is None:  # a text stream given by call_command
            self.stdout.write(text, ending="")
            return
        binary.write(text.encode("utf-8"))
        binary.flush()
