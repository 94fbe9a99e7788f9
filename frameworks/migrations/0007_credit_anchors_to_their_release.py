from django.db import migrations

from frameworks.onet_sources import release_source

# The one source the importer credited every anchor to before each release had its own.
SHARED_SOURCE_KEY = "onet"


def credit_releases(apps, schema_editor):
    """Move imported anchors (release set) off the shared "onet" source to their release's own source.

    Anchors a curator or the seed fixture wrote (no release) and citations keep the source they name.
    """
    Source = apps.get_model("evidence", "Source")
    SourceAnchor = apps.get_model("evidence", "SourceAnchor")
    OnetRelease = apps.get_model("frameworks", "OnetRelease")
    imported = SourceAnchor.objects.filter(source__key=SHARED_SOURCE_KEY, release__isnull=False)
    for release in OnetRelease.objects.filter(pk__in=imported.values("release")):
        fields = release_source(release.version, release.released)
        source, _ = Source.objects.get_or_create(key=fields.pop("key"), defaults=fields)
        imported.filter(release=release).update(source=source)


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0006_one_published_framework"),
        ("evidence", "0002_history"),
    ]

    # Backwards leaves each anchor with its release's source: the importer before this one never compared
    # an anchor's source, so it works on them as they are, and the shared source is still there.
    operations = [
        migrations.RunPython(credit_releases, migrations.RunPython.noop),
    ]
