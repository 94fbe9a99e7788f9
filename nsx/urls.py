from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from frameworks.sitemaps import SITEMAPS
from nsx.cache import cached_page
from nsx.forms import SignInForm
from nsx.http import read_only, takes_form
from nsx.views import SignOutView, healthz, robots_txt

handler400 = "nsx.views.bad_request"
handler404 = "nsx.views.page_not_found"
handler500 = "nsx.views.server_error"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", read_only(cached_page(sitemap, query=("p",))), {"sitemaps": SITEMAPS}, name="sitemap"),
    # Sign-in and sign-out only: accounts are staff accounts that the admin manages (it also has the
    # password change), and the site sends no mail, which a password reset would need.
    # A POST alone: Django's form views would take a PUT as one.
    path("accounts/login/", takes_form(LoginView.as_view(authentication_form=SignInForm)), name="login"),
    path("accounts/logout/", takes_form(SignOutView.as_view()), name="logout"),
    path("", include("evidence.urls")),
    path("", include("exchange.urls")),
    path("", include("frameworks.urls")),
]
