import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frameworks.history import History
from frameworks.soc import SOC_CODE_VALIDATOR
from frameworks.validators import validate_text_characters


class NaturalKeyManager(models.Manager):
    """Manager whose natural key is a tuple of the fields named in `natural_key_fields`."""

    def __init__(self, *fields):
        super().__init__()
        self.natural_key_fields = fields

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.natural_key_fields, values, strict=True)))


def related_natural_key(instance, field_name, arity):
    """The natural key of a related row, or Nones while a fixture names a row that does not exist.

    Loading a fixture asks a new row for its natural key before its references are known to resolve;
    answering with Nones lets the load carry on to the save, whose error names the record.
    """
    related = getattr(instance, field_name, None)  # a missing related row raises AttributeError
    return related.natural_key() if related is not None else (None,) * arity


class OnetRelease(models.Model):
    """One O*NET database release that occupations and anchors were read from."""

    version = models.CharField(max_length=20, unique=True)
    released = models.CharField(max_length=60, blank=True, help_text="As the release names it, e.g. December 2025.")
    imported_at = models.DateTimeField(null=True, blank=True)

    objects = NaturalKeyManager("version")

    class Meta:
        ordering = ["-imported_at", "-version"]

    def __str__(self):
        return f"O*NET {self.version}"

    def natural_key(self):
        return (self.version,)


class JobZone(models.Model):
    number = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(max_length=100, validators=[validate_text_characters])
    description = models.TextField(blank=True, validators=[validate_text_characters])

    objects = NaturalKeyManager("number")

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"Job Zone {self.number} · {self.name}"

    def natural_key(self):
        return (self.number,)


class Apprenticeship(models.Model):
    """A registered apprenticeship occupation (RAPIDS code)."""

    rapids_code = models.CharField("RAPIDS code", max_length=20, unique=True, validators=[validate_text_characters])
    title = models.CharField(max_length=200, validators=[validate_text_characters])

    objects = NaturalKeyManager("rapids_code")

    class Meta:
        ordering = ["rapids_code"]

    def __str__(self):
        return f"{self.rapids_code} · {self.title}"

    def natural_key(self):
        return (self.rapids_code,)


class CipProgram(models.Model):
    """A Classification of Instructional Programs code."""

    code = models.CharField(max_length=10, unique=True, validators=[validate_text_characters])
    title = models.CharField(max_length=200, blank=True, validators=[validate_text_characters])

    objects = NaturalKeyManager("code")

    class Meta:
        ordering = ["code"]
        verbose_name = "CIP program"

    def __str__(self):
        return f"{self.code} · {self.title}" if self.title else self.code

    def natural_key(self):
        return (self.code,)


class Occupation(models.Model):
    class EducationLevel(models.IntegerChoices):
        """O*NET's categories of the Required Level of Education (element 2.D.1, RL scale)."""

        LESS_THAN_HIGH_SCHOOL = 1, _("Less than a high school diploma")
        HIGH_SCHOOL = 2, _("High school diploma or equivalent")
        POST_SECONDARY_CERTIFICATE = 3, _("Post-secondary certificate")
        SOME_COLLEGE = 4, _("Some college courses")
        ASSOCIATE = 5, _("Associate's degree")
        BACHELOR = 6, _("Bachelor's degree")
        POST_BACCALAUREATE_CERTIFICATE = 7, _("Post-baccalaureate certificate")
        MASTER = 8, _("Master's degree")
        POST_MASTER_CERTIFICATE = 9, _("Post-master's certificate")
        FIRST_PROFESSIONAL = 10, _("First professional degree")
        DOCTORAL = 11, _("Doctoral degree")
        POST_DOCTORAL = 12, _("Post-doctoral training")

    soc_code = models.CharField(
        "O*NET-SOC code", max_length=10, unique=True, validators=[SOC_CODE_VALIDATOR]
    )
    title = models.CharField(max_length=200, validators=[validate_text_characters])
    description = models.TextField(blank=True, validators=[validate_text_characters])
    job_zone = models.ForeignKey(JobZone, null=True, blank=True, on_delete=models.PROTECT)
    release = models.ForeignKey(
        OnetRelease,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The O*NET release this occupation was last read from.",
    )
    retired = models.BooleanField(default=False, help_text="Absent from the newest imported O*NET release.")
    education_level = models.PositiveSmallIntegerField(
        choices=EducationLevel.choices,
        null=True,
        blank=True,
        help_text="Most common required level of education (O*NET Education, Training, and Experience).",
    )
    # Derived from titles and anchors for search and filters, kept current by frameworks.search.
    other_titles = models.TextField(blank=True, editable=False)
    task_text = models.TextField(blank=True, editable=False)
    hot_technology = models.BooleanField(
        default=False, editable=False, help_text="Uses a technology O*NET flags as a Hot Technology."
    )
    apprenticeships = models.ManyToManyField(Apprenticeship, blank=True, related_name="occupations")
    cip_programs = models.ManyToManyField(
        CipProgram, blank=True, related_name="occupations", verbose_name="CIP programs"
    )
    related_occupations = models.ManyToManyField(
        "self", through="RelatedOccupation", symmetrical=False, related_name="+", blank=True
    )

    objects = NaturalKeyManager("soc_code")
    # The derived fields are frameworks.search's to rebuild, not a change anyone made.
    history = History(
        m2m_fields=["apprenticeships", "cip_programs"],
        excluded_fields=["other_titles", "task_text", "hot_technology"],
    )

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return f"{self.title} ({self.soc_code})"

    def get_absolute_url(self):
        return reverse("frameworks:occupation", args=[self.soc_code])

    def natural_key(self):
        return (self.soc_code,)


