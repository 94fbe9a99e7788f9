from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import ngettext
from simple_history.models import DeletedObject, to_historic

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor, Suggestion
from frameworks.admin import (
    FrameworkContentMixin,
    HistoryAdmin,
    HistoryDisplay,
    SeenStateAdmin,
    SeenStateForm,
    digest,
    offer_occupation_anchors,
    restoring_links,
)
from frameworks.models import Framework, Statement
from nsx.admin import is_key_of


class RowStateForm(SeenStateForm):
    """A page of one row and nothing else, which refuses to save over another save of the row since it was
    opened; its lock is the row's own."""

    def locked_rows(self):
        return self._meta.model._default_manager.filter(pk=self.instance.pk)

    def state(self):
        fields = [field.attname for field in self._meta.model._meta.concrete_fields]
        return digest(list(self._meta.model._default_manager.filter(pk=self.instance.pk).values_list(*fields)))

    def histories(self):
        history = getattr(self._meta.model, "history", None)
        return [] if history is None else [history.filter(id=self.instance.pk)]

    def may_save_again(self, record, opened):
        # The page shows every field of the row: saved again, it is saved as its user sees it.
        return True


class Reference:
    """Rows of `model` that refer, through `lookup`, to a row about to be deleted. Each is named with what
    `within` leads to (its framework, as a statement's title is the same in each version of it)."""

    NAMED = 10  # rows of a kind that a refused deletion names; it counts the rest

    def __init__(self, model, lookup, select_related=(), within=None):
        self.model, self.lookup, self.select_related, self.within = model, lookup, select_related, within

    def describe(self, request, admin_site, rows):
        """Lines naming the rows referring to any of `rows`, each linked to its page: a few queries, however
        many rows refer to them."""
        referring = self.model._default_manager.filter(**{f"{self.lookup}__in": rows}).distinct()
        named = list(referring.select_related(*self.select_related).order_by("pk")[: self.NAMED])
        if not named:
            return []
        opts = self.model._meta
        model_admin = admin_site.get_model_admin(self.model)
        linked = model_admin.has_view_or_change_permission(request)
        lines = []
        for row in named:
            name = str(row)
            if self.within:
                name = f"{name}, in {_follow(row, self.within)}"
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
            if linked:
                lines.append(format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, name))
            else:
                lines.append(f"{capfirst(opts.verbose_name)}: {name}")
        if (more := referring.count() - len(named)) > 0:
            lines.append(
                ngettext("…and %(count)d more %(name)s.", "…and %(count)d more %(names)s.", more)
                % {"count": more, "name": opts.verbose_name, "names": opts.verbose_name_plural}
            )
        return lines


def _follow(row, lookup):
    for name in lookup.split("__"):
        row = getattr(row, name)
    return row


class DeleteUnreferencedAdmin:
    """Deletes a row only while nothing refers to it: one still cited, credited or asked about is refused,
    naming what refers to it, and nothing is lost.

    Django would refuse only where a foreign key protects the row, naming each referring row with a query
    or two apiece; it would drop a citation's link to an anchor, and a suggestion's, without a word.
    """

    references = []  # Reference, one for each way a row of the model is referred to

    def get_deleted_objects(self, objs, request):
        objs = list(objs)
        protected = [
            line for reference in self.references for line in reference.describe(request, self.admin_site, objs)
        ]
        if not protected:
            return super().get_deleted_objects(objs, request)
        # Refused as it stands: what the deletion would take with it is beside the point.
        lacking = {self.opts.verbose_name for obj in objs if not self.has_delete_permission(request, obj)}
        return [], {}, lacking, protected


