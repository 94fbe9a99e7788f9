from django.contrib import admin

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor, Suggestion


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "version", "publisher", "licence", "position"]
    search_fields = ["key", "label", "title", "publisher"]


@admin.register(SourceAnchor)
class SourceAnchorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "onet_id", "occupation", "position", "importance"]
    list_filter = ["kind", "hot_technology", "source"]
    list_select_related = ["occupation"]
    search_fields = ["name", "onet_id", "occupation__title", "occupation__soc_code"]
    autocomplete_fields = ["occupation"]


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["statement", "source", "position"]
    list_filter = ["source"]
    list_select_related = ["statement", "source"]
    autocomplete_fields = ["source"]
    raw_id_fields = ["statement"]
    filter_horizontal = ["anchors"]


@admin.register(EvidenceMetric)
class EvidenceMetricAdmin(admin.ModelAdmin):
    list_display = ["framework", "group", "label", "value", "unit", "position"]
    list_filter = ["group"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["occupation", "status", "submitted_at", "name", "email"]
    list_filter = ["status"]
    search_fields = ["correction", "occupation__title", "occupation__soc_code"]
    fields = [
        "occupation", "statement", "anchor", "name", "email", "correction",
        "status", "curator_note", "submitted_at", "remote_address",
    ]
    readonly_fields = [
        "occupation", "statement", "anchor", "name", "email", "correction", "submitted_at", "remote_address",
    ]
