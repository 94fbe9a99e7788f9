"""Load the seed framework once: `make serve` runs this on every start.

Loading the fixture again would put back every seed row curators have changed since, and publish again a
version an editor has archived, so a database that holds any version of the seed framework is left as it is.

The fixture is loaded only into a database holding none of the kinds of row it holds, where it creates
every row and overwrites none. Into any other (one an O*NET release was imported into, say) loaddata would
overwrite the job zones, occupation and titles the import wrote, so the same framework is imported from its
framework file instead, which leaves them as the import wrote them (docs/framework-format.md). That file
lacks what nothing in it names: four of the five job zones, which the import brings, and the sources that
nothing cites (LER.me), which the Sources line names: those are added from the fixture.
"""

import json

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import BaseCommand, call_command
from django.db import transaction

from evidence.models import Source
from frameworks.models import Framework
from nsx.commands import WithExamples, require_migrated_database, stopped_by_interrupt

SEED_FIXTURE = "insurance-sales-agents"
SEED_SOC_CODE = "41-3021.00"
FIXTURES = settings.BASE_DIR / "fixtures"
SEED_FILE = FIXTURES / "frameworks" / f"{SEED_FIXTURE}.yaml"


def fixture_text():
    return (FIXTURES / f"{SEED_FIXTURE}.json").read_text(encoding="utf-8")


def fixture_models():
    return {apps.get_model(record["model"]) for record in json.loads(fixture_text())}


def add_missing_sources():
    """Add the fixture's sources that the database lacks (the framework file holds only those it cites),
    and put the seed's sources in the fixture's order, which the Sources line follows."""
    records = [
        record
        for record in serializers.deserialize("json", fixture_text())
        if isinstance(record.object, Source)
    ]
    stored = dict(Source.objects.filter(key__in=[r.object.key for r in records]).values_list("key", "position"))
    first = min(stored.values(), default=0)
    for offset, record in enumerate(records):
        source = record.object
        if source.key in stored:
            Source.objects.filter(key=source.key).update(position=first + offset)
        else:
            source.position = first + offset
            record.save()


class Command(WithExamples, BaseCommand):
    help = (
        f"Load the seed framework (fixture {SEED_FIXTURE}) unless the database already holds a version of it; "
        f"into a database that holds other data, import it from {SEED_FILE.relative_to(settings.BASE_DIR)}."
    )

    examples = (("on every start: adds the seed framework once", "manage.py seed"),)

    def handle(self, *args, verbosity, **options):
        require_migrated_database()
        if Framework.objects.filter(occupation__soc_code=SEED_SOC_CODE).exists():
            if verbosity:
                self.stdout.write("The seed framework is already in the database; it was left as it is.")
            return
        if not any(model.objects.exists() for model in fixture_models()):
            call_command("loaddata", SEED_FIXTURE, verbosity=verbosity, stdout=self.stdout)
            return
        if verbosity:
            self.stdout.write(
                "The database holds other data, which the fixture would overwrite: importing the seed framework "
                "from its framework file instead."
            )
        with stopped_by_interrupt(), transaction.atomic():
            call_command("import_framework", str(SEED_FILE), verbosity=verbosity, stdout=self.stdout)
            add_missing_sources()
