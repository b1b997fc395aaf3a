from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.evaluation.models import SchemeItem


class RunForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"))
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("YYYY-MM, YYYY-Qn or YYYY"))

    def __init__(self, *args, schemes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [(s.code, str(s)) for s in schemes]


class ItemForm(forms.Form):
    weight = forms.DecimalField(label=_("Weight"), max_digits=9, decimal_places=2)
    target = forms.DecimalField(label=_("Target"), max_digits=18, decimal_places=2, required=False)
    mode = forms.ChoiceField(label=_("Scoring"), choices=SchemeItem.Mode.choices)
    cap = forms.DecimalField(label=_("Cap (ratio)"), max_digits=9, decimal_places=4, required=False)
    floor = forms.DecimalField(label=_("Floor (ratio)"), max_digits=9, decimal_places=4, required=False)
    formula = forms.CharField(label=_("Formula"), required=False, widget=forms.TextInput)


class YamlImportForm(forms.Form):
    file = forms.FileField(label=_("YAML file"))


class CopyForm(forms.Form):
    code = forms.CharField(label=_("New code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(label=_("Staff category"))
    level = forms.ChoiceField(label=_("Level"), required=False)
    period_kind = forms.ChoiceField(label=_("Period"), choices=[("month", _("Monthly")), ("quarter", _("Quarterly")), ("year", _("Yearly"))])

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(categories)
        self.fields["category"].choices = [(c.code, c.label) for c in categories]
        self.fields["level"].choices = [("", "—")] + [(f"{c.code}:{lv.code}", f"{c.label} · {lv.label}") for c in categories for lv in c.levels]

    def clean(self) -> dict:
        """The level comes as category:level; the service gets the level's code within the chosen category."""
        data = super().clean()
        category, _sep, level = (data.get("level") or "").partition(":")
        if level and category != data.get("category"):
            self.add_error("level", "the level does not belong to the category")
        data["level"] = level
        return data
