"""What the database holds, in a form tests compare before and after."""

from django.apps import apps
from django.core import serializers


def snapshot():
    """Every row of both apps, serialized by model: the tables behind many-to-many links included."""
    return {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for app in ("frameworks", "evidence")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }
