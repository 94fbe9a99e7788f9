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


# Archived versions are left out. Each names itself as canonical (it is other content than the current
# page), so search engines may index it when they find it through the framework page's list of versions;
# but a sitemap names the pages a site wants found, and a superseded version outranking the current one
# would send searchers to old content.
SITEMAPS = {"pages": PageSitemap, "occupations": OccupationSitemap}
