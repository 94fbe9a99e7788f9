"""The container's health check: /healthz of the gunicorn in this container.

Asked under the site's first allowed host name, since Django answers any other with 400.
"""

import os
import sys
import urllib.error
import urllib.request

port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[1]
host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".").replace("*", "localhost")
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=3) as response:
        print(response.read().decode())
except (urllib.error.URLError, OSError) as error:
    sys.exit(f"unhealthy: {error}")
