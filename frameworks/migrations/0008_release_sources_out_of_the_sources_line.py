from django.db import migrations

from frameworks.onet_sources import release_source_key


def leave_releases_out(apps, schema_editor):
    """Blank the footer label the importer gave each release's source, unless a curator has changed it."""
    Source = apps.get_model("evidence", "Source")
    OnetRelease = apps.get_model("frameworks", "OnetRelease")
    for version in OnetRelease.objects.values_list("version", flat=True):
        Source.objects.filter(key=release_source_key(version), footer_label=f"O*NET v{version}").update(
            footer_label=""
        )


def list_releases_again(apps, schema_editor):
    Source = apps.get_model("evidence", "Source")
    OnetRelease = apps.get_model("frameworks", "OnetRelease")
    for version in OnetRelease.objects.values_list("version", flat=True):
        Source.objects.filter(key=release_source_key(version), footer_label="").update(
            footer_label=f"O*NET v{version}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0007_credit_anchors_to_their_release"),
        ("evidence", "0003_footer_label_optional"),
    ]

    operations = [
        migrations.RunPython(leave_releases_out, list_releases_again),
    ]
