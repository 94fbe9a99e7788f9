import csv
import uuid
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from exchange import case, ctdl, selectors
from exchange.document import framework_document
from exchange.fileformat import dump_json
from frameworks.selectors import published_frameworks
from nsx.cache import cached_page

JSON_LD = "application/ld+json"
CSV_COLUMNS = ("section", "level", "domain", "position", "title", "text", "citations")


def readable_by_any_site(view):
    """Public, read-only data: browser-based tools on other sites may fetch it (CORS, no credentials)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def prefers_json(request: HttpRequest):
    """Whether the client asks for JSON rather than the page, e.g. with `Accept: application/json`."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _json(data, content_type="application/json"):
    return JsonResponse(data, content_type=content_type, json_dumps_params={"ensure_ascii": False})


@require_safe
@cached_page
@readable_by_any_site
def framework_json(request: HttpRequest, soc_code: str):
    framework = selectors.public_framework(soc_code)
    return HttpResponse(dump_json(framework_document(framework)), content_type="application/json")


# A cell starting with one of these is a formula to spreadsheet programs (OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """Curator-entered text as a cell that a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@require_safe
@cached_page
@readable_by_any_site
def framework_csv(request: HttpRequest, soc_code: str):
    framework = selectors.public_framework(soc_code)
    contents = selectors.framework_contents(framework)
    filename = f"{soc_code}-framework-v{framework.version}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for statement in contents.statements:
        writer.writerow(
            [
                statement.section.name,
                statement.level.name,
                statement.domain.name if statement.domain else "",
                statement.position,
                spreadsheet_text(statement.title),
                spreadsheet_text(statement.text),
                spreadsheet_text("; ".join(citation.source.label for citation in statement.citations.all())),
            ]
        )
    return response


@require_safe
@cached_page
@readable_by_any_site
def framework_jsonld(request: HttpRequest, soc_code: str):
    framework = selectors.public_framework(soc_code)
    document_url = request.build_absolute_uri(request.path)
    page_url = request.build_absolute_uri(framework.get_absolute_url())
    return _json(
        ctdl.competency_framework(selectors.framework_contents(framework), document_url, page_url), JSON_LD
    )


def case_lookup(view):
    """A CASE read by sourcedId: the view gets the identifier as a UUID, and an unknown or malformed one
    is answered with 404 and CASE's imsx_StatusInfo, the error payload of the REST binding."""

    @wraps(view)
    def wrapper(request, identifier, **kwargs):
        try:
            sourced_id = uuid.UUID(identifier)
        except ValueError:
            sourced_id = None
        # One address per object: the lowercase, hyphenated form that every URI of ours uses.
        if sourced_id is None or str(sourced_id) != identifier:
            return _case_error("invalid_uuid", "The identifier is not a UUID in its canonical form.")
        try:
            return view(request, sourced_id, **kwargs)
        except Http404 as error:
            return _case_error("unknownobject", str(error))

    return wrapper


def _case_error(code, description):
    status = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": code}
            ]
        },
    }
    return JsonResponse(status, status=404)


@require_safe
@cached_page
@readable_by_any_site
@case_lookup
def case_package(request: HttpRequest, identifier):
    framework = selectors.public_framework_by_identifier(identifier)
    return _json(case.cf_package(selectors.framework_contents(framework), case.base_url(request)))


@require_safe
@cached_page
@readable_by_any_site
def case_documents(request: HttpRequest):
    return _json(case.documents_listing(published_frameworks(), case.base_url(request)))


@require_safe
@cached_page
@readable_by_any_site
@case_lookup
def case_document(request: HttpRequest, identifier):
    framework = selectors.public_framework_by_identifier(identifier)
    return _json(case.standalone_document(framework, case.base_url(request)))


def _package_holding(request, identifier, collection):
    """The package of the published framework that holds this object, if it is in this collection."""
    found_in, framework = selectors.case_object_owner(identifier)
    if found_in != collection:
        raise Http404(f"No {collection} object has that identifier.")
    return case.cf_package(selectors.framework_contents(framework), case.base_url(request))


@require_safe
@cached_page
@readable_by_any_site
@case_lookup
def case_object(request: HttpRequest, identifier, collection):
    """getCFItem, getCFAssociation, getCFRubric, getCFItemType, getCFSubject and the rubric parts."""
    served = case.served_object(_package_holding(request, identifier, collection), collection, identifier)
    if served is None:
        raise Http404(f"No {collection} object has that identifier.")
    return _json(served)


@require_safe
@cached_page
@readable_by_any_site
@case_lookup
def case_item_associations(request: HttpRequest, identifier):
    served = case.item_associations(_package_holding(request, identifier, "CFItems"), identifier)
    if served is None:
        raise Http404("No CFItems object has that identifier.")
    return _json(served)
