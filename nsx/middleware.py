import logging
import re
import sys
import threading
import time
import uuid

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, connection
from django.dispatch import receiver
from django.http import HttpResponse

from nsx.logging import current_request_id

request_log = logging.getLogger("nsx.request")
# An id the proxy in front gives a request (nginx's $request_id, a UUID): taken only in this shape, so that
# a client's header cannot forge log lines or fill them.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# The requests this process is answering, by thread: (id, request, start). gunicorn's worker_abort hook runs
# in the worker's main thread, which under the gthread worker is not the one answering.
requests_in_flight = {}


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


def note_failure(request, error):
    """Names the error that failed this request, for its line in the request log."""
    request.failure = error


@receiver(got_request_exception)
def _note_uncaught_exception(sender, request, **kwargs):
    note_failure(request, sys.exception())


class RequestLogMiddleware:
    """One structured log line a request: method, path, status, duration, user and query count.

    Every line logged while answering a request carries its id: the proxy's X-Request-ID when it sends a
    well-formed one, else one made here.

    A failed request's line is its only one: an error (500) carries the traceback; an outage (503, the
    database unreachable) names its cause in one line, since every request meets the same one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        requests_in_flight[threading.get_ident()] = (request_id, request, started)
        try:
            response = self.answer_and_log(request, started)
        finally:
            del requests_in_flight[threading.get_ident()]
            current_request_id.reset(token)
        return response

    def answer_and_log(self, request, started):
        queries_before = len(connection.queries) if settings.DEBUG else None
        response = self.get_response(request)
        # Returned, so that a visitor reporting a fault, or the proxy's own log, can name the request.
        response["X-Request-ID"] = current_request_id.get()
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "htmx": request.headers.get("HX-Request") == "true",
            "user": signed_in_user(request),
        }
        if queries_before is not None:
            fields["queries"] = len(connection.queries) - queries_before
        level, failure = logging.INFO, getattr(request, "failure", None)
        if response.status_code >= 500:
            level = logging.ERROR
        if failure is not None and response.status_code == 503:
            fields["error"] = f"{type(failure).__name__}: {str(failure).strip()}"
            failure = None
        request_log.log(level, "request", exc_info=failure, extra={"fields": fields})
        return response


def log_requests_cut_short(timeout):
    """One error line for each request this process is answering, as gunicorn stops it past its timeout.

    Their own lines would never be written: the worker exits in the middle of them.
    """
    for request_id, request, started in list(requests_in_flight.values()):
        # No user: reading the session would ask the database the request may be stuck on.
        fields = {
            "method": request.method,
            "path": request.path,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "htmx": request.headers.get("HX-Request") == "true",
            "error": f"WORKER TIMEOUT: stopped by gunicorn past GUNICORN_TIMEOUT ({timeout} s)",
        }
        token = current_request_id.set(request_id)
        try:
            request_log.error("request", extra={"fields": fields})
        finally:
            current_request_id.reset(token)


def signed_in_user(request):
    """The signed-in user's id; None for a visitor, or when the database cannot say whose session it is."""
    user = getattr(request, "user", None)  # set by AuthenticationMiddleware, which static files never reach
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except DatabaseError:  # an outage: reading the session failed, and must not lose the request's line
        return None
