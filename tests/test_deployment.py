"""The container's entrypoint and gunicorn command, run here outside Docker, on PostgreSQL and Redis."""

import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path

import psycopg
import pytest
import yaml
from django.db import connection

from frameworks.models import Statement
from tests.tools import REDIS_URL, ROOT

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs gunicorn against PostgreSQL"),
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SITE = "127.0.0.1"  # the host name the app processes are asked under, one of their DJANGO_ALLOWED_HOSTS


def database_url(name):
    settings = connection.settings_dict
    user, host, port = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def app_environment(database, **extra):
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": database_url(database),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_PLAIN_STATIC": "true",
        "GUNICORN_WORKERS": "1",
        **extra,
    }


@contextmanager
def gunicorn(env, entrypoint=False, output=None):
    """The address of gunicorn started with env; what it wrote is added to the list output once it stops."""
    with gunicorn_process(env, entrypoint, output) as (_, base):
        yield base


@contextmanager
def gunicorn_process(env, entrypoint=False, output=None):
    """gunicorn started with env, and its address; stopped at the end unless it was already."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "nsx.wsgi", "--config", "gunicorn.conf.py"]
    if entrypoint:
        command = ["docker/entrypoint.sh", *command]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"gunicorn did not start:\n{process.stdout.read()}")
                time.sleep(0.2)
        yield process, base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        written, _ = process.communicate(timeout=30)
        if output is not None:
            output.extend(written.splitlines())


def fetch(url, host=None):
    """The body and headers at url; with host, asked under that name, as a proxy in front asks."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode(), dict(response.headers)


@pytest.fixture
def empty_database():
    name = f"nsx_entrypoint_{uuid.uuid4().hex[:8]}"
    conninfo = database_url("postgres")
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_entrypoint_migrates_when_asked_then_serves(empty_database):
    env = app_environment(empty_database, DJANGO_MIGRATE="true")

    with gunicorn(env, entrypoint=True) as base:
        health, _ = fetch(base + "/healthz")
        home, headers = fetch(base + "/")

    assert '"status": "ok"' in health
    assert "Occupational skill frameworks" in home
    assert "Content-Security-Policy" in headers


