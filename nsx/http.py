from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from nsx.negotiation import json_error, prefers_json

READ_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


def method_not_allowed(request, methods, *, in_json=False):
    """405 with the `Allow` header, saying what happened: in JSON at a data address or to a program that
    asks for JSON, else as a page."""
    if in_json or prefers_json(request):
        response = json_error(f"This address does not take {request.method} requests.", 405)
    else:
        response = render(request, "405.html", {"method": request.method}, status=405)
    response["Allow"] = ", ".join(methods)
    patch_vary_headers(response, ["Accept"])
    return response


def _answers_methods(view, methods, in_json=False):
    """OPTIONS answered with the methods `view` takes; any other it does not take, 405."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in methods:
            return method_not_allowed(request, methods, in_json=in_json)
        if request.method == "OPTIONS":
            return HttpResponse(headers={"Allow": ", ".join(methods)})
        return view(request, *args, **kwargs)

    return wrapper


def read_only(view, *, in_json=False):
    """Answers GET, HEAD and OPTIONS, and any other method 405 with an `Allow` header (in JSON for a view
    whose answers are data, `in_json`).

    Exempt from the CSRF check, which would otherwise refuse a POST (403) before the view could say that
    the address takes none: a view that changes nothing on any method has nothing for CSRF to protect.
    One decorator does both, so no view is exempted that accepts an unsafe method.
    """
    return csrf_exempt(_answers_methods(view, READ_METHODS, in_json))


def takes_form(view):
    """Answers GET, HEAD, OPTIONS and a form's POST, and any other method 405 with an `Allow` header.

    The CSRF check comes after the method's, not before it in the middleware: a PUT or a DELETE learns that
    the address takes none, not that its token is missing. A POST is checked as before.
    """
    return csrf_exempt(_answers_methods(csrf_protect(view), FORM_METHODS))
