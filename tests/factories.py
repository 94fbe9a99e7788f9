import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor
from frameworks.models import (
    Domain,
    Framework,
    JobZone,
    Level,
    Occupation,
    ProficiencyScale,
    Section,
    Statement,
)


class JobZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobZone
        django_get_or_create = ["number"]

    number = 4
    name = "Considerable Preparation"


class OccupationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occupation
        django_get_or_create = ["soc_code"]

    # No O*NET code ends in .99: a made-up occupation never "gets" one the test imported from a release.
    soc_code = factory.Sequence(lambda n: f"11-{9000 + n % 1000:04d}.99")
    title = factory.Sequence(lambda n: f"Occupation {n}")
    description = "Does the work of the occupation."
    job_zone = factory.SubFactory(JobZoneFactory)


class ScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProficiencyScale
        django_get_or_create = ["key"]

    key = "mastery"
    name = "Mastery"


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ["scale", "key"]

    scale = factory.SubFactory(ScaleFactory)
    key = "emerging"
    name = "Emerging"
    role_label = "Entry / Apprentice"
    position = 1


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["key"]

    key = "skills"
    name = "Occupational skills"
    scale = factory.SubFactory(ScaleFactory)
    position = 1
    shows_role_labels = True


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"domain-{n}")
    name = factory.Sequence(lambda n: f"Domain {n}")
    position = factory.Sequence(lambda n: n + 1)


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    occupation = factory.SubFactory(OccupationFactory)
    version = "1.0"
    context_covered = "The settings this framework covers."
    status = Framework.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    framework = factory.SubFactory(FrameworkFactory)
    section = factory.SubFactory(SectionFactory)
    level = factory.SubFactory(LevelFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Statement title {n}")
    text = factory.Sequence(lambda n: f"does statement work number {n}.")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"source-{n}")
    label = factory.Sequence(lambda n: f"Source {n}")
    footer_label = factory.LazyAttribute(lambda o: o.label)
    title = factory.LazyAttribute(lambda o: f"{o.label} — full title")
    publisher = "A Publisher"
    url = "https://example.org/source"


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    statement = factory.SubFactory(StatementFactory)
    source = factory.SubFactory(SourceFactory)
    position = 1


class SourceAnchorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceAnchor

    occupation = factory.SubFactory(OccupationFactory)
    kind = SourceAnchor.Kind.SKILL
    onet_id = factory.Sequence(lambda n: f"2.A.{n}")
    name = factory.Sequence(lambda n: f"Skill {n}")
    position = factory.Sequence(lambda n: n + 1)


class EvidenceMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceMetric

    framework = factory.SubFactory(FrameworkFactory)
    source = factory.SubFactory(SourceFactory)
    group = EvidenceMetric.Group.AEI_USAGE
    key = factory.Sequence(lambda n: f"metric_{n}")
    label = "Augment share"
    value = "95"
    unit = "%"


PASSWORD = "a long enough test password"


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; `role` names the group (Curator or Editor) that migration 0004 created."""

    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(PASSWORD)
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
