from django.db import models

from frameworks.models import Framework


class CaseObject(models.Model):
    """An object of a public framework's CASE package, published or archived: where its address finds it.

    Identifiers are derived one way from natural keys, so an object other than a statement (whose
    identifier is its uid) can only be found by listing the packages' objects. The rows of a framework
    are written the first time an object is looked up after it is made public, and deleted when it, its
    statements or the shared keys its identifiers derive from change (`exchange.signals`).
    """

    identifier = models.UUIDField(db_index=True)
    collection = models.CharField(max_length=40)
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="case_objects")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework", "identifier"], name="unique_case_object"),
        ]

    def __str__(self):
        return f"{self.collection}/{self.identifier}"
