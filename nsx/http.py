from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

READ_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


def method_not_allowed(request, methods):
    """405 with the `Allow` header, and a page that says what happened to whoever sees it."""
    response = render(request, "405.html", {"method": request.method}, status=405)
    response["Allow"] = ", ".join(methods)
    return response


def _answers_methods(view, methods):
    """OPTIONS answered with the methods `view` takes; any other it does not take, 405."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in methods:
            return method_not_allowed(request, methods)
        if request.method == "OPTIONS":
            return HttpResponse(headers={"Allow": ", ".join(methods), "Content-Length": "0"})
        return view(request, *args, **kwargs)

    return wrapper


def read_only(view):
    """Answers GET, HEAD and OPTIONS, and any other method 405 with an `Allow` header.

    Exempt from the CSRF check, which would otherwise refuse a POST (403) before the view could say that
    the address takes none: a view that changes nothing on any method has nothing for CSRF to protect.
    One decorator does both, so no view is exempted that accepts an unsafe method.
    """
    return csrf_exempt(_answers_methods(view, READ_METHODS))


def takes_form(view):
    """Answers GET, HEAD, OPTIONS and a form's POST, and any other method 405 with an `Allow` header.

    The CSRF check comes after the method's, not before it in the middleware: a PUT or a DELETE learns that
    the address takes none, not that its token is missing. A POST is checked as before.
    """
    return csrf_exempt(_answers_methods(csrf_protect(view), FORM_METHODS))
