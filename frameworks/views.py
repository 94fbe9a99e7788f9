from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from exchange.selectors import framework_exports
from exchange.views import framework_json
from frameworks import selectors
from frameworks.forms import DirectoryForm
from frameworks.workflow import can_preview
from nsx.cache import cached_page
from nsx.htmx import template_for
from nsx.http import read_only
from nsx.negotiation import prefers_json

ANCHORS_TAB = ("anchors", "Source anchors")


@read_only
@cached_page
def home(request: HttpRequest):
    return render(request, "frameworks/home.html", {"frameworks": selectors.published_frameworks()})


@read_only
@cached_page(query=(*DirectoryForm.base_fields, "page"))
def occupation_list(request: HttpRequest):
    # The form sends the fields left empty too (?q=nurse&job_zone=&group=): each search has one address.
    # htmx follows the redirect and shows the address it ends at.
    if any("" in values for _, values in request.GET.lists()):
        asked_for = [(name, value) for name, values in request.GET.lists() for value in values if value]
        return redirect(f"{request.path}?{urlencode(asked_for)}" if asked_for else request.path)
    asked = DirectoryForm(request.GET)
    asked.is_valid()
    # A value out of range (an edited address) drops that filter alone: the valid ones still apply.
    filters = asked.cleaned_data
    # get_page turns a number past either end into the last page; before the first, the first is meant.
    try:
        number = max(1, int(request.GET.get("page", "")))
    except ValueError:
        number = 1
    page = Paginator(selectors.directory(filters), 50).get_page(number)
    # The fields show the filters applied. Not the bound form: it would mark a dropped value invalid,
    # pointing at an error message the page does not show.
    form = DirectoryForm(initial=filters, job_zone_choices=asked.fields["job_zone"].choices)
    context = {"form": form, "query": filters.get("q", ""), "filtered": asked.filtered, "page": page}
    if context["query"] or asked.filtered or filters.get("sort"):
        # Searches, filters and orders make endless near-copies of the directory: none of them for an index.
        context["noindex"] = True
    else:
        # The directory's pages are its index; other parameters (a made-up page number, a tracking tag)
        # name one of them again.
        canonical = reverse("frameworks:occupation-list")
        if page.number > 1:
            canonical += f"?page={page.number}"
        context["canonical_url"] = request.build_absolute_uri(canonical)
    template = template_for(request, "frameworks/occupation_list.html", "results-swap")
    response = render(request, template, context)
    if request.GET.get("page", str(page.number)) != str(page.number):
        # Another page's content under a made-up number ('abc', '9999'): each would store a copy of it.
        patch_cache_control(response, private=True)
    return response


@read_only
@cached_page(query=("tab",))
def occupation_detail(request: HttpRequest, soc_code: str):
    if prefers_json(request):
        return framework_json(request, soc_code)  # a missing one too is answered as JSON
    occupation, versions = selectors.occupation_with_versions(soc_code)
    framework = selectors.published_version(versions)
    context = {"occupation": occupation, "framework": framework, "versions": versions}
    if framework is None:
        context["panel"] = selectors.anchor_panel(occupation, grounds_statements=False)
        context["related"] = selectors.related_occupations(occupation)
        # One address for the page whatever is added to it (a tab a link kept from a framework withdrawn).
        context["canonical_url"] = request.build_absolute_uri(occupation.get_absolute_url())
        return render(request, "frameworks/occupation_without_framework.html", context)
    return _framework_page(request, context)


@read_only
def soc_occupation(request: HttpRequest, soc_code: str):
    """A SOC code as people write it (41-3021): O*NET's occupation of the same name (41-3021.00)."""
    address = selectors.get_occupation(f"{soc_code}.00").get_absolute_url()
    # With its query, so that a link to a tab keeps its tab.
    return redirect(f"{address}?{request.GET.urlencode()}" if request.GET else address)


def _section_parts(framework, sections):
    """The content of these sections of the framework, and the evidence pack when one of them shows it.

    The framework page shows one tab's section and the print page every one: both take them from here.
    """
    parts = {"sections": selectors.framework_sections(framework, sections)}
    if any(section.shows_evidence for section in sections):
        parts["evidence_pack"] = selectors.evidence_pack(framework)
        parts["occupations_with_data"] = selectors.occupations_with_source_data()
    return parts


