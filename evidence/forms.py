from django import forms

from evidence.models import SourceAnchor, Suggestion
from frameworks.models import Statement


class SuggestionForm(forms.ModelForm):
    """A public correction; `about` names the anchor or statement it concerns."""

    about = forms.ChoiceField(label="Which item needs correcting?")
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label="Leave this field empty", max_length=200)

    class Meta:
        model = Suggestion
        fields = ["name", "email", "correction"]
        labels = {"name": "Your name (optional)", "email": "Your email (optional)", "correction": "Suggested correction"}
        help_texts = {"email": "Only used if a curator needs to ask you about your suggestion."}
        widgets = {"correction": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, occupation, framework=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.occupation = occupation
        anchors = list(SourceAnchor.objects.filter(occupation=occupation).order_by(*SourceAnchor.panel_order()))
        statements = list(
            Statement.objects.filter(framework=framework).select_related("section", "level", "domain")
            if framework
            else []
        )
        self._items = {f"anchor-{a.pk}": a for a in anchors} | {f"statement-{s.pk}": s for s in statements}
        choices = [("", "Choose an item"), ("general", "Something else about this occupation")]
        if anchors:
            choices.append(("O*NET anchors", [(f"anchor-{a.pk}", f"{a.kind_name}: {a.name}") for a in anchors]))
        if statements:
            choices.append(
                ("Statements", [(f"statement-{s.pk}", self._statement_label(s)) for s in statements])
            )
        self.fields["about"].choices = choices

    @staticmethod
    def _statement_label(statement):
        # Durable skills repeat their levels in every domain: the domain tells them apart.
        place = [statement.section.name, statement.domain.name if statement.domain else None, statement.level.name]
        return f"{' · '.join(part for part in place if part)}: {statement.title}"

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("Leave this field empty.")
        return ""

    def save(self, commit=True, remote_address=None):
        suggestion = super().save(commit=False)
        suggestion.occupation = self.occupation
        suggestion.remote_address = remote_address
        item = self._items.get(self.cleaned_data["about"])
        if isinstance(item, SourceAnchor):
            suggestion.anchor = item
        elif isinstance(item, Statement):
            suggestion.statement = item
        if commit:
            suggestion.save()
        return suggestion
