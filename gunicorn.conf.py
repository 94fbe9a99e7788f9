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


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", available_cpus() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
accesslog = "-"
# Gunicorn's line, then the X-Forwarded-For the proxy in front passed on: behind it, the peer is the proxy.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" "%({x-forwarded-for}i)s"'
errorlog = "-"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket (gunicornc): it would be made in ~/.gunicorn, and the image's user's home is the code,
# which it cannot write; the container is stopped and scaled by Docker instead.
control_socket_disable = True
