import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# The id of the request this thread is answering (nsx.middleware.RequestLogMiddleware), None outside one.
current_request_id = ContextVar("current_request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request's id, so that all the lines of one request can be found."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


class RefusalFilter(logging.Filter):
    """Django's refusals of a request as suspicious (a Host the site does not serve, a body too large, a form
    sending a file) answered 400: a warning naming what was refused, not an error with Django's traceback.

    Scanners asking for the server's address send such requests all day; they are no fault to be woken for.
    """

    def filter(self, record):
        if record.name.startswith("django.security.") and record.levelno == logging.ERROR:
            record.levelno, record.levelname, record.exc_info, record.exc_text = logging.WARNING, "WARNING", None, None
        return True


class JsonFormatter(logging.Formatter):
    """A JSON object a line, for log collectors; request fields sit at the top level."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if request_id := getattr(record, "request_id", None):
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
