import logging
import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse

request_log = logging.getLogger("nsx.request")


class RequestBodyLimitMiddleware:
    """Refuses a request whose body is larger than NSX_MAX_REQUEST_BODY, before anything reads it.

    Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not a multipart body's file parts, which
    it would read and spool to disk whatever their size.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        if length > settings.NSX_MAX_REQUEST_BODY:
            return HttpResponse(
                f"Request body too large: at most {settings.NSX_MAX_REQUEST_BODY} bytes.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


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
