from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control

from evidence import ratelimit, selectors
from evidence.forms import SuggestionForm
from frameworks.selectors import current_framework, get_occupation
from frameworks.workflow import can_preview
from nsx.cache import cached_page
from nsx.htmx import template_for
from nsx.http import read_only, takes_form


@read_only
@cached_page
def citation_detail(request: HttpRequest, citation_id: int):
    template = template_for(request, "evidence/citation.html", "citation-detail")
    # Only the whole page shows the statement; a chip opened in place shows the source and its anchors.
    whole_page = template == "evidence/citation.html"
    citation = selectors.visible_citation(citation_id, preview=can_preview(request.user), with_statement=whole_page)
    response = render(request, template, {"citation": citation, "statement": citation.statement})
    if not citation.statement.framework.is_public:
        patch_cache_control(response, private=True, no_store=True)  # a draft, shown to a curator
    return response


@read_only
@cached_page
def source_detail(request: HttpRequest, key: str):
    source = selectors.get_source(key)
    return render(request, "evidence/source.html", {"source": source, "citations": selectors.citations_of(source)})


SUGGESTIONS_PER_HOUR = 5
SUGGESTION_WINDOW_SECONDS = 3600


@takes_form
# The form holds the visitor's CSRF token: for their browser alone to keep.
@cache_control(private=True)
def suggest_correction(request: HttpRequest, soc_code: str):
    occupation = get_occupation(soc_code)
    framework = current_framework(occupation)
    form = SuggestionForm(request.POST or None, occupation=occupation, framework=framework)
    # Only suggestions that would be saved count towards the limit: correcting a mistake costs nothing.
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit("suggestion", request, SUGGESTIONS_PER_HOUR, SUGGESTION_WINDOW_SECONDS):
            refused = render(
                request,
                "evidence/suggest.html",
                {"occupation": occupation, "framework": framework, "form": form, "rate_limited": True},
                status=429,
            )
            # The window's end at the latest: the cache does not say when the address's window began.
            refused["Retry-After"] = str(SUGGESTION_WINDOW_SECONDS)
            return refused
        form.save(remote_address=ratelimit.client_address(request) or None)
        messages.success(request, "Thank you. A curator will review your suggestion.")
        return redirect(occupation.get_absolute_url() + "?tab=anchors")
    return render(request, "evidence/suggest.html", {"occupation": occupation, "framework": framework, "form": form})
