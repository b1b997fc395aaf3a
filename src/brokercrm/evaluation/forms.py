from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.core.forms import CopyToCategoryForm
from brokercrm.evaluation.models import PeriodKind, SchemeItem


class RunForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"))
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY"))
    branch_code = forms.CharField(label=_("Branch"), max_length=10, required=False)

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


class CopyForm(CopyToCategoryForm):
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
