"""Framework-page throughput and latency under load, against the physical limit of a static file.

    python bench/throughput.py [--seconds 10] [--load-seconds 60]

Needs PostgreSQL (DATABASE_URL), Redis (REDIS_URL, optional: the file cache otherwise) and `wrk` (apt).
It migrates the database, loads the seed framework, renders the framework page once into a static HTML
file served by the same gunicorn through WhiteNoise, then with gunicorn (2 workers) on 127.0.0.1 measures:

1. requests/s for the static copy, the cached page and the uncached page (a second gunicorn with
   DJANGO_PAGE_CACHE=false), and the ratios to static (targets: cached >= 0.8, uncached >= 0.25);
   beside them /healthz uncached, the cheapest answer the full stack gives (one query, no template);
   then the static copy and the cached page again for a client that accepts gzip;
2. 64 connections for --load-seconds each on the framework, search and chip addresses: errors and p99;
3. queries and server time per page type, in process.

Prints Markdown for docs/benchmarks.md. Only loopback addresses are used.
"""

import argparse
import gzip
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PORT = 8931
FRAMEWORK = "/occupations/41-3021.00/"
STATIC_COPY = "/static/bench/framework.html"
GZIP = "Accept-Encoding: gzip"


def run(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def wrk(url, seconds, connections, headers=()):
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *(f"-H{h}" for h in headers), url],
        capture_output=True, text=True, check=True,
    )
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Socket errors: (.*)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p99": p99,
        "requests": requests,
        "errors": (errors.group(1) if errors else "none"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


class Gunicorn:
    def __init__(self, env):
        self.env = env

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "nsx.wsgi", "--config", "gunicorn.conf.py"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://{HOST}:{PORT}/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def setup_django():
    # In process, pages are measured uncached; the gunicorn runs set their own environment.
    os.environ["DJANGO_PAGE_CACHE"] = "false"
    os.environ["DJANGO_CONN_MAX_AGE"] = "600"  # as in the gunicorn runs: no connection set-up per request
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"  # as in the gunicorn runs: a log line per request is not measured
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nsx.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def first_chip():
    from evidence.models import Citation

    return Citation.objects.filter(statement__framework__occupation__soc_code="41-3021.00").order_by("pk")[0].pk


def page_costs(chip):
    """Queries and median server time per page type, in process (warm, uncached)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = {
        "home": ("/", {}),
        "directory": ("/occupations/", {}),
        "search": ("/occupations/?q=insurance+agent", {}),
        "framework (skills)": (FRAMEWORK, {}),
        "framework (durable)": (FRAMEWORK + "?tab=durable", {}),
        "chip (htmx)": (f"/citations/{chip}/", {"HX-Request": "true"}),
        "anchors (htmx)": (FRAMEWORK + "anchors/", {"HX-Request": "true"}),
    }
    client = Client()
    rows = []
    for name, (url, headers) in pages.items():
        client.get(url, headers=headers)
        times = []
        for _ in range(20):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
        rows.append((name, url, len(queries), statistics.median(times)))
    return rows


def print_ratios(results):
    """A Markdown table of the runs, each against the first (the static copy)."""
    static = next(iter(results.values()))["rps"]
    print("| what | requests/s | ratio to static | p99 |\n|---|---:|---:|---:|")
    for name, result in results.items():
        print(f"| {name} | {result['rps']:,.0f} | {result['rps'] / static:.2f} | {result['p99']} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each throughput run")
    parser.add_argument("--load-seconds", type=int, default=60, help="length of each 64-connection run")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database kept for benchmarks.")
    if not shutil.which("wrk"):
        raise SystemExit("Install wrk: apt-get install wrk")

    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"{HOST}:{PORT}",
        "GUNICORN_WORKERS": "2",
        "DJANGO_CONN_MAX_AGE": "600",
    }
    manage = [sys.executable, "manage.py"]
    run(*manage, "migrate", "--noinput", "-v0", env=env)
    run(*manage, "loaddata", "insurance-sales-agents", "-v0", env=env)
    run(*manage, "collectstatic", "--noinput", "-v0", env=env)
    # The page as a visitor gets it, saved where WhiteNoise serves it: the physical limit.
    with Gunicorn(env):
        html = urllib.request.urlopen(f"http://{HOST}:{PORT}{FRAMEWORK}").read()
    copy = ROOT / "staticfiles" / "bench" / "framework.html"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(html)
    # WhiteNoise serves a .gz beside a file to clients that accept gzip, as collectstatic makes them.
    copy.with_name(copy.name + ".gz").write_bytes(gzip.compress(html))

    setup_django()
    chip = first_chip()
    base = f"http://{HOST}:{PORT}"
    results, compressed = {}, {}
    with Gunicorn(env):
        results["static copy (WhiteNoise)"] = wrk(base + STATIC_COPY, args.seconds, 16)
        results["framework page, cached"] = wrk(base + FRAMEWORK, args.seconds, 16)
        compressed["static copy (WhiteNoise's .gz)"] = wrk(base + STATIC_COPY, args.seconds, 16, [GZIP])
        compressed["framework page, cached"] = wrk(base + FRAMEWORK, args.seconds, 16, [GZIP])
        load = {}
        chip_url = f"{base}/citations/{chip}/"
        for name, url in [("framework", base + FRAMEWORK), ("search", base + "/occupations/?q=insurance"),
                          ("chip", chip_url)]:
            load[name] = wrk(url, args.load_seconds, 64)
    with Gunicorn({**env, "DJANGO_PAGE_CACHE": "false"}):
        results["framework page, uncached"] = wrk(base + FRAMEWORK, args.seconds, 16)
        # The floor of any uncached answer: the whole middleware stack and one query, nothing rendered.
        results["/healthz, uncached (one query, no template)"] = wrk(base + "/healthz", args.seconds, 16)

    print(f"Page size: {len(html):,} bytes · gunicorn 2 workers · wrk 2 threads, 16 connections, {args.seconds} s\n")
    print_ratios(results)
    print(f"\nCompressed ({GZIP}):\n")
    print_ratios(compressed)
    print(f"\n64 connections, {args.load_seconds} s each:\n")
    print("| address | requests | requests/s | socket errors | non-2xx | p99 |\n|---|---:|---:|---|---:|---:|")
    for name, result in load.items():
        print(
            f"| {name} | {result['requests']:,} | {result['rps']:,.0f} | {result['errors']} | "
            f"{result['non_2xx']} | {result['p99']} |"
        )
    print("\nPer page type (in process, uncached, median of 20):\n")
    print("| page | address | queries | server ms |\n|---|---|---:|---:|")
    for name, url, queries, millis in page_costs(chip):
        print(f"| {name} | `{url}` | {queries} | {millis:.1f} |")


if __name__ == "__main__":
    main()
