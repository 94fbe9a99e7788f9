from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# On PostgreSQL the weighted search document is a stored generated column with a GIN index, kept out of
# the model state so that SQLite never sees it; frameworks.search reads it there.
CREATE_SEARCH_DOCUMENT = """
ALTER TABLE frameworks_occupation ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(other_titles, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(description, '') || ' ' || coalesce(task_text, '')), 'C')
) STORED;
CREATE INDEX occupation_search_document ON frameworks_occupation USING gin (search_document);
CREATE INDEX occupation_title_trigram ON frameworks_occupation USING gin (title gin_trgm_ops);
"""
DROP_SEARCH_DOCUMENT = """
DROP INDEX occupation_title_trigram;
ALTER TABLE frameworks_occupation DROP COLUMN search_document;
"""


def create_search_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SEARCH_DOCUMENT)


def drop_search_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_DOCUMENT)


class Migration(migrations.Migration):

    dependencies = [
        ("frameworks", "0003_provenance_and_statement_checks"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="occupation",
            name="other_titles",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="occupation",
            name="task_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="occupation",
            name="hot_technology",
            field=models.BooleanField(
                default=False, editable=False, help_text="Uses a technology O*NET flags as a Hot Technology."
            ),
        ),
        migrations.RunPython(create_search_document, drop_search_document),
    ]
