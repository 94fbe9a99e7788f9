from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "frameworks"

    def ready(self):
        from frameworks import signals

        signals.connect_content_signals()
