"""Content negotiation, in one place: the page cache keys pages by the same decision the views make."""

from django.http import HttpRequest, JsonResponse


def prefers_json(request: HttpRequest):
    """Whether the client asks for JSON rather than the page, e.g. with `Accept: application/json`."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def json_error(message, status):
    """An error as a program reads it, from any site too: a page, or an answer without CORS, it could not."""
    response = JsonResponse({"error": message}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response
