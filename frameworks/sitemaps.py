from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from frameworks.models import Framework, Occupation


class PageSitemap(Sitemap):
    """The home page and the occupation directory."""

    def items(self):
        return ["frameworks:home", "frameworks:occupation-list"]

    def location(self, item):
        return reverse(item)


class OccupationSitemap(Sitemap):
    """Every current occupation's page, dated by its published framework where it has one."""

    def items(self):
        published = Q(frameworks__status=Framework.Status.PUBLISHED)
        return (
            Occupation.objects.filter(retired=False)
            .annotate(framework_updated_at=Max("frameworks__updated_at", filter=published))
            .only("soc_code")
            .order_by("soc_code")
        )

    def lastmod(self, occupation):
        return occupation.framework_updated_at


SITEMAPS = {"pages": PageSitemap, "occupations": OccupationSitemap}
