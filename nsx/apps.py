from django.contrib.admin.apps import AdminConfig


class SiteAdminConfig(AdminConfig):
    """Django's admin app, on the site's own admin site."""

    default_site = "nsx.admin.AdminSite"
