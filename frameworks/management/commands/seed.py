"""Load the seed framework once: `make serve` runs this on every start.

Loading the fixture again would put back every seed row curators have changed since, and publish again a
version an editor has archived, so a database that holds any version of the seed framework is left as it is.
"""

from django.core.management import BaseCommand, call_command

from frameworks.models import Framework

SEED_FIXTURE = "insurance-sales-agents"
SEED_SOC_CODE = "41-3021.00"


class Command(BaseCommand):
    help = (
        f"Load the seed framework (fixture {SEED_FIXTURE}) unless the database already holds a version of it."
    )

    def handle(self, *args, verbosity, **options):
        if Framework.objects.filter(occupation__soc_code=SEED_SOC_CODE).exists():
            if verbosity:
                self.stdout.write("The seed framework is already in the database; it was left as it is.")
            return
        call_command("loaddata", SEED_FIXTURE, verbosity=verbosity, stdout=self.stdout)
