import datetime
import hashlib
import itertools
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.contrib.admin.options import EMPTY_VALUE_STRING, IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Count, Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator, capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange, ModelDelta, to_historic
from simple_history.template_utils import HistoricalRecordContextHelper

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor
from frameworks import services, workflow
from frameworks.history import m2m_history_model
from frameworks.models import (
    DUPLICATE_POSITION,
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
    comparable_title,
    version_label,
)
from frameworks.selectors import sections, similar_statements
from nsx.admin import ChoosableAutocompleteSelect, TypedInputAdmin, is_key_of


class HistoryDisplay(HistoricalRecordContextHelper):
    """A change as a curator reads it: choices by label (In review, not in_review), texts in full."""

    def __init__(self, model, historical_record):
        super().__init__(model, historical_record, max_displayed_delta_change_chars=1000)

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        # As the change form shows them: not "None", nor 2026-11-28 16:28:21.233714+00:00.
        if value is None or value == "":
            return EMPTY_VALUE_STRING
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(TypedInputAdmin, SimpleHistoryAdmin):
    """django-simple-history's admin: each row's changes, field by field, and a form to revert to one."""

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryDisplay(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history looks the id up as given: an edited address that is not a key failed (500).
        if not is_key_of(self.model, unquote(object_id)):
            raise Http404("No such row.")
        return super().history_view(request, object_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # simple-history's select_related() of the tracked foreign keys, for a row without any (a source),
        # is select_related() of none, which drops its select_related("history_user"): a query a record.
        return super().get_history_queryset(request, history_manager, pk_name, object_id).select_related(
            "history_user"
        )

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        self.keep_rows_of_records(records)
        m2m_fields = [field.name for field in self.model.history.model._history_m2m_fields]
        if not m2m_fields:
            super().set_history_delta_changes(request, records, foreign_keys_are_objs)
            return
        # simple-history reads two records' links again for each pair it compares: here, once for all.
        links = {name: links_of_records(self.model, name, records) for name in m2m_fields}
        for newer, older in itertools.pairwise(records):
            delta = newer.diff_against(older, excluded_fields=m2m_fields, foreign_keys_are_objs=foreign_keys_are_objs)
            changes = list(delta.changes)
            for name, by_record in links.items():
                if by_record[older.history_id] != by_record[newer.history_id]:
                    changes.append(ModelChange(name, by_record[older.history_id], by_record[newer.history_id]))
            delta = ModelDelta(changes, [change.field for change in changes], older, newer)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)

    def keep_rows_of_records(self, historical_records):
        """Each record is named by its row's str(), which may read a related row (a framework's occupation):
        the one read with the record, not once a record. A record builds its row anew on each reading."""
        for record in historical_records:
            row = record.history_object
            for field in row._meta.concrete_fields:
                if field.is_relation and field.is_cached(record):
                    field.set_cached_value(row, field.get_cached_value(record))
            record.__dict__["history_object"] = row

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (is_key_of(self.model, unquote(object_id)) and is_key_of(self.model.history.model, version_id)):
            raise Http404("No such version of that row.")
        # simple-history lets anyone who may view a row post its revert form; reverting is a change.
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not self._may_revert(request, unquote(object_id)):
            raise PermissionDenied
        # A revert's fields, many-to-many links and history record are saved together or not at all.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            # A revert builds the row from a history record, read-only fields included (a framework's status,
            # a source's key): those keep their stored values, as on the change form, which leaves them out.
            stored = type(obj)._default_manager.get(pk=obj.pk)
            readonly = set(self.get_readonly_fields(request, stored))
            for field in obj._meta.concrete_fields:
                if field.name in readonly:
                    setattr(obj, field.attname, getattr(stored, field.attname))
        super().save_model(request, obj, form, change)

    def revert_disabled(self, request, obj=None):
        # simple-history asks with the record's copy of the row, whose status may be long gone.
        return obj is None or not self._may_revert(request, str(obj.pk))

    def _may_revert(self, request, object_id):
        """Whether the row as it is now may be changed: a deleted row has nothing to revert."""
        current = self.get_object(request, object_id)
        return current is not None and self.has_change_permission(request, current)


def links_of_records(model, field_name, records):
    """Each history record's many-to-many rows of `field_name` by its history_id, as simple-history's diff
    lists them; a row deleted since as a DeletedObject."""
    field = model._meta.get_field(field_name)
    own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
    links = m2m_history_model(model, field_name).objects.filter(history__in=records)
    rows = {record.history_id: [] for record in records}
    for link in links.select_related(own, other).order_by(other):
        row = getattr(link, other)
        if row is None:
            row = DeletedObject(field.related_model, getattr(link, f"{other}_id"))
        rows[link.history_id].append({own: getattr(link, own), other: row})
    return rows


def framework_of(obj):
    """The framework a framework, statement, citation or evidence metric belongs to."""
    if isinstance(obj, Framework):
        return obj
    if isinstance(obj, Citation):
        return obj.statement.framework
    return obj.framework


def editable(obj):
    return obj is None or framework_of(obj).is_editable


class FrameworkContentMixin:
    """Admin for a framework's content, which only a draft or a framework in review lets anyone change.

    Published and archived versions are what the public reads: changing them takes a new version, or an
    editor taking the framework back to draft. For an inline, obj is the row whose page it is on.
    """

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and editable(obj)


class FrameworkContentInline(FrameworkContentMixin):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and editable(obj)


class ReadOnceChoiceField(forms.ModelChoiceField):
    """A choice of rows read once for the whole page. Django's field reads the chosen row again to check
    it, once for each row of an inline: hundreds of queries to save a framework's page."""

    rows = None  # the rows by str(pk), once read

    def to_python(self, value):
        if self.rows is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.rows[str(value)]
        except KeyError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


def read_choices_once(field):
    """Reads a choice field's rows once: for every row's options and for checking every row's choice."""
    field.choices = list(field.choices)
    if isinstance(field, ReadOnceChoiceField):
        field.rows = {str(value): value.instance for value, _ in field.choices if value != ""}


class ChoicesReadOnceInline:
    """An inline whose foreign keys named in `choices_read_once` read their rows once for all its rows."""

    choices_read_once = ()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for name in self.choices_read_once:
            if field := formset.form.base_fields.get(name):
                read_choices_once(field)
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.choices_read_once:
            kwargs["form_class"] = ReadOnceChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


MISSING_ROW = (
    "A row of this table was not found: it may have been deleted after you opened this page. Reload the page."
)


class RowsFormSet(BaseInlineFormSet):
    """An inline's rows, each control named for its row, each row read once.

    A table's column headings do not name its inputs for assistive technology: "Position" alone does not
    say which statement's position a field is.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The row's key, as a choice among the rows the formset has read, not read again for each.
        key = form.fields[self._pk_field.name]
        form.fields[self._pk_field.name] = ReadOnceChoiceField(
            key.queryset, initial=key.initial, required=False, widget=key.widget
        )
        form.fields[self._pk_field.name].rows = self._rows_by_key()
        row = self.row_name(form.instance, index) if form.instance.pk is not None else "the new row"
        for name, field in form.fields.items():
            widget = field.widget
            while hasattr(widget, "widget"):  # the admin's related-object wrapper renders the input inside
                widget = widget.widget
            if not widget.is_hidden:
                widget.attrs["aria-label"] = f"Delete {row}" if name == "DELETE" else f"{field.label} of {row}"

    def row_name(self, instance, index):
        return f"“{instance}”"

    def clean(self):
        super().clean()
        # The key is a hidden field, whose error the table would not show, and the table lays the
        # posted rows over the rows there are now, so a missing row is said of the table as a whole.
        if any(self._pk_field.name in form.errors for form in self.forms if not self._should_delete_form(form)):
            raise ValidationError(MISSING_ROW)

    def _rows_by_key(self):
        if not hasattr(self, "_rows"):
            self._existing_object(None)  # reads the formset's rows, unless it has already
            self._rows = {str(pk): row for pk, row in self._object_dict.items()}
        return self._rows


class CuratorTitleFormSet(RowsFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # Checked here, not by the database: its constraint tells apart titles that differ only in case or
        # spacing, and O*NET's titles are not rows of this formset.
        posted = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        taken = {}
        if self.instance.pk is not None:  # a new occupation has no titles but the rows posted with it
            other_titles = self.instance.titles.exclude(pk__in=[form.instance.pk for form in self.initial_forms])
            taken = {comparable_title(title): title for title in other_titles.values_list("title", flat=True)}
        typed = [form for form in posted if form.instance.pk is None or "title" in form.changed_data]
        for form in posted:
            if form not in typed:
                taken.setdefault(comparable_title(form.cleaned_data["title"]), form.cleaned_data["title"])
        for form in typed:
            title = form.cleaned_data["title"]
            if (key := comparable_title(title)) in taken:
                form.add_error("title", f"This occupation already has the title “{taken[key]}”.")
            else:
                taken[key] = title


class OccupationTitleInline(admin.TabularInline):
    """An occupation's own titles, those a curator wrote: O*NET's belong to the importer, and run to
    thousands for some occupations, too many to post as rows. OccupationAdmin links to them instead."""

    model = OccupationTitle
    formset = CuratorTitleFormSet
    fields = ["kind", "title", "short_title", "position"]
    extra = 0
    verbose_name_plural = "Curator titles"

    def get_queryset(self, request):
        # The importer takes a title without a release for a curator's; rows added here have none.
        return super().get_queryset(request).filter(release=None)


class SeenField(forms.CharField):
    """What the page saw, and when: not a field of the row, so never one the page changed."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class SeenStateForm(forms.ModelForm):
    """A change form that refuses to save over what others saved after it was opened.

    The page posts every field and inline row it shows: saved as they stand, they would silently undo a
    move, an edit or a deletion saved since. The page carries a digest of what it showed, compared on saving.
    """

    seen = SeenField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_state = None
        if self.instance.pk is not None:
            if self.is_bound:
                # Saves of pages showing the same rows wait for one another here, each then reading what the
                # one before saved: two pages saved at once cannot both pass the check. Only the locked
                # model's rows are locked, not those of the tables joined to find them.
                list(self.locked_rows().select_for_update(of=("self",)).values_list("pk"))
            self.stored_state = self.state()
        self.fields["seen"].initial = self.seen_now()

    def seen_now(self):
        """The page's digest of what it shows, and when it was read: saves since then are the ones it missed."""
        return f"{self.stored_state} {timezone.now().isoformat()}"

    def locked_rows(self):
        """The row whose lock every page that saves what this page shows takes first, as a queryset:
        a framework's for its content, an occupation's for the occupation page."""
        raise NotImplementedError

    def state(self):
        """What the page shows of the row and its inlines, as the database holds it now: a digest."""
        raise NotImplementedError

    def histories(self):
        """The history records of the rows state() reads, as querysets; none for rows without history."""
        return []

    def clean(self):
        cleaned_data = super().clean()
        seen, _, opened = (cleaned_data.get("seen") or "").partition(" ")
        if self.stored_state is not None and seen != self.stored_state:
            self.data = self.data.copy()
            record = self.change_since(opened)
            taken = self.take_in(record)
            if resave := self.may_save_again(record, opened):
                # The page comes back with what its user typed and now stands for what is stored: saved
                # again once checked, it is saved, rather than typed again into a reloaded page.
                self.data[self.add_prefix("seen")] = self.seen_now()
            raise ValidationError(self.stale_message(record, taken, resave), code="stale")
        return cleaned_data

    def may_save_again(self, record, opened):
        """Whether the page, as it came back, may be saved over the change it missed (`record`, the newest
        since it was opened): when that change was to the row's own fields alone, which the page shows as
        they are now or as its user typed them. A table's rows (statements moved, citations changed) are
        posted as they were opened: saved again, they would undo the change unseen, so that page is
        reloaded."""
        own, *others = self.histories() or [None]
        if own is None or record is None:
            return False
        since = datetime.datetime.fromisoformat(opened)
        return not any(history.filter(history_date__gt=since).exists() for history in others)

    def change_since(self, opened):
        """The newest history record saved after the page was opened (`opened`, as seen_now() wrote it),
        saying who saved and when; None if unknown, as for a change that kept no history (an import's)."""
        try:
            opened = datetime.datetime.fromisoformat(opened)
        except ValueError:
            return None
        return latest_record(*(history.filter(history_date__gt=opened) for history in self.histories()))

    def take_in(self, record):
        """Fills in the fields that the other save (its history record) changed and this page left as it
        was opened with, so that saving the page again keeps both changes; a field both changed keeps
        what this page's user typed. Returns the labels of the fields filled in."""
        if record is None or record.instance_type is not self._meta.model or record.prev_record is None:
            return []
        taken = []
        for change in record.diff_against(record.prev_record).changes:
            field = self.fields.get(change.field)
            if field is None or field.disabled or isinstance(field.widget, forms.CheckboxInput):
                continue
            name = self.add_prefix(change.field)
            if isinstance(change.new, list):  # many-to-many rows, chosen as a whole
                target = self._meta.model._meta.get_field(change.field).m2m_reverse_field_name()
                old, new = ([str(row[target]) for row in rows] for rows in (change.old, change.new))
                if sorted(self.data.getlist(name)) == sorted(old):
                    self.data.setlist(name, new)
                    taken.append(field.label)
                continue
            if self.data.get(name, "") == ("" if change.old is None else str(change.old)):
                self.data[name] = "" if change.new is None else str(change.new)
                taken.append(field.label)
        return taken

    def stale_message(self, record, taken, resave):
        name = self._meta.model._meta.verbose_name
        by = ""
        if record is not None:
            user = record.history_user
            who = (user.get_full_name() or user.get_username()) if user is not None else "someone"
            by = f" by {who} at {date_format(timezone.localtime(record.history_date), 'DATETIME_FORMAT')}"
            if record.instance_type is self._meta.model and (fields := changed_fields(record)):
                by += f" ({', '.join(fields)})"
        message = f"This {name} was changed{by} after you opened this page."
        if not resave:
            return f"{message} Reload the page to see the changes, then make yours again."
        message += " Your changes were not saved: they are kept below"
        if taken:
            message += f", with their change to {', '.join(taken)}, which you had not changed, filled in"
        return f"{message}. Check them (History lists every change), then save again."


class SeenStateAdmin(TypedInputAdmin):
    """The admin of a SeenStateForm's page. The form's digest is in no fieldset, whose row would label a
    hidden input (invalid HTML): admin/change_form.html puts it after them."""

    def get_fields(self, request, obj=None):
        return [name for name in super().get_fields(request, obj) if name != "seen"]


def changed_fields(record):
    """The labels of the fields a history record changed, as the change form names them."""
    previous = record.prev_record
    if previous is None or record.history_type != "~":
        return []
    names = record.diff_against(previous).changed_fields
    return [capfirst(record.instance_type._meta.get_field(name).verbose_name) for name in names]


def latest_record(*histories):
    """The newest of some history records, of one model or several, with its user; None if there are none."""
    newest = [
        history.select_related("history_user").order_by("-history_date", "-history_id").first()
        for history in histories
    ]
    return max((record for record in newest if record is not None), key=lambda r: r.history_date, default=None)


def digest(*rows):
    return hashlib.sha256(repr(rows).encode()).hexdigest()


class OccupationAdminForm(SeenStateForm):
    """The occupation page: its fields, read-only to curators or not, its curator titles and its links."""

    def locked_rows(self):
        return Occupation.objects.filter(pk=self.instance.pk)

    def state(self):
        # The fields the page shows whoever opens it: what is read-only to one user another may change.
        occupation = Occupation.objects.filter(pk=self.instance.pk).values_list(
            "soc_code", "title", "description", "job_zone", "education_level", "retired", "release"
        )
        titles = OccupationTitle.objects.filter(occupation=self.instance.pk, release=None).order_by("pk")
        apprenticeships = Occupation.apprenticeships.through.objects.filter(occupation=self.instance.pk)
        cip_programs = Occupation.cip_programs.through.objects.filter(occupation=self.instance.pk)
        return digest(
            list(occupation),
            list(titles.values_list("pk", "kind", "title", "short_title", "position")),
            list(apprenticeships.order_by("apprenticeship").values_list("apprenticeship", flat=True)),
            list(cip_programs.order_by("cipprogram").values_list("cipprogram", flat=True)),
        )

    def histories(self):
        return [
            Occupation.history.filter(id=self.instance.pk),
            OccupationTitle.history.filter(occupation_id=self.instance.pk),
        ]


def restoring_links(form_class, record):
    """The revert form of history `record`, its many-to-many fields chosen as they were then: the form
    would otherwise offer the links the row has now. A row deleted since cannot be linked again."""

    class RevertForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in record._history_m2m_fields:
                if (choice := self.fields.get(field.name)) is not None:
                    then = getattr(record, field.name).values_list(field.m2m_reverse_field_name(), flat=True)
                    self.initial[field.name] = list(choice.queryset.filter(pk__in=then).values_list("pk", flat=True))

    return RevertForm


@admin.register(Occupation)
class OccupationAdmin(SeenStateAdmin, HistoryAdmin):
    form = OccupationAdminForm
    list_display = ["soc_code", "title", "job_zone", "retired"]
    list_filter = ["job_zone", "retired"]
    search_fields = ["soc_code", "title"]
    fields = [
        "soc_code",
        "title",
        "description",
        "job_zone",
        "education_level",
        "retired",
        "release",
        "imported_titles",
        "apprenticeships",
        "cip_programs",
    ]
    readonly_fields = ["release", "imported_titles"]  # the release is manage.py import_onet's to set
    # Also manage.py import_onet's, so its next run would undo a curator's change to them. It never writes
    # apprenticeships or CIP programs: those stay editable.
    imported_fields = ["soc_code", "title", "description", "job_zone", "education_level", "retired"]
    filter_horizontal = ["apprenticeships", "cip_programs"]
    inlines = [OccupationTitleInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if (record := to_historic(obj)) is not None:
            form = restoring_links(form, record)
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # A new occupation has nothing imported yet, and its add form needs these fields.
        if obj is None or request.user.is_superuser:
            return readonly
        return [*self.imported_fields, *readonly]

    @admin.display(description="O*NET titles")
    def imported_titles(self, occupation):
        count = occupation.titles.exclude(release=None).count() if occupation.pk else 0
        if not count:
            return self.get_empty_value_display()
        query = urlencode({"occupation": occupation.pk, "origin": OriginListFilter.ONET})
        return format_html(
            '<a href="{}?{}">{} title{} from O*NET</a>',
            reverse("admin:frameworks_occupationtitle_changelist"),
            query,
            f"{count:,}",
            pluralize(count),
        )


class OccupationListFilter(admin.SimpleListFilter):
    """The occupation an occupation page's link narrows the titles to. Only that one is offered: every
    occupation would be a thousand choices."""

    title = "occupation"
    parameter_name = "occupation"

    def lookups(self, request, model_admin):
        if not is_key_of(Occupation, self.value() or ""):
            return []
        return [(str(chosen.pk), str(chosen)) for chosen in Occupation.objects.filter(pk=self.value())]

    def has_output(self):
        # Applied whenever given, even naming no occupation: a filter without output is dropped unapplied.
        return self.value() is not None

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not is_key_of(Occupation, self.value()):
            raise IncorrectLookupParameters(f"No occupation {self.value()!r}")
        return queryset.filter(occupation=self.value())


class OriginListFilter(admin.SimpleListFilter):
    title = "origin"
    parameter_name = "origin"
    ONET = "onet"
    CURATOR = "curator"

    def lookups(self, request, model_admin):
        return [(self.ONET, "O*NET import"), (self.CURATOR, "Curator")]

    def queryset(self, request, queryset):
        if self.value() == self.ONET:
            return queryset.exclude(release=None)
        if self.value() == self.CURATOR:
            return queryset.filter(release=None)
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only a management command writes: the admin shows them and changes nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OccupationTitle)
class OccupationTitleAdmin(ReadOnlyAdmin):
    """Every occupation's titles, read-only: O*NET's belong to the importer, and a curator's own are
    edited on their occupation's page."""

    list_display = ["title", "kind", "short_title", "occupation", "release"]
    list_filter = [OccupationListFilter, OriginListFilter, "kind"]
    list_select_related = ["occupation", "release"]
    search_fields = ["title", "short_title", "occupation__soc_code"]

    def has_view_permission(self, request, obj=None):
        # Whoever may see an occupation may read its titles, which its page links to.
        occupations = self.admin_site.get_model_admin(Occupation)
        return super().has_view_permission(request, obj) or occupations.has_view_permission(request)


class StatementPlaceForm(forms.ModelForm):
    def validate_constraints(self):
        # StatementInlineFormSet checks positions across all its rows, so that two rows can swap places.
        pass

    def _get_validation_exclusions(self):
        # The level and domain are choices among rows the page read once (ReadOnceChoiceField): the
        # model's own check would ask the database again whether each exists, once a row.
        return super()._get_validation_exclusions() | {"level", "domain"}


class StatementInlineFormSet(RowsFormSet):
    """A section's statements on the framework page, where a curator moves them between places."""

    PLACE = {"level", "domain", "position"}

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        places = {}
        for form in self.initial_forms:
            if self._should_delete_form(form):
                continue
            statement = form.instance
            place = (statement.level_id, statement.domain_id, statement.position)
            places.setdefault(place, []).append(form)
        for forms_in_place in places.values():
            if len(forms_in_place) > 1:
                for form in forms_in_place:
                    if self.PLACE & set(form.changed_data):
                        form.add_error("position", DUPLICATE_POSITION)

    def save(self, commit=True):
        if commit:
            self._park_moving_rows()
        return super().save(commit)

    def _park_moving_rows(self):
        moving = [
            form.instance
            for form in self.initial_forms
            if self._should_delete_form(form) or self.PLACE & set(form.changed_data)
        ]
        services.park_statements(moving)


class StatementInline(ChoicesReadOnceInline, FrameworkContentInline, admin.TabularInline):
    """One section's statements, in page order. FrameworkAdmin makes one per section."""

    model = Statement
    form = StatementPlaceForm
    formset = StatementInlineFormSet
    choices_read_once = ("level", "domain")
    extra = 0
    show_change_link = True
    readonly_fields = ["title", "text_start", "citation_count"]
    section = None

    def get_fields(self, request, obj=None):
        place = ["domain", "level", "position"] if self.section.uses_domains else ["level", "position"]
        return [*place, "title", "text_start", "citation_count"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(section=self.section)
            .select_related("section__scale", "level__scale", "domain")
            .annotate(citation_count=Count("citations"))
            .order_by("domain__position", "level__position", "position")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level":
            kwargs["queryset"] = Level.objects.filter(scale=self.section.scale_id).select_related("scale")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        # A statement is written on its own page, where its citations are too.
        return False

    @admin.display(description="text")
    def text_start(self, statement):
        return Truncator(statement.text).words(14)

    @admin.display(description="citations")
    def citation_count(self, statement):
        return statement.citation_count


class EvidenceMetricRowForm(forms.ModelForm):
    def validate_constraints(self):
        # The formset holds every metric of the framework and checks their groups and keys across all
        # its rows; the model's own check would ask the database again, once a row.
        pass


class EvidenceMetricInline(ChoicesReadOnceInline, FrameworkContentInline, admin.TabularInline):
    """The framework's evidence pack, in the order its page shows it (the model's)."""

    model = EvidenceMetric
    form = EvidenceMetricRowForm
    formset = RowsFormSet
    choices_read_once = ("source",)
    fields = ["group", "key", "label", "value", "unit", "source", "position"]
    extra = 0
    verbose_name_plural = "Evidence pack"


def section_inline(section):
    return type(
        f"StatementInline{section.pk}",
        (StatementInline,),
        {"section": section, "verbose_name_plural": f"{section.name} statements"},
    )


def transition_action(transition):
    def take(modeladmin, request, queryset):
        return modeladmin.take_transition(request, transition, queryset)

    take.__name__ = transition.name
    return admin.action(
        take,
        description=transition.label,
        description_plural=f"{transition.label}: selected frameworks",
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )


def check_version_free(occupation, version, framework=None):
    """Refuses a version label that another framework of the occupation has."""
    others = Framework.objects.filter(occupation=occupation, version=version)
    if framework is not None:
        others = others.exclude(pk=framework.pk)
    if others.exists():
        raise ValidationError(f"{occupation.title} already has a version {version}.")


class FrameworkAdminForm(SeenStateForm):
    # The workflow step posted with the page, and who posted it (FrameworkAdmin.get_form sets both): a step
    # that the status or the user's role refuses is an error of the page, so nothing is saved.
    step = None
    user = None

    class Meta:
        help_texts = {
            "context_covered": (
                "Shown under the occupation's name on the framework page and on the home page's card: the work "
                "settings and range of practice the statements cover."
            ),
        }

    def locked_rows(self):
        return Framework.objects.filter(pk=self.instance.pk)

    def state(self):
        framework = Framework.objects.filter(pk=self.instance.pk).values_list("version", "context_covered", "status")
        statements = (
            Statement.objects.filter(framework=self.instance.pk)
            .order_by("pk")
            .values_list("pk", "section_id", "domain_id", "level_id", "position")
        )
        metrics = (
            EvidenceMetric.objects.filter(framework=self.instance.pk)
            .order_by("pk")
            .values_list("pk", "group", "key", "label", "value", "unit", "source_id", "position")
        )
        return digest(list(framework), list(statements), list(metrics))

    def histories(self):
        return [
            Framework.history.filter(id=self.instance.pk),
            Statement.history.filter(framework_id=self.instance.pk),
            EvidenceMetric.history.filter(framework_id=self.instance.pk),
        ]

    def clean_version(self):
        version = self.cleaned_data["version"]
        # A saved framework's occupation is read-only, so Django leaves out the constraint that names it.
        if self.instance.pk is not None:
            check_version_free(self.instance.occupation, version, self.instance)
        return version

    def clean(self):
        cleaned_data = super().clean()
        if self.step is not None:
            try:
                workflow.check(self.instance, self.step, self.user)
            except workflow.TransitionRefused as refusal:
                raise ValidationError(str(refusal), code="step") from refusal
        return cleaned_data


class CopyForm(forms.Form):
    version = forms.CharField(
        max_length=20, validators=[version_label], help_text="The new draft's version label, e.g. 26.06"
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework

    def clean_version(self):
        version = self.cleaned_data["version"]
        check_version_free(self.framework.occupation, version)
        if (holder := services.framework_holding_copies(self.framework, version)) is not None:
            raise ValidationError(
                f"{holder} was labelled {version} when it was copied, and its statements keep the identifiers a "
                f"copy labelled {version} would have. Choose another label."
            )
        return version


# The change form's step buttons post the page with the step's name under this key (submit_line.html).
STEP_FIELD = "_step"


@admin.register(Framework)
class FrameworkAdmin(SeenStateAdmin, FrameworkContentMixin, HistoryAdmin):
    form = FrameworkAdminForm
    list_display = ["occupation", "version", "status", "statement_count", "published_at", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["occupation"]
    search_fields = ["occupation__title", "occupation__soc_code", "version"]
    show_facets = admin.ShowFacets.ALWAYS
    autocomplete_fields = ["occupation"]
    fields = ["occupation", "version", "context_covered", "status", "published_at", "updated_at"]
    change_form_template = "admin/frameworks/framework/change_form.html"
    actions = ["copy_as_new_version", *(transition_action(t) for t in workflow.TRANSITIONS.values())]

    class Media:
        css = {"all": ["css/curation.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_count=Count("statements"))

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, framework):
        return framework.statement_count

    def has_delete_permission(self, request, obj=None):
        # Only a draft the public never read: a version once published keeps its address and its history.
        never_public = obj is None or (obj.status == Framework.Status.DRAFT and obj.published_at is None)
        return super().has_delete_permission(request, obj) and never_public

    def get_readonly_fields(self, request, obj=None):
        # Status moves only through the workflow's steps; a version stays with its occupation.
        readonly = ["status", "published_at", "updated_at"]
        return readonly if obj is None else ["occupation", *readonly]

    def get_changeform_initial_data(self, request):
        # Labels are the year and month of their release (26.05): a first version is this month's.
        return {"version": timezone.localdate().strftime("%y.%m"), **super().get_changeform_initial_data(request)}

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return [
            *(section_inline(section) for section in sections()),
            EvidenceMetricInline,
        ]

    def posted_step(self, request):
        """The workflow step posted with the change form by one of its step buttons; None for a plain save."""
        if request.method != "POST" or STEP_FIELD not in request.POST:
            return None
        try:
            return workflow.TRANSITIONS[request.POST[STEP_FIELD]]
        except KeyError:
            raise BadRequest("No such workflow step.") from None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and (step := self.posted_step(request)) is not None:
            form = type(form.__name__, (form,), {"step": step, "user": request.user})
        return form

    def response_change(self, request, obj):
        if (step := self.posted_step(request)) is None:
            return super().response_change(request, obj)
        # The page's changes are saved (a page with errors, or whose step is refused, saves nothing and
        # comes back with them); the step follows, as its button in the list's menu would take it.
        self.message_user(request, f"The framework “{obj}” was changed successfully.", messages.SUCCESS)
        action = [
            (f"{ActionLocation.CHANGE_FORM.value}-action", step.name),
            (helpers.ACTION_CHECKBOX_NAME, obj.pk),
        ]
        queryset = self.get_queryset(request).filter(pk=obj.pk)
        return self.take_transition(request, step, queryset, posted=action) or HttpResponseRedirect(
            request.get_full_path()
        )

    def view_on_site(self, obj):
        # The saved version's address: a form sent back for correction holds the label as typed.
        saved = Framework.objects.filter(pk=obj.pk).values_list("version", flat=True).get()
        return reverse("frameworks:version", args=[obj.occupation.soc_code, saved])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        framework = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if framework is not None:
            extra_context.update(
                # Buttons for the steps open to this user from this status, in place of the action menu,
                # which would offer every step whatever the status.
                # Where the page can be saved, they are buttons of its form, which save it before the step.
                transitions=workflow.available_transitions(framework, request.user),
                step_field=STEP_FIELD,
                action_field=f"{ActionLocation.CHANGE_FORM.value}-action",
                action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
                action_form=None,
                can_copy=self.has_add_permission(request),
                can_add_statement=framework.is_editable and request.user.has_perm("frameworks.add_statement"),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def take_transition(self, request, transition, queryset, posted=None):
        # Every user is offered every step in the list's menu: workflow.apply refuses one that the user
        # may not take, or that a framework's status does not allow, saying why. `posted` is what a step
        # that asks first posts again once confirmed: what asked for it, unless given.
        frameworks = list(queryset.select_related("occupation"))
        if transition.confirm and "confirmed" not in request.POST:
            context = {
                **self.admin_site.each_context(request),
                "title": f"{transition.label}?",
                "opts": self.opts,
                "transition": transition,
                "frameworks": frameworks,
                # Posted again, with the confirmation, to wherever the step was asked for.
                "posted": posted
                or [
                    (name, value)
                    for name, values in request.POST.lists()
                    if name != "csrfmiddlewaretoken"
                    for value in values
                ],
            }
            return TemplateResponse(request, "admin/frameworks/framework/confirm_transition.html", context)
        for framework in frameworks:
            try:
                changed = workflow.apply(framework, transition.name, request.user)
            except workflow.TransitionRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request, f"“{changed}” is now {changed.get_status_display()}.", messages.SUCCESS
                )
        return None

    @admin.action(
        description="Copy as new version",
        permissions=["add"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def copy_as_new_version(self, request, queryset):
        if len(selected := list(queryset[:2])) != 1:
            self.message_user(request, "Choose one framework to copy.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:frameworks_framework_copy", args=[selected[0].pk]))

    def get_urls(self):
        copy = path(
            "<path:object_id>/copy/",
            self.admin_site.admin_view(self.copy_view),
            name="frameworks_framework_copy",
        )
        return [copy, *super().get_urls()]

    def copy_view(self, request, object_id):
        if not is_key_of(Framework, unquote(object_id)):
            raise Http404("No such framework.")
        framework = get_object_or_404(Framework.objects.select_related("occupation"), pk=unquote(object_id))
        if not (self.has_add_permission(request) and self.has_view_permission(request, framework)):
            raise PermissionDenied
        form = CopyForm(
            request.POST or None, framework=framework, initial={"version": services.next_version(framework)}
        )
        if request.method == "POST" and form.is_valid():
            copy = services.copy_as_new_version(framework, form.cleaned_data["version"])
            self.message_user(
                request, f"“{copy}” is a new draft copied from v.{framework.version}.", messages.SUCCESS
            )
            return HttpResponseRedirect(reverse("admin:frameworks_framework_change", args=[copy.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Copy {framework} as a new version",
            "opts": self.opts,
            "original": framework,
            "form": form,
        }
        return TemplateResponse(request, "admin/frameworks/framework/copy.html", context)


def offer_occupation_anchors(field, occupation_id):
    """A citation's anchors field, offering only the O*NET items of its statement's occupation: only they
    can ground it, and every occupation's would run to tens of thousands."""
    field.queryset = SourceAnchor.objects.filter(occupation=occupation_id).order_by(*SourceAnchor.panel_order())
    field.help_text = "The occupation's O*NET items that ground the statement."
    if occupation_id is None:
        field.help_text += " Offered once the statement is saved in its framework."
    # By name alone, a work style, a technology and a skill of one name read the same.
    field.label_from_instance = anchor_choice_label


def anchor_choice_label(anchor):
    return f"{anchor.kind_name}: {anchor.name}"


class LabelledAutocompleteSelect(ChoosableAutocompleteSelect):
    """Django's autocomplete, labelling each row's chosen option from one read for the whole page.

    Django's own reads the chosen row again for every form, a query per citation.
    """

    def __init__(self, *args, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = labels

    def optgroups(self, name, value, attr=None):
        chosen = [str(v) for v in value if str(v) in self.labels]
        options = [self.empty_option(name)]
        for choice in chosen:
            options.append(self.create_option(name, choice, self.labels[choice], True, len(options)))
        return [(None, options, 0)]


class CitationRowsFormSet(RowsFormSet):
    def row_name(self, instance, index):
        return f"citation {index + 1}"


class CitationInline(FrameworkContentInline, admin.TabularInline):
    model = Citation
    formset = CitationRowsFormSet
    extra = 0
    autocomplete_fields = ["source"]
    filter_horizontal = ["anchors"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("statement", "source").prefetch_related("anchors")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if anchors := formset.form.base_fields.get("anchors"):
            offer_occupation_anchors(anchors, self.occupation_of(request, obj))
            # Listed once for the whole page rather than once per citation.
            anchors.choices = list(anchors.choices)
        return formset

    def occupation_of(self, request, statement):
        """The occupation whose anchors the statement's citations may name. A new statement's is its
        framework's as the add page was opened with it (?framework=) or posted, so that its first save
        can hold its anchors too."""
        if statement is not None:
            return statement.framework.occupation_id
        framework = request.POST.get("framework", request.GET.get("framework", ""))
        if not is_key_of(Framework, framework):
            return None
        return Framework.objects.editable().filter(pk=framework).values_list("occupation", flat=True).first()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "source":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        sources = {str(source.pk): source for source in Source.objects.all()}
        labels = {pk: str(source) for pk, source in sources.items()}
        kwargs["widget"] = LabelledAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"), labels=labels)
        field = super().formfield_for_foreignkey(db_field, request, form_class=ReadOnceChoiceField, **kwargs)
        field.rows = sources
        return field


NEARLY_THE_SAME = (
    "This text is nearly the same as another statement of this framework. Compare them below, then change "
    "the text or tick “Save anyway”."
)


class StatementAdminForm(SeenStateForm):
    save_anyway = forms.BooleanField(required=False, label="Save anyway: the statements are different enough")

    similar = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if position := self.fields.get("position"):
            position.required = False
            position.help_text = "Its order within its level; left blank, it goes after the level's last statement."

    def locked_rows(self):
        return Framework.objects.filter(pk=self.instance.framework_id)

    def state(self):
        statement = Statement.objects.filter(pk=self.instance.pk).values_list(
            "section_id", "domain_id", "level_id", "position", "title", "text"
        )
        citations = Citation.objects.filter(statement=self.instance.pk).order_by("pk")
        anchors = Citation.anchors.through.objects.filter(citation__statement=self.instance.pk)
        return digest(
            list(statement),
            list(citations.values_list("pk", "source_id", "position")),
            list(anchors.order_by("pk").values_list("citation_id", "sourceanchor_id")),
        )

    def histories(self):
        return [Statement.history.filter(id=self.instance.pk), Citation.history.filter(statement_id=self.instance.pk)]

    def clean(self):
        cleaned_data = super().clean()
        text = cleaned_data.get("text")
        framework = cleaned_data.get("framework") or (
            self.instance.framework if self.instance.framework_id else None
        )
        text_is_new = self.instance.pk is None or "text" in self.changed_data
        if "position" in self.fields and cleaned_data.get("position") is None and not self.has_error("position"):
            self.place_last(cleaned_data, framework)
        if text and framework and text_is_new and not cleaned_data.get("save_anyway"):
            self.similar = similar_statements(framework, text, exclude_pk=self.instance.pk)
            if self.similar:
                raise ValidationError(NEARLY_THE_SAME, code="nearly_the_same")
        return cleaned_data

    def place_last(self, cleaned_data, framework):
        section, level = cleaned_data.get("section"), cleaned_data.get("level")
        if framework is None or section is None or level is None:
            return  # their own errors say what is missing
        # Two curators adding to one level at once would both take the same place: the first waits here.
        list(Framework.objects.filter(pk=framework.pk).select_for_update().values_list("pk"))
        cleaned_data["position"] = services.next_position(
            framework, section, level, cleaned_data.get("domain"), exclude_pk=self.instance.pk
        )


class ChoicesOnceARequest:
    """A related filter that reads its choices once a request. With facets shown, Django builds every
    filter again to count each one's facets, each reading its choices again."""

    def field_choices(self, field, request, model_admin):
        read = request.__dict__.setdefault("filter_choices", {})
        key = (type(self), type(model_admin), self.field_path)
        if key not in read:
            read[key] = self.read_choices(field, request, model_admin)
        return read[key]

    def read_choices(self, field, request, model_admin):
        return super().field_choices(field, request, model_admin)


class RelatedFilter(ChoicesOnceARequest, admin.RelatedFieldListFilter):
    pass


class RelatedOnlyFilter(ChoicesOnceARequest, admin.RelatedOnlyFieldListFilter):
    pass


class LevelFilter(RelatedFilter):
    def read_choices(self, field, request, model_admin):
        # A level is named with its scale: fetch them together.
        return [(level.pk, str(level)) for level in Level.objects.select_related("scale")]


class FrameworkFilter(RelatedFilter):
    def read_choices(self, field, request, model_admin):
        # The versions that have statements, each named with its occupation: fetched together.
        frameworks = (
            Framework.objects.filter(Exists(Statement.objects.filter(framework=OuterRef("pk"))))
            .select_related("occupation")
            .order_by("occupation__title", "version")
        )
        return [(framework.pk, str(framework)) for framework in frameworks]


class SelectWithOptionData(forms.Select):
    """A select whose options carry data attributes, by the option's value: {pk: {"data-scale": …}}."""

    def __init__(self, *args, option_data, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_data = option_data

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


@admin.register(Statement)
class StatementAdmin(SeenStateAdmin, FrameworkContentMixin, HistoryAdmin):
    form = StatementAdminForm
    list_display = ["title", "framework", "section", "domain", "level", "position", "citation_count"]
    list_filter = [
        "framework__status",
        ("framework", FrameworkFilter),
        ("section", RelatedFilter),
        ("level", LevelFilter),
        ("domain", RelatedFilter),
        ("citations__source", RelatedOnlyFilter),
    ]
    list_select_related = ["framework__occupation", "section", "domain", "level__scale"]
    search_fields = ["title", "text", "framework__occupation__title", "framework__occupation__soc_code"]
    show_facets = admin.ShowFacets.ALWAYS
    fields = ["framework", "section", "domain", "level", "position", "title", "text"]
    inlines = [CitationInline]
    change_form_template = "admin/frameworks/statement/change_form.html"
    object_history_form_template = "admin/frameworks/statement/object_history_form.html"

    class Media:
        css = {"all": ["css/curation.css"]}
        js = ["js/statement-place.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations", distinct=True))

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, statement):
        return statement.citation_count

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "framework" in form.base_fields:
            # A statement stays in its framework. Disabled rather than read-only: Django checks the
            # unique-position constraints, which name the framework, only when the form holds it.
            form.base_fields["framework"].disabled = True
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.editable().select_related("occupation")
        # Each section and level says its scale, so that statement-place.js offers a section's levels only.
        if db_field.name == "level":
            kwargs["queryset"] = levels = Level.objects.select_related("scale")  # each named with its scale
            data = {str(level.pk): {"data-scale": level.scale_id} for level in levels}
            kwargs["widget"] = SelectWithOptionData(option_data=data)
        if db_field.name == "section":
            data = {
                str(section.pk): {"data-scale": section.scale_id, "data-uses-domains": str(section.uses_domains).lower()}
                for section in Section.objects.all()
            }
            kwargs["widget"] = SelectWithOptionData(option_data=data)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def view_on_site(self, obj):
        return f"{obj.framework.get_version_url()}?tab={obj.section.key}#statement-{obj.uid}"

    def response_add(self, request, obj, post_url_continue=None):
        return self.add_next_in_place(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self.add_next_in_place(request, obj, super().response_change(request, obj))

    def response_post_save_add(self, request, obj):
        return self.back_to_framework(request, obj) or super().response_post_save_add(request, obj)

    def response_post_save_change(self, request, obj):
        return self.back_to_framework(request, obj) or super().response_post_save_change(request, obj)

    def back_to_framework(self, request, obj):
        """*Save* on a statement opened from its framework's page goes back to that page, where its
        statements are read and moved in page order; one opened from the statement list goes back to the
        list, as Django's does, with its search and filters."""
        if self.get_preserved_filters(request):
            return None
        frameworks = self.admin_site.get_model_admin(Framework)
        if not frameworks.has_view_or_change_permission(request, obj.framework):
            return None
        return HttpResponseRedirect(reverse("admin:frameworks_framework_change", args=[obj.framework_id]))

    def add_next_in_place(self, request, obj, response):
        """*Save and add another* opens the next statement in the saved one's framework, section, level and
        domain: a framework is written level by level, and picking all four again for each is most of the work."""
        if "_addanother" not in request.POST or IS_POPUP_VAR in request.POST:
            return response
        address = urlsplit(response["Location"])
        place = {"framework": obj.framework_id, "section": obj.section_id, "level": obj.level_id, "domain": obj.domain_id}
        query = [(name, value) for name, value in parse_qsl(address.query) if name not in place]
        query += [(name, pk) for name, pk in place.items() if pk is not None]
        response["Location"] = urlunsplit(address._replace(query=urlencode(query)))
        return response


class LevelInline(admin.TabularInline):
    model = Level
    formset = RowsFormSet
    extra = 0


@admin.register(ProficiencyScale)
class ProficiencyScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    inlines = [LevelInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "scale", "shows_evidence", "position"]


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
class OnetReleaseAdmin(ReadOnlyAdmin):
    """Read-only: releases come from manage.py import_onet alone. Deleting one would leave every row it
    wrote without a release, a curator's to the importer; a made-up later one makes it refuse real ones."""

    list_display = ["version", "released", "imported_at"]
