from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "Framework exchange"

    def ready(self):
        from exchange import signals  # noqa: F401  (connects the receivers)
