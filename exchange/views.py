import csv
import re
import uuid
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header

from exchange import case, ctdl, selectors
from exchange.document import framework_document
from exchange.fileformat import dump_json
from frameworks.selectors import public_frameworks
from nsx.cache import cached_page
from nsx.http import READ_METHODS, read_only
from nsx.negotiation import json_error

JSON_LD = "application/ld+json"
# New columns go last, so that a reader taking cells by their place still finds the earlier ones.
CSV_COLUMNS = ("section", "level", "domain", "position", "title", "text", "citations", "role_label", "key")


# What a browser's preflight is told another site's tool may do: read, conditionally too, for a day.
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
    "Allow": ", ".join(READ_METHODS),
}


def readable_by_any_site(view):
    """Public, read-only data: browser-based tools on other sites may fetch it (CORS, no credentials).

    Read only (GET and HEAD); OPTIONS is answered for the browser's preflight, which a tool sending a
    header such as If-None-Match must pass first. Its "not found" and "method not allowed" too, answered as
    JSON: the site's error pages would carry no CORS header, and such a tool could not tell a framework that
    does not exist from a network failure.
    """
    read = read_only(view, in_json=True)

    @wraps(read)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return HttpResponse(status=204, headers=PREFLIGHT_HEADERS)
        try:
            response = read(request, *args, **kwargs)
        except Http404 as missing:
            response = json_error(str(missing), 404)
        response["Access-Control-Allow-Origin"] = "*"
        # ETag is no CORS-safelisted header: unnamed here, a script could not send it back in If-None-Match.
        exposed = [name for name in response.get("Access-Control-Expose-Headers", "").split(", ") if name]
        response["Access-Control-Expose-Headers"] = ", ".join(["ETag", *exposed])
        return response

    return wrapper


def _json(data, content_type="application/json"):
    return JsonResponse(data, content_type=content_type, json_dumps_params={"ensure_ascii": False})


def _saved_as(response, framework, extension, as_attachment=False):
    """Name the file a saved copy takes, one per framework version (every export's address ends alike).
    JSON is shown inline, as browsers show it; the CSV, which they would not, is a download."""
    filename = f"{framework.occupation.soc_code}-framework-v{framework.version}.{extension}"
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response


@cached_page
@readable_by_any_site
def framework_json(request: HttpRequest, soc_code: str, version: str | None = None):
    framework = selectors.public_framework(soc_code, version)
    response = HttpResponse(dump_json(framework_document(framework)), content_type="application/json")
    return _saved_as(response, framework, "json")


# A cell starting with one of these is a formula to spreadsheet programs (OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """Curator-entered text as a cell that a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def statement_row(statement):
    return (
        statement.section.name,
        statement.level.name,
        statement.domain.name if statement.domain else "",
        statement.position,
        statement.title,
        statement.text,
        "; ".join(citation.source.label for citation in statement.citations.all()),
        # As the page shows it: with the level, in the sections that show role labels.
        statement.level.role_label if statement.section.shows_role_labels else "",
        # The statement's uid: its key in the JSON, its CASE identifier, its anchor on the page.
        statement.uid,
    )


@cached_page
@readable_by_any_site
def framework_csv(request: HttpRequest, soc_code: str, version: str | None = None):
    framework = selectors.public_framework(soc_code, version)
    contents = selectors.framework_contents(framework)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    _saved_as(response, framework, "csv", as_attachment=True)
    writer = csv.writer(response)
    # Every cell goes through spreadsheet_text, so no column can be left out of it.
    for row in [CSV_COLUMNS, *map(statement_row, contents.statements)]:
        writer.writerow([spreadsheet_text(str(cell)) for cell in row])
    return response


@cached_page
@readable_by_any_site
def framework_jsonld(request: HttpRequest, soc_code: str, version: str | None = None):
    framework = selectors.public_framework(soc_code, version)
    document_url = request.build_absolute_uri(request.path)
    # The page showing what the file holds: a version's own page for a version's file.
    page_url = request.build_absolute_uri(
        framework.get_version_url() if version else framework.get_absolute_url()
    )
    response = _json(
        ctdl.competency_framework(selectors.framework_contents(framework), document_url, page_url), JSON_LD
    )
    return _saved_as(response, framework, "jsonld")


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


