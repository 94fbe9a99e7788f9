from django.contrib import admin

from evidence.models import Citation
from frameworks.models import (
    Apprenticeship,
    CipProgram,
    Domain,
    Framework,
    JobZone,
    Level,
    Occupation,
    OccupationTitle,
    OnetRelease,
    ProficiencyScale,
    Section,
    Statement,
)


class OccupationTitleInline(admin.TabularInline):
    model = OccupationTitle
    extra = 0


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ["soc_code", "title", "job_zone", "retired"]
    list_filter = ["job_zone", "retired"]
    search_fields = ["soc_code", "title"]
    filter_horizontal = ["apprenticeships", "cip_programs"]
    inlines = [OccupationTitleInline]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["occupation", "version", "status", "published_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["occupation__title", "occupation__soc_code", "version"]
    autocomplete_fields = ["occupation"]


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    filter_horizontal = ["anchors"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["title", "framework", "section", "domain", "level", "position"]
    list_filter = ["section", "level__scale", "level", "domain", "framework__status"]
    list_select_related = ["framework__occupation", "section", "domain", "level__scale"]
    search_fields = ["title", "text", "framework__occupation__title", "framework__occupation__soc_code"]
    inlines = [CitationInline]


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(ProficiencyScale)
class ProficiencyScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    inlines = [LevelInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "scale", "position"]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "key"]
    list_display_links = ["name"]


@admin.register(JobZone)
class JobZoneAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]


@admin.register(Apprenticeship)
class ApprenticeshipAdmin(admin.ModelAdmin):
    list_display = ["rapids_code", "title"]
    search_fields = ["rapids_code", "title"]


@admin.register(CipProgram)
class CipProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


@admin.register(OnetRelease)
class OnetReleaseAdmin(admin.ModelAdmin):
    list_display = ["version", "released", "imported_at"]
