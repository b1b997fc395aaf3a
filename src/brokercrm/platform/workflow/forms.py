from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment (required to reject)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DefinitionUploadForm(forms.Form):
    file = forms.FileField(label=_("BPMN 2.0 file (.bpmn)"))
