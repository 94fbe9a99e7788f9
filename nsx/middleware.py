import logging
import time

from django.conf import settings
from django.db import connection

request_log = logging.getLogger("nsx.request")


class PermissionsPolicyMiddleware:
    """Denies the browser features the site never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestLogMiddleware:
    """One structured log line a request: method, path, status, duration and query count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        queries_before = len(connection.queries) if settings.DEBUG else None
        response = self.get_response(request)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "htmx": request.headers.get("HX-Request") == "true",
            "user": request.user.pk if getattr(request, "user", None) and request.user.is_authenticated else None,
        }
        if queries_before is not None:
            fields["queries"] = len(connection.queries) - queries_before
        request_log.info("request", extra={"fields": fields})
        return response
