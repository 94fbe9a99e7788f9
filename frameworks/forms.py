import unicodedata

from django import forms

from frameworks.models import JobZone
from frameworks.soc import MAJOR_GROUPS


class DirectoryForm(forms.Form):
    """The occupation directory's search, filters and order; every field is optional."""

    SORTS = [("", "Best match"), ("title", "Title"), ("code", "SOC code")]

    # The search field takes this many characters; a longer query (pasted into an address) is searched for
    # its start, rather than dropped and answered with every occupation as though nothing had been asked.
    QUERY_LENGTH = 200

    q = forms.CharField(label="Search occupations", required=False)
    job_zone = forms.TypedChoiceField(label="Job zone", required=False, coerce=int, empty_value=None)
    group = forms.ChoiceField(
        label="SOC major group",
        required=False,
        choices=[("", "All groups")] + [(code, f"{code} {name}") for code, name in MAJOR_GROUPS.items()],
    )
    framework = forms.BooleanField(label="Has a published framework", required=False)
    hot = forms.BooleanField(label="Uses hot technologies", required=False)
    sort = forms.ChoiceField(label="Order by", required=False, choices=SORTS)

    def __init__(self, *args, job_zone_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_zone"].choices = job_zone_choices or [("", "All job zones")] + [
            (zone.number, f"{zone.number} · {zone.name}") for zone in JobZone.objects.order_by("number")
        ]

    def clean_q(self):
        # Text pasted from documents and web pages carries invisible format characters (a zero-width space,
        # a soft hyphen, a byte-order mark) that would split or hide the words searched for.
        query = "".join(char for char in self.cleaned_data["q"] if unicodedata.category(char) != "Cf").strip()
        if len(query) <= self.QUERY_LENGTH:
            return query
        # Whole words: a word cut short would be searched as the start of longer ones.
        head = query[: self.QUERY_LENGTH + 1]
        words = head.split()
        return " ".join(words if head[-1].isspace() else words[:-1]) or head[: self.QUERY_LENGTH]

    @property
    def filtered(self):
        """Whether anything narrows the list beyond the search words."""
        data = self.cleaned_data
        return any(data.get(name) for name in ("job_zone", "group", "framework", "hot"))