def comparable_title(title):
    """A title as people tell titles apart: "Bond  writer" is "Bond Writer".

    An occupation holds each title once in this form, whatever its kind: the admin and a framework file
    refuse a second; the database's constraint tells apart titles that differ only in case or spacing."""
    return " ".join(title.split()).casefold()


class OccupationTitleManager(models.Manager):
    def get_by_natural_key(self, soc_code, kind, title):
        return self.get(occupation__soc_code=soc_code, kind=kind, title=title)


class OccupationTitle(models.Model):
    """Another name for an occupation: O*NET alternate titles and titles reported by workers."""

    class Kind(models.TextChoices):
        ALTERNATE = "alternate", _("Alternate title")
        REPORTED = "reported", _("Reported title")

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="titles")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ALTERNATE)
    title = models.CharField(max_length=250, validators=[validate_text_characters])
    short_title = models.CharField(max_length=150, blank=True, validators=[validate_text_characters])
    position = models.PositiveIntegerField(default=0)
    release = models.ForeignKey(
        OnetRelease, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The O*NET release that listed this title; empty for a curator's own.",
    )

    objects = OccupationTitleManager()
    # A curator's titles only: O*NET's are manage.py import_onet's, which deletes thousands in an upgrade.
    history = History(tracks=lambda title: title.release_id is None)

    class Meta:
        ordering = ["occupation", "kind", "position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["occupation", "kind", "title"], name="unique_occupation_title"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (*related_natural_key(self, "occupation", 1), self.kind, self.title)

    natural_key.dependencies = ["frameworks.occupation"]


class RelatedOccupation(models.Model):
    from_occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="related_links")
    to_occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=40, blank=True, help_text="O*NET relatedness tier, e.g. Primary-Short.")
    position = models.PositiveIntegerField(default=0)
    release = models.ForeignKey(
        OnetRelease, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The O*NET release that listed this link; empty for a curator's own.",
    )

    class Meta:
        ordering = ["from_occupation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["from_occupation", "to_occupation"], name="unique_related_occupation"),
        ]

    # O*NET's tiers: its ten closest, the next ten, then the rest.
    TIER_LABELS = {"Primary-Short": "closely related", "Primary-Long": "related", "Supplemental": "also related"}

    def __str__(self):
        return f"{self.from_occupation.soc_code} → {self.to_occupation.soc_code}"

    @property
    def tier_label(self):
        return self.TIER_LABELS.get(self.tier, self.tier)


class ProficiencyScale(models.Model):
    key = models.SlugField(unique=True)
    name = models.CharField(max_length=100, validators=[validate_text_characters])

    objects = NaturalKeyManager("key")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.key,)


class LevelManager(models.Manager):
    def get_by_natural_key(self, scale_key, key):
        return self.get(scale__key=scale_key, key=key)


