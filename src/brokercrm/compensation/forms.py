from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.compensation.calc import ENTERED_INPUTS
from brokercrm.core.forms import CopyToCategoryForm


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


class CopyForm(CopyToCategoryForm):
    """Copy a pay structure to another category or level."""


class YamlImportForm(forms.Form):
    file = forms.FileField(label=_("YAML file"))
