from django.urls import path, re_path

from frameworks import views
from frameworks.soc import SOC_CODE_PATTERN

app_name = "frameworks"

# A framework version label as addresses take it (26.05); exchange's version exports share it.
VERSION_PATTERN = r"[\w.-]+"

urlpatterns = [
    path("", views.home, name="home"),
    path("occupations/", views.occupation_list, name="occupation-list"),
    re_path(rf"^occupations/(?P<soc_code>{SOC_CODE_PATTERN})/$", views.occupation_detail, name="occupation"),
    re_path(r"^occupations/(?P<soc_code>\d{2}-\d{4})/$", views.soc_occupation, name="soc-occupation"),
    re_path(rf"^occupations/(?P<soc_code>{SOC_CODE_PATTERN})/anchors/$", views.anchors, name="anchors"),
    re_path(
        rf"^occupations/(?P<soc_code>{SOC_CODE_PATTERN})/versions/(?P<version>{VERSION_PATTERN})/$",
        views.framework_version,
        name="version",
    ),
    re_path(rf"^occupations/(?P<soc_code>{SOC_CODE_PATTERN})/print/$", views.framework_print, name="print"),
]