@pytest.mark.parametrize("switch", ["True", "1", "yes"])
def test_entrypoint_reads_migrate_as_the_settings_read_their_switches(empty_database, switch):
    env = app_environment(empty_database, DJANGO_MIGRATE=switch)

    subprocess.run(["docker/entrypoint.sh", "true"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)

    with psycopg.connect(database_url(empty_database)) as db:
        assert db.execute("SELECT to_regclass('django_migrations')").fetchone()[0] is not None


def test_a_misspelt_migrate_switch_stops_the_entrypoint_before_its_command():
    # Read as false, it would start the app on a database it had not migrated.
    env = app_environment("nsx", DJANGO_MIGRATE="ture")

    result = subprocess.run(
        ["docker/entrypoint.sh", "echo", "started"], cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 2
    assert "DJANGO_MIGRATE='ture' is not a switch" in result.stderr
    assert "started" not in result.stdout


def dockerfile_healthcheck():
    return next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("HEALTHCHECK"))


def test_the_images_health_check_passes_under_the_sites_host_name(empty_database):
    # The site's own name first, as a deployment sets it; the check connects to the container's gunicorn.
    env = app_environment(empty_database, DJANGO_MIGRATE="true", DJANGO_ALLOWED_HOSTS="nsx.example.org,127.0.0.1")
    assert dockerfile_healthcheck().endswith('CMD ["python", "docker/healthcheck.py"]')

    with gunicorn(env, entrypoint=True) as base:
        port = base.rsplit(":", 1)[1]
        healthy = subprocess.run(
            [sys.executable, "docker/healthcheck.py"], cwd=ROOT, env={**env, "GUNICORN_BIND": f"0.0.0.0:{port}"},
            capture_output=True, text=True, check=False,
        )
    gone = subprocess.run(
        [sys.executable, "docker/healthcheck.py"], cwd=ROOT, env={**env, "GUNICORN_BIND": f"0.0.0.0:{port}"},
        capture_output=True, text=True, check=False,
    )

    assert healthy.returncode == 0, healthy.stderr
    assert '"status": "ok"' in healthy.stdout
    assert gone.returncode != 0 and "unhealthy" in gone.stderr


def test_the_images_health_check_waits_for_a_migration_at_start(empty_database):
    # Docker counts no failure in the start period (0 s unless given); after it, a container still running
    # migrate would be marked unhealthy. Twice the time taken here: a slower host, a database holding data.
    given = re.search(r"--start-period=(\d+)s ", dockerfile_healthcheck())
    start_period = int(given[1]) if given else 0
    started = time.monotonic()

    with gunicorn(app_environment(empty_database, DJANGO_MIGRATE="true"), entrypoint=True):
        migrated_and_serving = time.monotonic() - started

    assert start_period >= 2 * migrated_and_serving, f"{migrated_and_serving:.1f} s to migrate and serve"


def test_gunicorn_writes_nothing_in_its_home_directory(empty_database, tmp_path):
    # The image's user has the code, which it cannot write, for its home.
    env = app_environment(empty_database, DJANGO_MIGRATE="true", HOME=str(tmp_path))
    env.pop("XDG_RUNTIME_DIR", None)

    with gunicorn(env, entrypoint=True) as base:
        fetch(base + "/healthz")

    assert list(tmp_path.iterdir()) == []


def test_the_access_log_names_the_visitor_the_proxy_saw(empty_database):
    # Behind the proxy, the peer is always the proxy itself.
    output = []

    with gunicorn(app_environment(empty_database), output=output) as base:
        request = urllib.request.Request(base + "/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
        urllib.request.urlopen(request, timeout=10).close()

    access = [line for line in output if line.startswith("127.0.0.1 ") and '"GET /healthz HTTP/1.1" 200' in line]
    assert any(line.endswith('"203.0.113.9"') for line in access), output


def test_gunicorns_log_ties_a_requests_lines_to_the_id_the_proxy_gave(empty_database):
    output = []

    with gunicorn(app_environment(empty_database), output=output) as base:
        request = urllib.request.Request(base + "/healthz", headers={"X-Request-ID": "nginx-7f3a9c"})
        with urllib.request.urlopen(request, timeout=10) as response:
            returned = response.headers["X-Request-ID"]

    assert returned == "nginx-7f3a9c"
    app = [line for line in output if '"request_id": "nginx-7f3a9c"' in line]
    access = [line for line in output if line.startswith("127.0.0.1 ") and '"nginx-7f3a9c"' in line]
    assert len(app) == 1 and '"path": "/healthz"' in app[0], output
    assert len(access) == 1 and '"GET /healthz HTTP/1.1" 200' in access[0], output


def test_gunicorns_own_lines_are_json_as_the_apps_are(empty_database):
    # A worker stopped at its timeout logs the stuck request's traceback: as plain text, a hundred lines.
    output = []

    with gunicorn(app_environment(empty_database), output=output):
        pass

    own = [json.loads(line) for line in output if line.startswith("{") and '"logger": "gunicorn.error"' in line]
    assert [entry["level"] for entry in own if entry["message"].startswith("Booting worker")] == ["INFO"], output
    assert not [line for line in output if "[INFO] Booting worker" in line], output


def status_of(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@contextmanager
def table_locked(database, table):
    """The table locked against reading, as a migration altering it locks it: a request reading it waits."""
    with psycopg.connect(database_url(database)) as db:
        db.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        yield db


def wait_for_a_query_waiting_on(db):
    deadline = time.monotonic() + 30
    while not db.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0]:
        assert time.monotonic() < deadline, "no request came to wait on the lock"
        time.sleep(0.1)


def test_a_request_gunicorn_stops_past_its_timeout_leaves_an_error_line_naming_it(tmp_path):
    # gunicorn's own lines name the worker and the stuck code, not which request it was.
    database = connection.settings_dict["NAME"]
    env = app_environment(database, GUNICORN_TIMEOUT="2", DJANGO_CACHE_DIR=str(tmp_path))
    output = []

    with (
        gunicorn(env, output=output) as base,
        ThreadPoolExecutor() as pool,
        table_locked(database, "frameworks_framework") as db,
    ):
        started = time.monotonic()
        answer = pool.submit(status_of, base + "/", {"X-Request-ID": "stuck-3f9a"})
        wait_for_a_query_waiting_on(db)
        status = answer.result(timeout=30)
        waited_ms = (time.monotonic() - started) * 1000

    assert status == 500
    assert any('"message": "WORKER TIMEOUT' in line for line in output), output
    [line] = [json.loads(line) for line in output if '"request_id": "stuck-3f9a"' in line]
    assert (line["level"], line["logger"], line["method"], line["path"]) == ("ERROR", "nsx.request", "GET", "/")
    assert 1000 < line["duration_ms"] < waited_ms
    assert line["error"] == "WORKER TIMEOUT: stopped by gunicorn past GUNICORN_TIMEOUT (2 s)"


def test_with_threads_a_stopped_worker_names_the_requests_its_other_threads_were_answering(tmp_path):
    # With GUNICORN_THREADS the worker's main thread keeps it alive, so gunicorn stops it only when that
    # thread stalls (SIGABRT, as here), cutting short the requests its threads were answering.
    database = connection.settings_dict["NAME"]
    env = app_environment(database, GUNICORN_THREADS="2", DJANGO_CACHE_DIR=str(tmp_path))

    with (
        gunicorn_process(env) as (process, base),
        ThreadPoolExecutor() as pool,
        table_locked(database, "frameworks_framework") as db,
    ):
        pool.submit(status_of, base + "/", {"X-Request-ID": "threaded-51c2"})
        wait_for_a_query_waiting_on(db)
        [worker] = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        os.kill(int(worker), signal.SIGABRT)
        # Read before the lock is let go: the request would then end, and log its own line.
        logged = pool.submit(next, (line for line in process.stdout if '"threaded-51c2"' in line)).result(timeout=30)

    line = json.loads(logged)
    assert (line["level"], line["logger"], line["method"], line["path"]) == ("ERROR", "nsx.request", "GET", "/")
    assert line["error"].startswith("WORKER TIMEOUT")


def test_on_sigterm_gunicorn_finishes_the_request_in_flight_then_exits_0(tmp_path):
    # As Docker stops a container: a request being answered is not cut off.
    database = connection.settings_dict["NAME"]
    graceful_timeout = runpy.run_path(str(ROOT / "gunicorn.conf.py")).get("graceful_timeout", 30)

    with gunicorn_process(app_environment(database, DJANGO_CACHE_DIR=str(tmp_path))) as (process, base):
        with ThreadPoolExecutor() as pool:
            with table_locked(database, "frameworks_framework") as db:
                answer = pool.submit(status_of, base + "/")
                wait_for_a_query_waiting_on(db)
                process.send_signal(signal.SIGTERM)
                stopping = time.monotonic()
                with pytest.raises(subprocess.TimeoutExpired):
                    process.wait(timeout=2)  # still waiting for the request
            status = answer.result(timeout=30)
        exit_status = process.wait(timeout=graceful_timeout)

    assert status == 200
    assert exit_status == 0
    assert time.monotonic() - stopping < graceful_timeout


@pytest.mark.parametrize(
    ("name", "value"),
    [("GUNICORN_WORKERS", "0"), ("GUNICORN_WORKERS", "four"), ("GUNICORN_THREADS", "0"), ("GUNICORN_TIMEOUT", "30s")],
)
def test_a_wrong_gunicorn_setting_stops_it_naming_the_variable(name, value):
    # With no worker, gunicorn listened and never answered.
    env = app_environment("nsx", GUNICORN_BIND=f"127.0.0.1:{free_port()}", **{name: value})

    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "nsx.wsgi", "--config", "gunicorn.conf.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=30,
    )

    assert result.returncode != 0
    assert name in result.stderr.strip().splitlines()[-1], result.stderr


def test_plain_static_files_are_served_without_collectstatic(empty_database):
    env = app_environment(empty_database, DJANGO_MIGRATE="true")

    with gunicorn(env, entrypoint=True) as base:
        stylesheet, headers = fetch(base + "/static/css/nsx.css")

    assert headers["Content-Type"].startswith("text/css")
    assert stylesheet == (ROOT / "static/css/nsx.css").read_text()


def test_with_the_pool_an_unreachable_database_answers_503_within_seconds():
    # Not gunicorn's 30 s timeout, psycopg's default wait for a pooled connection.
    env = app_environment("nsx", DJANGO_DB_POOL="true", DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nsx")
    script = (
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False, HTTP_HOST='127.0.0.1')\n"
        "page = client.get('/occupations/41-3021.00/')\n"
        "print(client.get('/healthz').status_code, page.status_code, page['Retry-After'])"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
        capture_output=True, text=True, check=False, timeout=25,
    )

    assert result.stdout.strip().splitlines()[-1] == "503 503 30", result.stderr


def test_two_app_processes_share_cached_pages_and_see_an_edit_at_once(seed, redis_cache):
    env = app_environment(connection.settings_dict["NAME"], REDIS_URL=REDIS_URL)
    page = "/occupations/41-3021.00/"

    with gunicorn(env) as first, gunicorn(env) as second:
        # The processes listen on two ports; the site's visitors ask for one name through the proxy.
        before_first, headers_first = fetch(first + page, SITE)
        before_second, headers_second = fetch(second + page, SITE)
        assert "enter and maintain basic client records" in before_first
        # The second process answers from the page the first one cached.
        assert headers_first["ETag"] == headers_second["ETag"]
        assert before_first == before_second

        statement = Statement.objects.get(framework=seed, title="CRM software")
        statement.text = "keep every client record current in the agency CRM."
        statement.save()

        after_first, _ = fetch(first + page, SITE)
        after_second, _ = fetch(second + page, SITE)

    for html in (after_first, after_second):
        assert "keep every client record current in the agency CRM." in html
        assert "enter and maintain basic client records" not in html


def compose_interpolate(text, shell):
    """A value of compose.yaml as `docker compose` interpolates it from the operator's shell."""
    def interpolate(value):
        name, operator, word = re.fullmatch(r"\$\{(\w+)(?::([-?])(.*))?\}", value.group(0)).groups()
        if shell.get(name):
            return shell[name]
        if operator == "?":
            raise LookupError(f"{name}: {word}")
        return word or ""

    return re.sub(r"\$\{[^}]*\}", interpolate, str(text))


def compose_environment(service, shell):
    """The service's environment as `docker compose` interpolates it from the operator's shell."""
    environment = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"][service]["environment"]
    return {key: compose_interpolate(value, shell) for key, value in environment.items()}


# The variables the comment at the top of compose.yaml sets, as an operator fills them in.
COMPOSE_SHELL = {
    "POSTGRES_PASSWORD": "a-database-password",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-compose-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "nsx.example.org",
}


def test_compose_as_documented_passes_the_deployment_check():
    env = {**os.environ, **compose_environment("app", COMPOSE_SHELL)}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["POSTGRES_PASSWORD", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_compose_asks_for_what_it_cannot_default(name):
    # A default host name would pass the health check, asked under it, and answer the site's visitors 400.
    with pytest.raises(LookupError, match=name):
        compose_environment("app", {key: value for key, value in COMPOSE_SHELL.items() if key != name})


def test_compose_gives_requests_in_flight_gunicorns_graceful_timeout_to_finish():
    app = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["app"]
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert int(app["stop_grace_period"].removesuffix("s")) > config.get("graceful_timeout", 30)


@pytest.mark.parametrize("path", [".env", ".env.production", ".venv/bin/python", "db.sqlite3", ".cache/nsx.djcache"])
def test_the_image_is_built_without_the_checkouts_secrets_and_environment(path):
    # compose reads POSTGRES_PASSWORD and DJANGO_SECRET_KEY from .env beside compose.yaml; `COPY . .` takes
    # what .dockerignore does not leave out.
    patterns = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]

    assert any(fnmatch(path, pattern) or path.startswith(f"{pattern}/") for pattern in patterns)


def test_compose_migrates_once_before_any_app_container_starts():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]

    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["app"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "DJANGO_MIGRATE" not in services["app"]["environment"]
    # Only the proxy on this machine reaches the apps, which trust it with the visitor's address.
    assert all(port.startswith("127.0.0.1:") for port in services["app"]["ports"])


def published_app_ports(shell):
    """(host address, first port, last port) of each published port of the app service."""
    ports = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["app"]["ports"]
    published = []
    for port in ports:
        host, span, target = compose_interpolate(port, shell).split(":")
        first, _, last = span.partition("-")
        assert target == "8000"
        published.append((host, int(first), int(last or first)))
    return published


def test_compose_publishes_the_apps_on_the_loopback_ports_the_readme_names():
    # A port range, not random ports: the proxy in front is configured with the ports it balances over.
    readme_default = re.search(r"^\| `NSX_APP_PORTS` \|.*\| `(\d+)-(\d+)` \|$", (ROOT / "README.md").read_text(), re.M)
    documented_scale = int(re.search(r"--scale app=(\d+)", (ROOT / "compose.yaml").read_text())[1])

    assert readme_default, "README documents NSX_APP_PORTS"
    [(host, first, last)] = published_app_ports(COMPOSE_SHELL)
    assert (host, first, last) == ("127.0.0.1", int(readme_default[1]), int(readme_default[2]))
    assert last - first + 1 >= documented_scale


def test_compose_publishes_the_apps_on_the_ports_the_operator_sets_still_on_loopback():
    assert published_app_ports({**COMPOSE_SHELL, "NSX_APP_PORTS": "9100-9105"}) == [("127.0.0.1", 9100, 9105)]
