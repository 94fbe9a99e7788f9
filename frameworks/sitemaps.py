from django.contrib.sitemaps import Sitemap
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from frameworks.models import Framework, Occupation


class PageSitemap(Sitemap):
    """The home page and the occupation directory."""

    def items(self):
        return ["frameworks:home", "frameworks:occupation-list"]

    def location(self, item):
        return reverse(item)


class OccupationSitemap(Sitemap):
    """Every current occupation's page, dated by its published framework where it has one, and otherwise
    by the O*NET release it was read from.

    A release is dated by its import, the last time it changed what the site shows; the month O*NET names
    for it is earlier, and is text ("November 2025").
    """

    def items(self):
        published = Q(frameworks__status=Framework.Status.PUBLISHED)
        updated = Coalesce(Max("frameworks__updated_at", filter=published), F("release__imported_at"))
        return Occupation.objects.filter(retired=False).annotate(updated_at=updated).only("soc_code").order_by("soc_code")

    def lastmod(self, occupation):
        return occupation.updated_at


# Archived versions are left out. Each names itself as canonical (it is other content than the current
# page), so search engines may index it when they find it through the framework page's list of versions;
# but a sitemap names the pages a site wants found, and a superseded version outranking the current one
# would send searchers to old content.
SITEMAPS = {"pages": PageSitemap, "occupations": OccupationSitemap}
