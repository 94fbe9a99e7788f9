import django.core.validators
from django.db import migrations, models

MAX_POSITION = 10_000  # frameworks.models.MAX_POSITION when this migration was written


def renumber_past_the_bound(apps, schema_editor):
    """Number 1, 2, 3… in their order the statements of each level that has one past the bound, which the
    admin let a curator type before: the constraint below would refuse them."""
    Statement = apps.get_model("frameworks", "Statement")
    levels = (
        Statement.objects.filter(position__gt=MAX_POSITION)
        .values_list("framework", "section", "domain", "level")
        .distinct()
    )
    for framework, section, domain, level in list(levels):
        ordered = Statement.objects.filter(framework=framework, section=section, domain=domain, level=level)
        # In rising order each place taken is below the row's own and already left by the row before it.
        for place, pk in enumerate(ordered.order_by("position", "pk").values_list("pk", flat=True), start=1):
            Statement.objects.filter(pk=pk).update(position=place)


class Migration(migrations.Migration):

    dependencies = [
        ("frameworks", "0013_statement_text_length"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalstatement",
            name="position",
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(10000)]),
        ),
        migrations.AlterField(
            model_name="statement",
            name="position",
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(10000)]),
        ),
        migrations.RunPython(renumber_past_the_bound, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="statement",
            constraint=models.CheckConstraint(
                condition=models.Q(position__lte=20000),
                name="statement_position_within_bound",
                violation_error_message="A statement's position is at most 10,000.",
            ),
        ),
    ]