def _framework_page(request, context):
    """The framework page (or, for htmx, its tabs) of context's occupation and framework."""
    occupation, framework = context["occupation"], context["framework"]
    sections = {section.key: section for section in selectors.sections()}
    tabs = [(key, section.name) for key, section in sections.items()] + [ANCHORS_TAB]
    tab_keys = [key for key, _ in tabs]
    tab = request.GET.get("tab", tab_keys[0])
    if tab not in tab_keys:
        # An edited address: sent to the page's own, so that no made-up tab is a page of its own.
        return redirect(request.path)
    # Citations show as chips (print.html sets as_footnotes). Set rather than left out: the template
    # reads it for every statement, and each read of a missing variable raises and catches exceptions.
    context.update(tabs=tabs, tab=tab, as_footnotes=False)
    # The current version has one address, whichever tab is shown; an earlier version or a draft is
    # other content, at an address of its own.
    current = not context.get("version_notice")
    canonical = occupation.get_absolute_url() if current else framework.get_version_url()
    context["canonical_url"] = request.build_absolute_uri(canonical)
    # The schema.org data (some 65 KB) only at that address: every tab's page would otherwise repeat it.
    context["embeds_linked_data"] = current and request.path == canonical and "tab" not in request.GET
    if "exports" not in context:  # a version's page has chosen its own
        context["exports"] = framework_exports(framework)
    if tab == ANCHORS_TAB[0]:
        context["panel"] = selectors.anchor_panel(occupation, grounds_statements=True)
    else:
        context.update(_section_parts(framework, [sections[tab]]))
        context["content"] = context["sections"][0]
        context["anchor_summary"] = selectors.anchor_summary(occupation)
    return render(request, template_for(request, "frameworks/framework.html", "tabs"), context)


@read_only
@cached_page(query=("tab",))
def framework_version(request: HttpRequest, soc_code: str, version: str):
    """One version of the framework: an earlier, archived one, or to curators and editors a draft."""
    if prefers_json(request):
        return framework_json(request, soc_code, version)  # a draft, to anyone, is a JSON 404
    occupation = selectors.get_occupation(soc_code)
    framework = selectors.framework_version(occupation, version, preview=can_preview(request.user))
    # A draft's preview lists no versions, nor files: both are of what the public can read.
    context = {"occupation": occupation, "framework": framework, "versions": [], "exports": []}
    if not framework.is_public:
        context["version_notice"] = "draft"
    else:
        # Its version's own files, which stay what they are when a later version is published.
        context["exports"] = framework_exports(framework, at_version=True)
        context["versions"] = versions = selectors.public_versions(occupation)
        if (current := selectors.published_version(versions)) != framework:
            context.update(version_notice="earlier", current=current)
    response = _framework_page(request, context)
    if not framework.is_public:
        patch_cache_control(response, private=True, no_store=True)
    return response


@read_only
@cached_page
def anchors(request: HttpRequest, soc_code: str):
    occupation = selectors.get_occupation(soc_code)
    has_framework = selectors.current_framework(occupation) is not None
    panel = selectors.anchor_panel(occupation, grounds_statements=has_framework)
    template = template_for(request, "frameworks/anchors.html", "anchor-panel")
    context = {"occupation": occupation, "panel": panel, "canonical_url": request.build_absolute_uri(request.path)}
    return render(request, template, context)


@dataclass
class Footnote:
    number: int
    source: dict  # selectors.CITED_SOURCE_FIELDS


def _number_sources(sections):
    """Numbers each cited source once, in reading order, and gives every citation its source's number.

    A citation's number is text: the template shows it twice per citation, and renders an int by localizing it.
    """
    notes = {}
    for content in sections:
        for statement in content.statements():
            for citation in statement["cited"]:
                source = citation["source"]
                note = notes.setdefault(source["pk"], Footnote(len(notes) + 1, source))
                citation["footnote"] = str(note.number)
    return list(notes.values())


@read_only
@cached_page
def framework_print(request: HttpRequest, soc_code: str):
    """The whole framework on one page, every tab's content, with its sources as footnotes."""
    occupation = selectors.get_occupation(soc_code)
    framework = selectors.current_framework(occupation)
    if framework is None:
        raise Http404("No framework is published for this occupation.")
    context = {
        "occupation": occupation,
        "framework": framework,
        "panel": selectors.anchor_panel(occupation, grounds_statements=True),
        **_section_parts(framework, selectors.sections()),
    }
    context["footnotes"] = _number_sources(context["sections"])
    return render(request, "frameworks/print.html", context)
