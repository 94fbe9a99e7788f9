from django.urls import path, re_path

from exchange import views
from frameworks.soc import SOC_CODE_PATTERN
from frameworks.urls import VERSION_PATTERN

app_name = "exchange"

occupation = rf"^occupations/(?P<soc_code>{SOC_CODE_PATTERN})"
# One public version's files, which keep serving that version once a later one is published.
version = rf"{occupation}/versions/(?P<version>{VERSION_PATTERN})"
CASE = "ims/case/v1p1/"

urlpatterns = [
    re_path(rf"{occupation}/framework\.json$", views.framework_json, name="json"),
    re_path(rf"{occupation}/framework\.csv$", views.framework_csv, name="csv"),
    re_path(rf"{occupation}/framework\.jsonld$", views.framework_jsonld, name="jsonld"),
    re_path(rf"{version}/framework\.json$", views.framework_json, name="version-json"),
    re_path(rf"{version}/framework\.csv$", views.framework_csv, name="version-csv"),
    re_path(rf"{version}/framework\.jsonld$", views.framework_jsonld, name="version-jsonld"),
    # CASE 1.1 REST binding: 1EdTech's paths, which have no trailing slash. Identifiers are taken as
    # strings so that a malformed one is answered in CASE's error form too.
    path(f"{CASE}CFDocuments", views.case_documents, name="case-documents"),
    path(f"{CASE}CFPackages/<str:identifier>", views.case_package, name="case-package"),
    path(f"{CASE}CFDocuments/<str:identifier>", views.case_document, name="case-document"),
    path(f"{CASE}CFItems/<str:identifier>", views.case_object, {"collection": "CFItems"}, name="case-item"),
    path(
        f"{CASE}CFItemAssociations/<str:identifier>",
        views.case_item_associations,
        name="case-item-associations",
    ),
    path(
        f"{CASE}CFAssociations/<str:identifier>",
        views.case_object,
        {"collection": "CFAssociations"},
        name="case-association",
    ),
    path(
        f"{CASE}CFItemTypes/<str:identifier>",
        views.case_object,
        {"collection": "CFItemTypes"},
        name="case-item-type",
    ),
    path(
        f"{CASE}CFSubjects/<str:identifier>",
        views.case_object,
        {"collection": "CFSubjects"},
        name="case-subject",
    ),
    path(
        f"{CASE}CFRubrics/<str:identifier>",
        views.case_object,
        {"collection": "CFRubrics"},
        name="case-rubric",
    ),
    # Not in the binding; OpenSALT serves them, and our rubrics give them addresses.
    path(
        f"{CASE}CFRubricCriteria/<str:identifier>",
        views.case_object,
        {"collection": "CFRubricCriteria"},
        name="case-rubric-criterion",
    ),
    path(
        f"{CASE}CFRubricCriterionLevels/<str:identifier>",
        views.case_object,
        {"collection": "CFRubricCriterionLevels"},
        name="case-rubric-criterion-level",
    ),
]
