from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.compensation.calc import ENTERED_INPUTS


class PeriodForm(forms.Form):
    period = forms.CharField(label=_("Month"), max_length=7, help_text=_("YYYY-MM"))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.TextInput)


class PayInputForm(forms.Form):
    staff_no = forms.CharField(label=_("Staff no."), max_length=32)
    name = forms.ChoiceField(label=_("Input"), choices=[(n, n) for n in ENTERED_INPUTS])
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=6)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class FormulaForm(forms.Form):
    formula = forms.CharField(label=_("Formula"), widget=forms.TextInput)


class PreviewForm(forms.Form):
    staff_no = forms.CharField(label=_("Staff no."), max_length=32)
    period = forms.CharField(label=_("Month"), max_length=7)


class CopyForm(forms.Form):
    code = forms.CharField(label=_("New code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(label=_("Staff category"))
    level = forms.ChoiceField(label=_("Level"), required=False)

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


class YamlImportForm(forms.Form):
    file = forms.FileField(label=_("YAML file"))
