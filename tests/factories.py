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


def framework_of_size(statements_per_level, **framework_fields):
    """A published framework (unless framework_fields say otherwise) with `statements_per_level`
    statements at each level of every section (in each domain, where the section uses domains), each
    citing that many sources on that many O*NET anchors, and that many evidence metrics.

    One number scales every list a page shows, so a page whose queries grow with any of them shows it.
    Sections, scales, levels and domains are the database's own: load them first (the `seed` fixture).
    Statements and citations are built by their factories and saved in bulk: saved one by one, with
    their history, a framework of a few hundred took seconds.
    """
    size = statements_per_level
    framework = FrameworkFactory(**framework_fields)
    sources = SourceFactory.create_batch(size)
    anchors = SourceAnchorFactory.create_batch(size, occupation=framework.occupation, source=sources[0])
    EvidenceMetricFactory.create_batch(size, framework=framework, source=sources[0])
    domains = list(Domain.objects.order_by("position"))
    statements = [
        StatementFactory.build(
            framework=framework, section=section, level=level, domain=domain, position=position
        )
        for section in Section.objects.order_by("position")
        for domain in (domains if section.uses_domains else [None])
        for level in Level.objects.filter(scale=section.scale_id).order_by("position")
        for position in range(1, size + 1)
    ]
    Statement.objects.bulk_create(statements)
    citations = Citation.objects.bulk_create(
        CitationFactory.build(statement=statement, source=source, position=order)
        for statement in statements
        for order, source in enumerate(sources, start=1)
    )
    Citation.anchors.through.objects.bulk_create(
        Citation.anchors.through(citation=citation, sourceanchor=anchor)
        for citation in citations
        for anchor in anchors
    )
    return framework
