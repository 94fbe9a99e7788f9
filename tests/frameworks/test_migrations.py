"""Migrations that change data, run on a database holding what they change."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_BOUND = [("frameworks", "0013_statement_text_length")]
BOUND = [("frameworks", "0014_statement_position_bound")]


@pytest.fixture
def migrate_to():
    """Migrate the test database to a state; migrated forward to the latest one afterwards."""
    executor = MigrationExecutor(connection)

    def migrate(targets):
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield migrate
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_0014_numbers_a_level_holding_a_position_past_the_bound(migrate_to):
    apps = migrate_to(BEFORE_BOUND)
    scale = apps.get_model("frameworks", "ProficiencyScale").objects.create(key="mastery", name="Mastery")
    level = apps.get_model("frameworks", "Level").objects.create(scale=scale, key="emerging", name="Emerging", position=1)
    other = apps.get_model("frameworks", "Level").objects.create(scale=scale, key="advanced", name="Advanced", position=2)
    section = apps.get_model("frameworks", "Section").objects.create(key="skills", name="Skills", scale=scale)
    occupation = apps.get_model("frameworks", "Occupation").objects.create(soc_code="41-3021.00", title="Agents")
    framework = apps.get_model("frameworks", "Framework").objects.create(occupation=occupation, version="1.0")
    Statement = apps.get_model("frameworks", "Statement")
    # As the admin let a curator type them before: the last one past the bound.
    for title, chosen, position in [("b", level, 7), ("a", level, 2), ("c", level, 32767), ("d", other, 5)]:
        Statement.objects.create(
            framework=framework, section=section, level=chosen, position=position, title=title, text=title
        )

    apps = migrate_to(BOUND)

    placed = apps.get_model("frameworks", "Statement").objects.order_by("level__position", "position")
    # That level numbered in its order; the other left as it was.
    assert list(placed.values_list("title", "position")) == [("a", 1), ("b", 2), ("c", 3), ("d", 5)]
