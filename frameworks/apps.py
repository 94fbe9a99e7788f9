from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "frameworks"

    def ready(self):
        from django.db.models.signals import post_migrate

        from frameworks import signals
        from nsx.cache import content_changed_by_migrate

        signals.connect_content_signals()
        post_migrate.connect(content_changed_by_migrate, sender=self)