def _case_error(code, description, status=404, field="TargetEndSystem"):
    info = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [{"imsx_codeMinorFieldName": field, "imsx_codeMinorFieldValue": code}]
        },
    }
    return JsonResponse(info, status=status)


@cached_page
@readable_by_any_site
@case_lookup
def case_package(request: HttpRequest, identifier):
    framework = selectors.public_framework_by_identifier(identifier)
    return _json(case.cf_package(selectors.framework_contents(framework), case.base_url(request)))


class BadSelection(Exception):
    """A getAllCFDocuments query parameter whose value cannot be answered: 400 with CASE's status."""

    def __init__(self, parameter, description, code="invalid_selection_field"):
        super().__init__(description)
        self.parameter, self.code = parameter, code


# Digits alone (int() would also take " 1", "+1" and "1_0"), and few enough that int() is cheap.
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def _whole_number(query, name, default, minimum):
    value = query.get(name)
    if value is None:
        return default
    if not WHOLE_NUMBER.fullmatch(value) or int(value) < minimum:
        raise BadSelection(name, f"{name} is a whole number, {minimum} or more.")
    return int(value)


def _selected_fields(query):
    """getAllCFDocuments' `fields`, as the binding reads it: CFDocument field names separated by commas.

    A blank name makes the request invalid. Names of no CFDocument field are passed over, and with none
    left every document comes whole, as the binding answers a field the service does not select by.
    """
    value = query.get("fields")
    if value is None:
        return None
    names = {name.strip() for name in value.split(",")}
    if "" in names:
        raise BadSelection("fields", "fields is CFDocument field names, separated by commas, none blank.")
    return names & case.DOCUMENT_FIELDS or None


def _documents_selection(query):
    """getAllCFDocuments' query parameters, as case.documents_listing takes them."""
    if query.get("filter"):
        # Answering every document to a filtered request would look like a filtered answer.
        raise BadSelection("filter", "This service does not filter documents: ask without filter.")
    order = query.get("orderBy", "asc")
    if order not in ("asc", "desc"):
        raise BadSelection("orderBy", "orderBy is asc or desc.", code="invalid_sort_field")
    return {
        "limit": _whole_number(query, "limit", case.DOCUMENTS_PER_PAGE, minimum=1),
        "offset": _whole_number(query, "offset", 0, minimum=0),
        "sort": query.get("sort"),
        "descending": order == "desc",
        "fields": _selected_fields(query),
    }


@cached_page(query=("limit", "offset", "sort", "orderBy", "filter", "fields"))
@readable_by_any_site
def case_documents(request: HttpRequest):
    try:
        selection = _documents_selection(request.GET)
    except BadSelection as bad:
        return _case_error(bad.code, str(bad), status=400, field=bad.parameter)
    listing, total = case.documents_listing(public_frameworks(), case.base_url(request), **selection)
    response = _json(listing)
    response["X-Total-Count"] = str(total)
    # Not a CORS-safelisted header: a script on another site reads it only if it is named here.
    response["Access-Control-Expose-Headers"] = "X-Total-Count"
    return response


@cached_page
@readable_by_any_site
@case_lookup
def case_document(request: HttpRequest, identifier):
    framework = selectors.public_framework_by_identifier(identifier)
    return _json(case.standalone_document(framework, case.base_url(request)))


def _package_holding(request, identifier, collection):
    """The package of the public framework that holds this object, if it is in this collection."""
    found_in, framework = selectors.case_object_owner(identifier)
    if found_in != collection:
        raise Http404(f"No {collection} object has that identifier.")
    return case.cf_package(selectors.framework_contents(framework), case.base_url(request))


@cached_page
@readable_by_any_site
@case_lookup
def case_object(request: HttpRequest, identifier, collection):
    """getCFItem, getCFAssociation, getCFRubric, getCFItemType, getCFSubject and the rubric parts."""
    served = case.served_object(_package_holding(request, identifier, collection), collection, identifier)
    if served is None:
        raise Http404(f"No {collection} object has that identifier.")
    return _json(served)


@cached_page
@readable_by_any_site
@case_lookup
def case_item_associations(request: HttpRequest, identifier):
    served = case.item_associations(_package_holding(request, identifier, "CFItems"), identifier)
    if served is None:
        raise Http404("No CFItems object has that identifier.")
    return _json(served)
