"""Time the O*NET import on real releases.

    python bench/import_onet.py [--flush] [release folder ...]

Imports each folder in turn into the database DATABASE_URL names (migrate it first) and prints a Markdown
table of wall-clock seconds and rows touched. Without folders it times ../shared/onet's 29.3, then 30.1
(the upgrade), then 30.1 again (nothing to change). --flush empties the database first (manage.py flush),
so the first import starts from nothing; use it only on a database kept for benchmarks.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT.parent / "shared" / "onet"
DEFAULT_FOLDERS = [RELEASES / "db_29_3_text", RELEASES / "db_30_1_text", RELEASES / "db_30_1_text"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "folders", nargs="*", type=Path, default=DEFAULT_FOLDERS, help="release folders, in order"
    )
    parser.add_argument("--flush", action="store_true", help="empty the database before the first import")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nsx.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from frameworks.models import Occupation
    from frameworks.onet_import import ReleaseTally, import_release

    if args.flush:
        call_command("flush", interactive=False, verbosity=0)
    server = f" {connection.pg_version // 10000}" if connection.vendor == "postgresql" else ""
    print(f"Database: {connection.vendor}{server} · {connection.settings_dict['NAME']}")
    print(
        f"Machine: {os.cpu_count()} CPUs · Python {platform.python_version()} · Django {django.get_version()}"
    )
    print(f"Occupations before: {Occupation.objects.count()}\n")

    columns = ["created", "updated", "unchanged", "deleted", "retired"]
    print("| # | folder | release | seconds | " + " | ".join(columns) + " |")
    print("|---|---|---|---:|" + "---:|" * len(columns))
    for number, folder in enumerate(args.folders, start=1):
        started = time.perf_counter()
        report = import_release(folder)
        seconds = time.perf_counter() - started
        totals = ReleaseTally(
            **{column: sum(getattr(tally, column) for tally in report.tallies.values()) for column in columns}
        )
        counts = " | ".join(f"{getattr(totals, column):,}" for column in columns)
        print(
            f"| {number} | {folder.name} | {report.release.version} | {seconds:.1f} | {counts} |", flush=True
        )


if __name__ == "__main__":
    main()
