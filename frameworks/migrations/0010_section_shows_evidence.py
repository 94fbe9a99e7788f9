from django.db import migrations, models

# The section that showed the evidence pack before the flag did: it was chosen by this key.
EVIDENCE_SECTION_KEY = "ai"


def flag_the_evidence_section(apps, schema_editor):
    Section = apps.get_model("frameworks", "Section")
    Section.objects.filter(key=EVIDENCE_SECTION_KEY).update(shows_evidence=True)


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0009_curators_edit_occupation_titles"),
    ]

    # Backwards drops the field, and the flag with it.
    operations = [
        migrations.AddField(
            model_name="section",
            name="shows_evidence",
            field=models.BooleanField(
                default=False,
                help_text="The section shows the framework's evidence pack and how many occupations have source data.",
            ),
        ),
        migrations.RunPython(flag_the_evidence_section, migrations.RunPython.noop),
    ]
