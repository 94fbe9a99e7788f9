from django.core.validators import RegexValidator
from django.db import migrations, models

VERSION_LABEL = RegexValidator(
    "^[0-9A-Za-z][-0-9A-Za-z_.]*\\Z",
    "A version label starts with a letter or digit and holds only letters, digits, dots, hyphens and "
    "underscores, e.g. 26.05.",
)


def archive_all_but_the_newest_published(apps, schema_editor):
    """Before the constraint: where an occupation has several published versions, the newest stays current."""
    Framework = apps.get_model("frameworks", "Framework")
    published = Framework.objects.filter(status="published").order_by(
        "occupation", models.F("published_at").desc(nulls_last=True), "-version"
    )
    current = set()
    for framework in published:
        if framework.occupation_id in current:
            framework.status = "archived"
            framework.save(update_fields=["status"])
        current.add(framework.occupation_id)


class Migration(migrations.Migration):

    dependencies = [
        ("frameworks", "0005_history_and_workflow"),
    ]

    operations = [
        migrations.AlterField(
            model_name="framework",
            name="version",
            field=models.CharField(help_text="Version label, e.g. 26.05", max_length=20, validators=[VERSION_LABEL]),
        ),
        migrations.AlterField(
            model_name="historicalframework",
            name="version",
            field=models.CharField(help_text="Version label, e.g. 26.05", max_length=20, validators=[VERSION_LABEL]),
        ),
        migrations.RunPython(archive_all_but_the_newest_published, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="framework",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "published")),
                fields=("occupation",),
                name="one_published_framework_per_occupation",
                violation_error_message="Another version of this occupation's framework is published.",
            ),
        ),
        migrations.AddConstraint(
            model_name="framework",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "in_review", "published", "archived"])),
                name="framework_status_is_known",
            ),
        ),
    ]
