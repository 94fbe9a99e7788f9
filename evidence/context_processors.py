from django.conf import settings

from evidence.models import Source


def site_sources(request):
    """The footer's Sources line, read lazily so pages that never render it run no query."""

    def footer_sources():
        listed = Source.objects.exclude(footer_label="")
        return list(listed.only("key", "footer_label", "licence").order_by("position", "key"))

    return {"footer_sources": footer_sources, "nsx_copyright": settings.NSX_COPYRIGHT}
