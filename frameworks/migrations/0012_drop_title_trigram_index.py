from django.db import migrations

# Search matches titles in Python (frameworks.search), so no query reads this index; it only slowed writes.
# The pg_trgm extension stays: dropping one needs its owner, which the site's database user may not be.
DROP_INDEX = "DROP INDEX IF EXISTS occupation_title_trigram;"
CREATE_INDEX = "CREATE INDEX occupation_title_trigram ON frameworks_occupation USING gin (title gin_trgm_ops);"


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


class Migration(migrations.Migration):

    dependencies = [
        ("frameworks", "0011_text_refuses_control_characters"),
    ]

    operations = [
        migrations.RunPython(drop_index, create_index, elidable=True),
    ]
