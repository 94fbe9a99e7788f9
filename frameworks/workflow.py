"""A framework's life: draft → in review → published → archived, each step checked against the user.

Publishing (or restoring) a version makes it the occupation's current framework and archives the one
published before it, which stays readable at its version address.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from frameworks.models import Framework, Occupation

Status = Framework.Status


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple
    target: str
    permission: str
    role: str  # who holds the permission, for the refusal message
    confirm: str = ""  # a step that takes what the public reads away asks first, saying this

    def allows(self, user):
        return user.has_perm(f"frameworks.{self.permission}")


DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED = Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED, Status.ARCHIVED
CURATOR, EDITOR = "a curator", "an editor"
UNPUBLISH_WARNING = (
    "The public will no longer see it: its occupation's page shows no framework until a version is "
    "published again."
)

TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition("submit", "Submit for review", (DRAFT,), IN_REVIEW, "submit_framework", CURATOR),
        Transition("withdraw", "Send back to draft", (IN_REVIEW,), DRAFT, "submit_framework", CURATOR),
        Transition("publish", "Publish", (IN_REVIEW,), PUBLISHED, "publish_framework", EDITOR),
        Transition("archive", "Archive", (PUBLISHED,), ARCHIVED, "archive_framework", EDITOR),
        Transition("restore", "Restore", (ARCHIVED,), PUBLISHED, "archive_framework", EDITOR),
        Transition(
            "unpublish",
            "Take back to draft",
            (PUBLISHED,),
            DRAFT,
            "publish_framework",
            EDITOR,
            UNPUBLISH_WARNING,
        ),
    ]
}


class TransitionRefused(Exception):
    """The step does not apply to the framework's status, or the user may not take it."""


def available_transitions(framework, user):
    """The steps this user may take from the framework's status, in the order they are declared."""
    return [t for t in TRANSITIONS.values() if framework.status in t.sources and t.allows(user)]


def check(framework, transition, user):
    if framework.status not in transition.sources:
        sources = " or ".join(str(Status(source).label) for source in transition.sources)
        raise TransitionRefused(
            f"“{framework}” is {framework.get_status_display()}: “{transition.label}” applies only to a "
            f"framework that is {sources}."
        )
    if not transition.allows(user):
        raise TransitionRefused(f"“{transition.label}” needs {transition.role}'s permission.")
    # Published, a framework without statements would be an occupation's page of empty levels.
    if transition.name in ("submit", "publish") and not framework.statements.exists():
        raise TransitionRefused(f"“{framework}” has no statements yet: add them before “{transition.label}”.")


@transaction.atomic
def apply(framework, name, user):
    """Take the named step, or raise TransitionRefused saying why not."""
    transition = TRANSITIONS[name]
    # Locking the occupation makes two versions published at once take turns, so one stays current.
    Occupation.objects.select_for_update().get(pk=framework.occupation_id)
    framework = Framework.objects.select_for_update().select_related("occupation").get(pk=framework.pk)
    check(framework, transition, user)
    if transition.target == PUBLISHED:
        supersede_published(framework.occupation_id, framework.version)
        framework.published_at = timezone.now()
    framework.status = transition.target
    framework._change_reason = transition.label
    framework.save()
    return framework


def supersede_published(occupation_id, version):
    """Archive the occupation's published versions other than `version`; return how many.

    One version is current: the database refuses a second published one.
    """
    others = list(Framework.objects.published().filter(occupation=occupation_id).exclude(version=version))
    for other in others:
        other.status = ARCHIVED
        other._change_reason = f"Superseded by v.{version}"
        other.save()
    return len(others)


def can_preview(user):
    """Whether the user may read drafts at their public address (curators and editors)."""
    return user.is_active and user.is_staff and user.has_perm("frameworks.view_framework")