class Level(models.Model):
    scale = models.ForeignKey(ProficiencyScale, on_delete=models.CASCADE, related_name="levels")
    key = models.SlugField()
    name = models.CharField(max_length=60, validators=[validate_text_characters])
    role_label = models.CharField(
        max_length=100, blank=True, help_text="e.g. Entry / Apprentice", validators=[validate_text_characters]
    )
    position = models.PositiveSmallIntegerField()

    objects = LevelManager()

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "key"], name="unique_level_key"),
            models.UniqueConstraint(fields=["scale", "position"], name="unique_level_position"),
        ]

    def __str__(self):
        return f"{self.name} ({self.scale})"

    def natural_key(self):
        return (*related_natural_key(self, "scale", 1), self.key)

    natural_key.dependencies = ["frameworks.proficiencyscale"]


class Section(models.Model):
    """A part of a framework page, e.g. occupational skills; its key is also its tab's key."""

    key = models.SlugField(unique=True)
    name = models.CharField(max_length=100, validators=[validate_text_characters])
    description = models.TextField(blank=True, validators=[validate_text_characters])
    scale = models.ForeignKey(ProficiencyScale, on_delete=models.PROTECT, related_name="sections")
    uses_domains = models.BooleanField(default=False, help_text="Statements of this section belong to a domain.")
    shows_role_labels = models.BooleanField(default=False)
    shows_evidence = models.BooleanField(
        default=False,
        help_text="The section shows the framework's evidence pack and how many occupations have source data.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = NaturalKeyManager("key")

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.key,)

    def clean(self):
        # A missing scale is reported by its field.
        if self.scale_id is None or not (changed := self.changed_while_used(Statement.objects.all())):
            return
        used = Statement.objects.filter(section=self.pk).aggregate(
            statements=models.Count("pk"), frameworks=models.Count("framework", distinct=True)
        )
        statements, frameworks = used["statements"], used["frameworks"]
        in_use = (
            f"{statements} statement{pluralize(statements)} in {frameworks} framework{pluralize(frameworks)} "
            f"use{pluralize(statements, 's,')} this section"
        )
        what = {"scale": "its scale", "uses_domains": "whether its statements belong to a domain"}
        raise ValidationError(
            {name: f"{in_use}: {what[name]} cannot change while they do." for name in changed}
        )

    def changed_while_used(self, statements):
        """Which of the section's scale and uses_domains differ from the stored section's, if any of
        `statements` belong to it; else none.

        A statement's level is one of its section's scale, and it has a domain exactly when its section
        uses domains: changing either under stored statements hides them or breaks the framework page.
        """
        if self._state.adding or not statements.filter(section=self.pk).exists():
            return []
        kept = {name: self._meta.get_field(name).attname for name in ("scale", "uses_domains")}
        stored = Section.objects.values(*kept.values()).get(pk=self.pk)
        return [name for name, attname in kept.items() if getattr(self, attname) != stored[attname]]


class Domain(models.Model):
    """A durable-skill domain such as Communication."""

    key = models.SlugField(unique=True)
    name = models.CharField(max_length=100, validators=[validate_text_characters])
    description = models.TextField(blank=True, validators=[validate_text_characters])
    position = models.PositiveSmallIntegerField(unique=True)

    objects = NaturalKeyManager("key")

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.key,)


class FrameworkQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Framework.Status.PUBLISHED)

    def public(self):
        """Versions anyone may read: the published one and those archived before it."""
        return self.filter(status__in=Framework.PUBLIC_STATUSES)

    def editable(self):
        return self.filter(status__in=Framework.EDITABLE_STATUSES)

    def newest_first(self):
        # The key last: a total order, so that pages of a listing neither repeat nor skip a framework.
        return self.order_by(models.F("published_at").desc(nulls_last=True), "-version", "pk")


class FrameworkManager(models.Manager.from_queryset(FrameworkQuerySet)):
    def get_by_natural_key(self, soc_code, version):
        return self.get(occupation__soc_code=soc_code, version=version)


