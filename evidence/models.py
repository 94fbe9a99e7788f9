from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frameworks.history import History
from frameworks.models import (
    Framework,
    NaturalKeyManager,
    Occupation,
    OnetRelease,
    Statement,
    related_natural_key,
)
from frameworks.validators import validate_text_characters


class Source(models.Model):
    """A body of evidence that statements cite."""

    key = models.SlugField(unique=True)
    label = models.CharField(
        max_length=80, help_text="Short label shown on a citation chip.", validators=[validate_text_characters]
    )
    footer_label = models.CharField(
        max_length=120,
        blank=True,
        help_text="How the Sources line at the foot of every page names it; left blank, the line leaves it out.",
        validators=[validate_text_characters],
    )
    title = models.CharField(
        max_length=250,
        help_text="Full title, as a chip's expansion shows it.",
        validators=[validate_text_characters],
    )
    version = models.CharField(max_length=80, blank=True, validators=[validate_text_characters])
    publisher = models.CharField(max_length=200, blank=True, validators=[validate_text_characters])
    licence = models.CharField(max_length=120, blank=True, validators=[validate_text_characters])
    url = models.URLField("address", max_length=500, blank=True, validators=[validate_text_characters])
    position = models.PositiveSmallIntegerField(default=0)

    objects = NaturalKeyManager("key")
    history = History()

    class Meta:
        ordering = ["position", "key"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("evidence:source", args=[self.key])

    def natural_key(self):
        return (self.key,)


class SourceAnchorManager(models.Manager):
    def get_by_natural_key(self, soc_code, kind, onet_id):
        return self.get(occupation__soc_code=soc_code, kind=kind, onet_id=onet_id)


class SourceAnchor(models.Model):
    """An O*NET item (task, skill, …) of an occupation that grounds its statements."""

    class Kind(models.TextChoices):
        # Declared in the order the anchors panel shows them.
        SKILL = "skill", _("O*NET skills")
        KNOWLEDGE = "knowledge", _("Knowledge domains")
        ABILITY = "ability", _("Abilities")
        WORK_STYLE = "work_style", _("Work styles")
        TECHNOLOGY = "technology", _("Technology")
        TASK = "task", _("Tasks")

    # Kind's labels head the panel's groups of anchors; one anchor is named in the singular.
    KIND_NAMES = {
        Kind.SKILL: _("O*NET skill"),
        Kind.KNOWLEDGE: _("Knowledge domain"),
        Kind.ABILITY: _("Ability"),
        Kind.WORK_STYLE: _("Work style"),
        Kind.TECHNOLOGY: _("Technology"),
        Kind.TASK: _("Task"),
    }

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="anchors")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    onet_id = models.CharField(
        "O*NET ID",
        max_length=20,
        help_text="Element ID, task ID or UNSPSC commodity code.",
        validators=[validate_text_characters],
    )
    name = models.TextField(
        help_text="Element name, commodity title or task text.", validators=[validate_text_characters]
    )
    position = models.PositiveIntegerField(default=0)
    importance = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        # O*NET rates importance on IM (1 to 5) and, for its 30.x work styles, impact on WI (-3 to 3).
        validators=[MinValueValidator(-3), MaxValueValidator(5)],
        help_text="IM value (1 to 5) or, for O*NET 30 work styles, WI value (-3 to 3), where O*NET rates it.",
    )
    task_type = models.CharField(
        max_length=20,
        blank=True,
        help_text="Core or Supplemental, for tasks.",
        validators=[validate_text_characters],
    )
    hot_technology = models.BooleanField(default=False)
    in_demand = models.BooleanField(default=False)
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="anchors",
        help_text="Who supplied this anchor.",
    )
    release = models.ForeignKey(OnetRelease, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = SourceAnchorManager()
    history = History()

    class Meta:
        ordering = ["occupation", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["occupation", "kind", "onet_id"], name="unique_anchor"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*related_natural_key(self, "occupation", 1), self.kind, self.onet_id)

    natural_key.dependencies = ["frameworks.occupation", "evidence.source"]

    @property
    def kind_name(self):
        return self.KIND_NAMES[self.kind]

    @classmethod
    def panel_order(cls):
        """order_by() terms listing anchors as the panel does: by kind as Kind declares them, then position."""
        kind_index = models.Case(*(models.When(kind=kind, then=index) for index, kind in enumerate(cls.Kind)))
        return (kind_index, "position")


class CitationManager(models.Manager):
    def get_by_natural_key(self, statement_uid, source_key):
        return self.get(statement__uid=statement_uid, source__key=source_key)


def _or_deleted(instance, field_name):
    """A related row as text: a deleted citation's history is read after its statement or source has gone."""
    try:
        return str(getattr(instance, field_name))
    except ObjectDoesNotExist:
        return f"(deleted {field_name})"


class Citation(models.Model):
    """A chip on a statement: the statement cites this source."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    position = models.PositiveSmallIntegerField(default=0)
    anchors = models.ManyToManyField(
        SourceAnchor, blank=True, related_name="citations",
        help_text="The O*NET items of the source that ground the statement, where known.",
    )

    objects = CitationManager()
    history = History(m2m_fields=["anchors"])

    class Meta:
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "source"], name="unique_citation"),
        ]

    def __str__(self):
        return f"{_or_deleted(self, 'statement')} → {_or_deleted(self, 'source')}"

    def get_absolute_url(self):
        return reverse("evidence:citation", args=[self.pk])

    def natural_key(self):
        return (*related_natural_key(self, "statement", 1), *related_natural_key(self, "source", 1))

    natural_key.dependencies = ["frameworks.statement", "evidence.source", "evidence.sourceanchor"]


class EvidenceMetricManager(models.Manager):
    def get_by_natural_key(self, soc_code, version, group, key):
        return self.get(
            framework__occupation__soc_code=soc_code, framework__version=version, group=group, key=key
        )


class EvidenceMetric(models.Model):
    """One figure of a framework's evidence pack, e.g. AEI usage · Augment share: 95%."""

    class Group(models.TextChoices):
        AEI_USAGE = "aei_usage", _("AEI usage")
        SAFI_POSITIONING = "safi_positioning", _("SAFI positioning")
        WEF_CLUSTER = "wef_cluster", _("WEF cluster")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="evidence_metrics")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="metrics")
    group = models.CharField(max_length=20, choices=Group.choices)
    key = models.SlugField(help_text="Stable machine name, e.g. augment_share.")
    label = models.CharField(
        max_length=100,
        blank=True,
        help_text="Shown before the value; blank shows the value alone.",
        validators=[validate_text_characters],
    )
    value = models.CharField(max_length=200, validators=[validate_text_characters])
    unit = models.CharField(
        max_length=20, blank=True, help_text="e.g. % or / 100", validators=[validate_text_characters]
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = EvidenceMetricManager()
    history = History()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "group", "key"], name="unique_evidence_metric"),
        ]

    def __str__(self):
        return f"{self.get_group_display()}: {self.display_value}"

    def natural_key(self):
        return (*related_natural_key(self, "framework", 2), self.group, self.key)

    natural_key.dependencies = ["frameworks.framework", "evidence.source"]

    @property
    def display_value(self):
        if not self.unit:
            return self.value
        # A percent sign sits against its number; a word or fraction takes a space.
        separator = "" if self.unit == "%" else " "
        return f"{self.value}{separator}{self.unit}"


class Suggestion(models.Model):
    """A correction to an O*NET anchor or a statement, sent in by a member of the public."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="suggestions")
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    anchor = models.ForeignKey(
        SourceAnchor, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    name = models.CharField(max_length=100, blank=True, validators=[validate_text_characters])
    email = models.EmailField(blank=True)
    correction = models.TextField(max_length=2000, validators=[validate_text_characters])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    curator_note = models.TextField(blank=True, validators=[validate_text_characters])
    submitted_at = models.DateTimeField(auto_now_add=True)
    remote_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"Suggestion for {self.occupation.soc_code} ({self.get_status_display()})"
