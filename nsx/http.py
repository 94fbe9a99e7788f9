from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

SAFE_METHODS = ("GET", "HEAD")


def read_only(view=None, *, methods=SAFE_METHODS):
    """Answers only `methods`, none of them unsafe, and any other 405 with an `Allow` header.

    Exempt from the CSRF check, which would otherwise refuse a POST (403) before the view could say that
    the address takes none: a view that changes nothing on any method has nothing for CSRF to protect.
    One decorator does both, so no view is exempted that accepts an unsafe method.
    """
    if unsafe := set(methods) - {"GET", "HEAD", "OPTIONS"}:
        raise ValueError(f"A read-only view cannot accept {', '.join(sorted(unsafe))}.")
    if view is None:
        return lambda view: read_only(view, methods=methods)
    return csrf_exempt(require_http_methods(list(methods))(view))
