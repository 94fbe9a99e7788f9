"""gunicorn settings, overridable with GUNICORN_* environment variables."""

import math
import os
from pathlib import Path


def available_cpus():
    """The CPUs this process may use: those it may run on, capped by a container's CPU quota (cgroup v2).

    os.cpu_count() counts the host's, so a container limited to 2 CPUs on a 32-CPU host would start 65
    workers, each holding database connections.
    """
    cpus = os.process_cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return cpus


def env_count(name, default):
    """A whole number of 1 or more; anything else stops gunicorn with a line naming the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdecimal() or int(value) < 1:
        # 0 workers would listen and never answer; a timeout of 0 would never end a stuck request.
        raise SystemExit(f"{name}={value!r} is not a whole number of 1 or more.")
    return int(value)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = env_count("GUNICORN_WORKERS", available_cpus() * 2 + 1)
threads = env_count("GUNICORN_THREADS", 1)
accesslog = "-"
# Gunicorn's line, the request's id (as the app's own lines name it), then the X-Forwarded-For the proxy in
# front passed on: behind it, the peer is the proxy.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" "%({x-request-id}o)s" "%({x-forwarded-for}i)s"'
)
errorlog = "-"
# gunicorn's own lines (workers booting, a worker timed out, the traceback of the request it was stuck in)
# as the app's: one JSON object a line on stderr, so a traceback is not a hundred lines of its own. The
# access log stays the plain line on stdout.
logconfig_dict = {
    "formatters": {"json": {"()": "nsx.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
timeout = env_count("GUNICORN_TIMEOUT", 30)
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket (gunicornc): it would be made in ~/.gunicorn, and the image's user's home is the code,
# which it cannot write; the container is stopped and scaled by Docker instead.
control_socket_disable = True


def worker_abort(worker):
    """A worker stopped past the timeout: the app's line for each request it was answering, naming its id."""
    from nsx.middleware import log_requests_cut_short  # Django is set up in the worker, not when this is read

    log_requests_cut_short(worker.cfg.timeout)
