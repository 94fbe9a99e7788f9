"""Time occupation search over a fixed list of 50 queries.

    python bench/search.py [--rounds N]

Runs each query through the directory page (`/occupations/?q=…`, view and template, in process through
Django's test client, no network, page cache off) against the database DATABASE_URL names, which should hold a full
O*NET release (`python manage.py import_onet ../shared/onet/db_30_1_text`). Prints the median, 95th
percentile and worst time per request and the top result of each query. The target is p95 < 50 ms on
PostgreSQL.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QUERIES = [
    # titles and words of titles
    "insurance sales agents", "registered nurses", "software developers", "electricians", "cashiers",
    "teacher", "nurse", "chef", "truck driver", "accountant", "lawyer", "pharmacist", "plumber",
    "carpenter", "web developer", "data scientist", "police", "firefighter", "dental hygienist", "pilot",
    # typos
    "insurnce agent", "electrcian", "sofware developer", "acountant", "pharmasist", "carpentr",
    "mechnic", "recepionist", "phisician", "janitr",
    # codes, with and without the dot part, and major-group prefixes
    "41-3021.00", "413021", "41-3021", "29-1141", "15-1252.00", "11", "47", "53-3032", "291141", "43",
    # other titles and tasks
    "bond writer", "bank president", "account representative", "sell insurance policies",
    "customer service", "repair engines", "teach students", "prepare tax returns", "operate forklift",
    "write code",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each query runs (the first warms up)")
    args = parser.parse_args()
    if args.rounds < 2:
        parser.error("--rounds must be at least 2: the first only warms up")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nsx.settings")
    # Pages link static files by name: no collectstatic manifest is needed to time them.
    os.environ.setdefault("DJANGO_PLAIN_STATIC", "true")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    # Every request searches: the page cache would answer repeats without running the query.
    os.environ["DJANGO_PAGE_CACHE"] = "false"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from frameworks import selectors

    assert len(QUERIES) == 50
    client = Client(HTTP_HOST="localhost")
    timings, tops = [], {}
    for query in QUERIES:
        for round_number in range(args.rounds):
            started = time.perf_counter()
            response = client.get("/occupations/", {"q": query})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{query!r}: HTTP {response.status_code}")
            if round_number:
                timings.append(elapsed)
        top = selectors.directory({"q": query}).first()
        tops[query] = top.title if top else "—"

    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    server = f" {connection.pg_version // 10000}" if connection.vendor == "postgresql" else ""
    print(f"Database: {connection.vendor}{server} · {connection.settings_dict['NAME']}")
    print(f"Machine: {os.cpu_count()} CPUs · Python {platform.python_version()} · Django {django.get_version()}")
    print(f"{len(QUERIES)} queries × {args.rounds - 1} timed rounds = {len(timings)} requests\n")
    print("| median ms | p95 ms | worst ms |\n|---:|---:|---:|")
    print(f"| {statistics.median(timings):.1f} | {p95:.1f} | {timings[-1]:.1f} |\n")
    print("| query | first result |\n|---|---|")
    for query, title in tops.items():
        print(f"| {query} | {title} |")


if __name__ == "__main__":
    main()
