import logging
import re
import sys
from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.views import LogoutView
from django.db import DatabaseError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.timesince import timeuntil
from django.views.decorators.cache import never_cache

from frameworks import selectors
from nsx.cache import cached_page
from nsx.http import read_only
from nsx.middleware import note_failure
from nsx.negotiation import json_error, prefers_json

logger = logging.getLogger(__name__)


@never_cache
@read_only
def healthz(request):
    """200 while the database answers, 503 when it does not: for load balancers and orchestrators."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        note_failure(request, error)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# How long a visitor is asked to wait while the database cannot be reached.
DATABASE_RETRY_SECONDS = 30

# The error pages as they are when their templates cannot be rendered: no template, static file or query.
PLAIN_ERROR_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · NSX</title></head>
<body>
<main>
<h1>{heading}</h1>
<p>{text} You can also go to the <a href="/">home page</a>.</p>
</main>
</body>
</html>
"""
PLAIN_SERVER_ERROR = PLAIN_ERROR_PAGE.format(
    title="Something went wrong",
    heading="Something went wrong on our side",
    text="The error has been logged. Please try again in a moment.",
)
PLAIN_BAD_REQUEST = PLAIN_ERROR_PAGE.format(
    title="Request not understood",
    heading="This request could not be read",
    text="Something in it was malformed, or more than this site takes (forms here take no files), so nothing was done.",
)
PLAIN_UNAVAILABLE = PLAIN_ERROR_PAGE.format(
    title="Unavailable for a moment",
    heading="NSX is unavailable for a moment",
    text="We cannot reach our database just now. Nothing you did caused this; please try again in a minute.",
)


def server_error(request):
    """The 500 page, or 503 while the database cannot be reached: an outage to wait out, not a fault.

    Rendered without a request context, as Django's is: that could need the database too. The page is
    the site's own; should rendering it fail as well (no static manifest, a broken template), the plain
    one, so that a fault never becomes a second one.
    """
    if isinstance(sys.exception(), OperationalError) and not _database_answers():
        response = _error_page("503.html", PLAIN_UNAVAILABLE, status=503)
        response["Retry-After"] = str(DATABASE_RETRY_SECONDS)
        return response
    return _error_page("500.html", PLAIN_SERVER_ERROR, status=500)


def bad_request(request, exception):
    """The 400 page (an unknown host, a malformed or oversized form), the site's own or else the plain one."""
    return _error_page("400.html", PLAIN_BAD_REQUEST, status=400)


# An occupation's address, and what stands in it for its code.
OCCUPATION_ADDRESS = re.compile(r"^/occupations/([^/]+)/")


def page_not_found(request, exception):
    """The 404 page. At an occupation's address it offers what the code or words typed there may have meant:
    the occupations of the SOC group a code names (one O*NET no longer has, or mistyped), or a search.

    A program asking for JSON is answered in JSON, readable from other sites, as the exports' own 404s are:
    a page would be no answer it could read.
    """
    if prefers_json(request):
        response = json_error("Nothing is at this address.", 404)
    else:
        context = {}
        if match := OCCUPATION_ADDRESS.match(request.path):
            typed = match[1]
            context["group"], context["nearby"] = selectors.occupations_near_code(typed)
            words = re.findall(r"[^\W_]+", typed)
            if not context["nearby"] and any(not word.isdigit() for word in words):
                context["search_for"] = " ".join(words)
        response = render(request, "404.html", context, status=404)
    patch_vary_headers(response, ["Accept"])
    return response


def _error_page(template_name, plain, status):
    try:
        content = loader.render_to_string(template_name)
    except Exception:
        logger.exception("The %s page could not be rendered; the plain one was sent.", template_name)
        content = plain
    return HttpResponse(content, status=status)


def _database_answers():
    """Whether the connection is open and usable: an error in an answering database is a fault."""
    return connection.connection is not None and connection.is_usable()


def sign_in_paused(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while its address and user name are locked out: for how long."""
    cool_off = get_cool_off(request)
    now = timezone.now()
    if not cool_off:
        return render(request, "registration/locked_out.html", {"wait": None}, status=429)
    # At least a minute: timeuntil counts whole minutes, and "0 minutes" would read as no wait at all.
    pause = max(cool_off, timedelta(minutes=1))
    paused = render(request, "registration/locked_out.html", {"wait": timeuntil(now + pause, now)}, status=429)
    paused["Retry-After"] = str(round(pause.total_seconds()))
    return paused


# The longest user name django-axes' records of failed sign-ins hold.
RECORDED_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def sign_in_username(request, credentials=None):
    """The user name django-axes counts a sign-in under, cut to what its records hold.

    Sign-in forms take a name of any length; PostgreSQL refused to record a longer one (500), so the
    attempt went uncounted. No account has such a name, so the cut name never locks out a real one.
    """
    username = credentials.get("username") if credentials else request.POST.get("username")
    return username[:RECORDED_USERNAME_LENGTH] if username else username


class SignOutView(LogoutView):
    """Django's sign-out, which signs out on POST only; a GET (a typed or bookmarked address) asks first."""

    http_method_names = ["get", "head", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")


@read_only
@cached_page
def robots_txt(request):
    """Crawlers may read every public page; the sitemap lists them. Sign-in pages are no use to them."""
    lines = ["User-agent: *", "Disallow: /accounts/", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
