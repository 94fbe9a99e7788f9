from django.contrib.auth.views import LogoutView
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from nsx.cache import cached_page


@never_cache
@require_safe
def healthz(request):
    """200 while the database answers, 503 when it does not: for load balancers and orchestrators."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class SignOutView(LogoutView):
    """Django's sign-out, which signs out on POST only; a GET (a typed or bookmarked address) asks first."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")


@require_safe
@cached_page
def robots_txt(request):
    """Crawlers may read every public page; the sitemap lists them. Sign-in pages are no use to them."""
    lines = ["User-agent: *", "Disallow: /accounts/", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
