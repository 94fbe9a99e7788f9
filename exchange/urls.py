from django.urls import path, re_path

from exchange import views
from frameworks.soc import SOC_CODE_PATTERN

app_name = "exchange"

occupation = rf"^occupations/(?P<soc_code>{SOC_CODE_PATTERN})"

urlpatterns = [
    re_path(rf"{occupation}/framework\.json$", views.framework_json, name="json"),
    re_path(rf"{occupation}/framework\.csv$", views.framework_csv, name="csv"),
    re_path(rf"{occupation}/framework\.jsonld$", views.framework_jsonld, name="jsonld"),
    # CASE 1.1 REST binding: 1EdTech's paths, which have no trailing slash.
    path("ims/case/v1p1/CFDocuments", views.case_documents, name="case-documents"),
    path("ims/case/v1p1/CFPackages/<uuid:identifier>", views.case_package, name="case-package"),
]
