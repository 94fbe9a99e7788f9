"""Content negotiation, in one place: the page cache keys pages by the same decision the views make."""

from django.http import HttpRequest


def prefers_json(request: HttpRequest):
    """Whether the client asks for JSON rather than the page, e.g. with `Accept: application/json`."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"