@admin.register(Source)
class SourceAdmin(DeleteUnreferencedAdmin, SeenStateAdmin, HistoryAdmin):
    form = RowStateForm
    list_display = ["label", "key", "version", "publisher", "licence", "position"]
    search_fields = ["key", "label", "title", "publisher"]
    references = [
        Reference(Citation, "source", ["statement__framework__occupation", "source"], within="statement__framework"),
        Reference(EvidenceMetric, "source", ["framework__occupation"], within="framework"),
        Reference(SourceAnchor, "source", ["occupation"], within="occupation"),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # For superusers too: the key is the source's address (/sources/<key>/), which has no redirect, and
        # the name framework files and O*NET imports find it by, so a new key would be a new source to them.
        return readonly if obj is None else ["key", *readonly]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if key := form.base_fields.get("key"):
            # Said before the first save, since no one can change it after.
            key.help_text = (
                "The source's address, /sources/&lt;key&gt;/, and the name framework files cite it by: lower-case "
                "letters, digits and hyphens, e.g. onet. It cannot be changed once the source is saved."
            )
        return form


@admin.register(SourceAnchor)
class SourceAnchorAdmin(DeleteUnreferencedAdmin, SeenStateAdmin, HistoryAdmin):
    form = RowStateForm
    list_display = ["name", "kind", "onet_id", "occupation", "position", "importance"]
    list_filter = ["kind", "hot_technology", "source"]
    list_select_related = ["occupation"]
    search_fields = ["name", "onet_id", "occupation__title", "occupation__soc_code"]
    autocomplete_fields = ["occupation"]
    readonly_fields = ["release"]  # set by manage.py import_onet alone, which owns the anchors it sets it on
    # What manage.py import_onet writes to the anchors it imported (release set), so its next run would undo
    # a curator's change to them; a curator's own anchor (no release) stays the curator's.
    imported_fields = [
        "occupation", "kind", "onet_id", "name", "position", "importance",
        "task_type", "hot_technology", "in_demand", "source",
    ]
    references = [
        Reference(Citation, "anchors", ["statement__framework__occupation", "source"], within="statement__framework"),
        Reference(Suggestion, "anchor", ["occupation"]),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None or obj.release_id is None or request.user.is_superuser:
            return readonly
        return [*self.imported_fields, *readonly]

    def has_delete_permission(self, request, obj=None):
        # An imported anchor is the import's, as its fields are: only a superuser deletes one (a wrong row
        # of a release, say), and the next import of a release that lists it writes it again.
        imported = obj is not None and obj.release_id is not None
        return super().has_delete_permission(request, obj) and (not imported or request.user.is_superuser)


class CitationAdminForm(SeenStateForm):
    """The citation page, which saves what its statement's page shows too: saves of either wait on the
    framework's lock, and each refuses to save over what the other saved after it was opened."""

    def locked_rows(self):
        return Framework.objects.filter(statements__citations=self.instance.pk)

    def state(self):
        citation = Citation.objects.filter(pk=self.instance.pk).values_list("statement", "source", "position")
        anchors = Citation.anchors.through.objects.filter(citation=self.instance.pk).order_by("sourceanchor")
        return digest(list(citation), list(anchors.values_list("sourceanchor", flat=True)))

    def histories(self):
        return [Citation.history.filter(id=self.instance.pk)]


@admin.register(Citation)
class CitationAdmin(SeenStateAdmin, FrameworkContentMixin, HistoryAdmin):
    form = CitationAdminForm
    # The framework too: a statement's title alone is the same in each version of it.
    list_display = ["statement", "framework", "source", "position"]
    list_filter = ["statement__framework__status", "source"]
    list_select_related = ["statement__framework__occupation", "source"]
    search_fields = [
        "statement__title",
        "statement__text",
        "source__label",
        "source__key",
        "statement__framework__occupation__title",
        "statement__framework__occupation__soc_code",
    ]
    autocomplete_fields = ["source"]
    raw_id_fields = ["statement"]
    filter_horizontal = ["anchors"]

    @admin.display(description="framework", ordering="statement__framework")
    def framework(self, citation):
        return citation.statement.framework

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "statement":
            kwargs["queryset"] = Statement.objects.filter(framework__status__in=Framework.EDITABLE_STATUSES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    object_history_form_template = "admin/evidence/citation/object_history_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "anchors" in form.base_fields and (record := to_historic(obj)) is not None:
            form = restoring_anchors(form, record)  # subclassed first: a subclass makes its fields anew
        if anchors := form.base_fields.get("anchors"):
            offer_occupation_anchors(anchors, self.occupation_of(request, obj))
        return form

    def occupation_of(self, request, citation):
        """The occupation whose anchors the citation may name: a new one's is its statement's, as the add
        page was opened with it (?statement=) or posted, so that its first save can hold them."""
        if citation is not None:
            return citation.statement.framework.occupation_id
        statement = request.POST.get("statement", request.GET.get("statement", ""))
        if not is_key_of(Statement, statement):
            return None
        editable = Statement.objects.filter(pk=statement, framework__status__in=Framework.EDITABLE_STATUSES)
        return editable.values_list("framework__occupation", flat=True).first()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if warning := getattr(form, "lost_anchors_warning", None):
            self.message_user(request, warning, messages.WARNING)

    def get_historical_record_context_helper(self, request, historical_record):
        return CitationHistoryDisplay(self.model, historical_record)


def restoring_anchors(form_class, record):
    """The revert form of a citation's history `record`, its anchors chosen as they were then.

    An anchor deleted since (by a later O*NET import, say) cannot come back. Refusing the revert would
    leave that version out of reach for good, so the revert restores the anchors that still exist and
    says which it leaves out, on the form and once saved.
    """

    class RevertForm(restoring_links(form_class, record)):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # Restored are those offered by offer_occupation_anchors, as for any save of the form.
            restored = set(self.initial["anchors"])
            then = sorted(record.anchors.values_list("sourceanchor_id", flat=True))
            self.lost_anchors = anchor_names([pk for pk in then if pk not in restored])

        @property
        def lost_anchors_warning(self):
            if self.lost_anchors:
                names = ", ".join(f"“{name}”" for name in self.lost_anchors)
                return (
                    "Anchors of the version reverted to that are no longer O*NET items of this occupation "
                    f"are not restored: {names}."
                )
            return ""

    return RevertForm


def anchor_names(pks):
    """The names of anchors, of deleted ones as their history last had them."""
    if not pks:
        return []
    names = dict(SourceAnchor.objects.filter(pk__in=pks).values_list("pk", "name"))
    deleted = SourceAnchor.history.filter(id__in=set(pks) - names.keys()).order_by("history_date")
    last_known = dict(deleted.values_list("id", "name"))
    return [names.get(pk) or last_known.get(pk) or f"anchor {pk}, of which no record is left" for pk in pks]


class CitationHistoryDisplay(HistoryDisplay):
    """Names a deleted anchor in the changes column, where simple-history shows only its type and pk."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if change.field != "anchors":
            return value
        deleted = [anchor.pk for anchor in value if isinstance(anchor, DeletedObject)]
        names = dict(zip(deleted, anchor_names(deleted), strict=True))
        return [
            f"{names[anchor.pk]} (deleted)" if isinstance(anchor, DeletedObject) else anchor for anchor in value
        ]


class EvidenceMetricAdminForm(RowStateForm):
    """The evidence metric page, which saves what its framework's page shows too: saves of either wait on
    the framework's lock, and each refuses to save over what the other saved after it was opened."""

    def locked_rows(self):
        return Framework.objects.filter(evidence_metrics=self.instance.pk)


@admin.register(EvidenceMetric)
class EvidenceMetricAdmin(SeenStateAdmin, FrameworkContentMixin, HistoryAdmin):
    form = EvidenceMetricAdminForm
    list_display = ["framework", "group", "label", "value", "unit", "position"]
    # Every framework's evidence pack is in this one list.
    list_filter = ["framework__status", "group"]
    list_select_related = ["framework__occupation"]
    search_fields = ["label", "key", "framework__occupation__title", "framework__occupation__soc_code", "framework__version"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.editable().select_related("occupation")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["occupation", "about", "status", "submitted_at", "name", "email"]
    list_filter = ["status"]
    list_select_related = ["occupation", "statement", "anchor"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["correction", "curator_note", "name", "email", "occupation__title", "occupation__soc_code"]
    date_hierarchy = "submitted_at"
    actions = ["mark_accepted", "mark_rejected"]
    fields = [
        "occupation", "statement", "anchor", "name", "email", "correction",
        "status", "curator_note", "submitted_at", "remote_address",
    ]
    # What the public sent stays as sent; a curator decides on it and notes why.
    readonly_fields = [
        "occupation", "statement", "anchor", "name", "email", "correction", "submitted_at", "remote_address",
    ]

    def has_add_permission(self, request):
        return False  # suggestions come from the public form

    @admin.display(description="about")
    def about(self, suggestion):
        return suggestion.statement or suggestion.anchor or "—"

    def _mark(self, request, queryset, status):
        count = queryset.update(status=status)
        noun = "suggestion" if count == 1 else "suggestions"
        self.message_user(request, f"{count} {noun} marked {status.label.lower()}.", messages.SUCCESS)

    @admin.action(description="Mark accepted", permissions=["change"])
    def mark_accepted(self, request, queryset):
        self._mark(request, queryset, Suggestion.Status.ACCEPTED)

    @admin.action(description="Mark rejected", permissions=["change"])
    def mark_rejected(self, request, queryset):
        self._mark(request, queryset, Suggestion.Status.REJECTED)
