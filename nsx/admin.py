"""The site's admin: every model admin registered on it takes what an edited address holds for what it is."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import connection
from django.db.models.fields import BLANK_CHOICE_DASH

from frameworks.validators import unwanted_character


class ChoosableAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete, whose first option is always the empty choice, named as Django's other
    selects name it.

    Django's leaves that option out when a value is required, so that an add page's, with nothing chosen
    yet, is a required select without options; elsewhere it writes the option without text. Both are
    invalid HTML. (Select2 shows its placeholder for the empty choice, not the text.)
    """

    def empty_option(self, name):
        return self.create_option(name, "", BLANK_CHOICE_DASH[0][1], False, 0)

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options.pop(0)
        options.insert(0, self.empty_option(name))
        return groups


class TypedInputAdmin(admin.ModelAdmin):
    """Takes what an edited address or a search box holds for what it is: a key that is not one finds
    nothing, where the lookup it went to failed (500). Every admin of the site is one (AdminSite)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ChoosableAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # No row holds a control character, and PostgreSQL refuses a NUL in a query (the autocomplete's).
        if unwanted_character(search_term) is not None:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_changelist_instance(self, request):
        # A list filter holding a character no row holds is a bad filter (the admin's ?e=1), not a query
        # PostgreSQL refuses (500) for a NUL. A search term finds nothing instead (get_search_results).
        for name, values in request.GET.lists():
            if name != SEARCH_VAR and any(unwanted_character(text) for text in [name, *values]):
                raise IncorrectLookupParameters(name)
        return super().get_changelist_instance(request)

    def get_changeform_initial_data(self, request):
        # An add page's ?occupation=… fills an autocomplete, which looks the value up as a key.
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            field = next((f for f in self.model._meta.fields if f.name == name and f.many_to_one), None)
            if field is not None and not is_key_of(field.related_model, value):
                del initial[name]
        return initial


def is_key_of(model, value):
    """Whether the value, as typed, can be a primary key of the model: a whole number its column holds."""
    _, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    return value.isascii() and value.isdigit() and int(value) <= high


class AdminSite(admin.AdminSite):
    """Django's admin site, whose every model admin is a TypedInputAdmin: those of Django's and other
    packages' apps too (users, groups, sign-in attempts), whose list filters a NUL would make a 500."""

    # Curators' tabs and headings name the site they curate, not the framework it is built on.
    site_header = "NSX curation"
    site_title = "NSX curation"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, TypedInputAdmin):
            admin_class = type(admin_class.__name__, (TypedInputAdmin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)
