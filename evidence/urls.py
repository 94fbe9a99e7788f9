from django.urls import path, re_path

from evidence import views
from frameworks.soc import SOC_CODE_PATTERN

app_name = "evidence"

urlpatterns = [
    path("citations/<int:citation_id>/", views.citation_detail, name="citation"),
    path("sources/<slug:key>/", views.source_detail, name="source"),
    re_path(rf"^occupations/(?P<soc_code>{SOC_CODE_PATTERN})/suggest/$", views.suggest_correction, name="suggest"),
]
