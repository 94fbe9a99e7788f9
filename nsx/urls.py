from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from nsx.views import SignOutView, healthz

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("evidence.urls")),
    path("", include("exchange.urls")),
    path("", include("frameworks.urls")),
]
