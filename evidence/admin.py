from django.contrib import admin, messages

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor, Suggestion
from frameworks.admin import FrameworkContentMixin, HistoryAdmin, offer_occupation_anchors
from frameworks.models import Framework, Statement


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["label", "key", "version", "publisher", "licence", "position"]
    search_fields = ["key", "label", "title", "publisher"]


@admin.register(SourceAnchor)
class SourceAnchorAdmin(HistoryAdmin):
    list_display = ["name", "kind", "onet_id", "occupation", "position", "importance"]
    list_filter = ["kind", "hot_technology", "source"]
    list_select_related = ["occupation"]
    search_fields = ["name", "onet_id", "occupation__title", "occupation__soc_code"]
    autocomplete_fields = ["occupation"]


@admin.register(Citation)
class CitationAdmin(FrameworkContentMixin, HistoryAdmin):
    list_display = ["statement", "source", "position"]
    list_filter = ["source"]
    list_select_related = ["statement__framework", "source"]
    autocomplete_fields = ["source"]
    raw_id_fields = ["statement"]
    filter_horizontal = ["anchors"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "statement":
            kwargs["queryset"] = Statement.objects.filter(framework__status__in=Framework.EDITABLE_STATUSES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if anchors := form.base_fields.get("anchors"):
            offer_occupation_anchors(anchors, obj.statement.framework.occupation_id if obj is not None else None)
        return form


@admin.register(EvidenceMetric)
class EvidenceMetricAdmin(FrameworkContentMixin, admin.ModelAdmin):
    list_display = ["framework", "group", "label", "value", "unit", "position"]
    list_filter = ["group"]
    list_select_related = ["framework__occupation"]

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
    search_fields = ["correction", "curator_note", "occupation__title", "occupation__soc_code"]
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