# A version label is part of the version's address (/occupations/<soc>/versions/<version>/).
version_label = RegexValidator(
    r"^[0-9A-Za-z][-0-9A-Za-z_.]*\Z",
    "A version label starts with a letter or digit and holds only letters, digits, dots, hyphens and "
    "underscores, e.g. 26.05.",
)


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Framework(models.Model):
    Status = FrameworkStatus

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.ARCHIVED)
    # What the public has read stays as it was: a change to it goes through a new draft and review.
    EDITABLE_STATUSES = (Status.DRAFT, Status.IN_REVIEW)

    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="frameworks")
    version = models.CharField(max_length=20, validators=[version_label], help_text="Version label, e.g. 26.05")
    context_covered = models.TextField(blank=True, validators=[validate_text_characters])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FrameworkManager()
    history = History(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["occupation__title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["occupation", "version"], name="unique_framework_version"),
            models.UniqueConstraint(
                fields=["occupation"],
                condition=Q(status=FrameworkStatus.PUBLISHED),
                name="one_published_framework_per_occupation",
                violation_error_message="Another version of this occupation's framework is published.",
            ),
            # Fixtures and raw updates bypass the field's choices.
            models.CheckConstraint(condition=Q(status__in=FrameworkStatus.values), name="framework_status_is_known"),
        ]
        permissions = [
            ("submit_framework", "Can submit a framework for review"),
            ("publish_framework", "Can publish a framework or take it back to draft"),
            ("archive_framework", "Can archive and restore a framework"),
        ]

    def __str__(self):
        return f"{self.occupation.title} v.{self.version}"

    def get_absolute_url(self):
        return reverse("frameworks:occupation", args=[self.occupation.soc_code])

    def natural_key(self):
        return (*related_natural_key(self, "occupation", 1), self.version)

    natural_key.dependencies = ["frameworks.occupation"]

    def get_version_url(self):
        return reverse("frameworks:version", args=[self.occupation.soc_code, self.version])

    @property
    def is_public(self):
        return self.status in self.PUBLIC_STATUSES

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES


DUPLICATE_POSITION = (
    "Another statement of this framework already has this position at this level: choose another."
)


# As many as a framework file may hold. A statement changing place waits past it first, as many places
# again at most (services.park_statements), inside the column's range (32,767).
MAX_POSITION = 10_000


class Statement(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="statements")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="statements")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="statements")
    domain = models.ForeignKey(Domain, null=True, blank=True, on_delete=models.PROTECT, related_name="statements")
    position = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_POSITION)])
    title = models.CharField(max_length=200, validators=[validate_text_characters])
    # A statement is a sentence or two (the seed's longest is 281 characters); the bound also bounds the
    # cost of comparing a text with every other of its framework on each save.
    text = models.TextField(max_length=1000, validators=[validate_text_characters])

    objects = NaturalKeyManager("uid")
    history = History()

    class Meta:
        ordering = ["framework", "section__position", "domain__position", "level__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "section", "level", "position"],
                condition=Q(domain__isnull=True),
                name="unique_statement_position",
                violation_error_message=DUPLICATE_POSITION,
            ),
            models.UniqueConstraint(
                fields=["framework", "section", "domain", "level", "position"],
                condition=Q(domain__isnull=False),
                name="unique_statement_position_in_domain",
                violation_error_message=DUPLICATE_POSITION,
            ),
            models.CheckConstraint(
                condition=Q(position__lte=2 * MAX_POSITION),  # the places past MAX_POSITION are for waiting
                name="statement_position_within_bound",
                violation_error_message=f"A statement's position is at most {MAX_POSITION:,}.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="statement_title_not_empty", violation_error_message="Enter a title."
            ),
            models.CheckConstraint(
                condition=~Q(text=""), name="statement_text_not_empty", violation_error_message="Enter the text."
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (str(self.uid),)

    def clean(self):
        # Field errors on section or level are reported by their fields; these rules need both.
        if self.section_id is None or self.level_id is None:
            return
        section = self.section
        errors = {}
        if section.uses_domains and self.domain_id is None:
            errors["domain"] = f"{section.name} statements belong to a domain: choose one."
        elif not section.uses_domains and self.domain_id is not None:
            errors["domain"] = f"{section.name} statements have no domain: leave it empty."
        if self.level.scale_id != section.scale_id:
            errors["level"] = (
                f"{self.level.name} is a level of the {self.level.scale} scale; "
                f"{section.name} statements use the {section.scale} scale."
            )
        if errors:
            raise ValidationError(errors)
