from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.core.widgets import DateInput
from brokercrm.servicing.models import Alert, ServiceTask, Strategy


class AlertResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Alert.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TaskCompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ServiceTask.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TaskAssignForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Assign to"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_queryset


class SpotCheckForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("Result"), choices=[("1", _("Passed")), ("0", _("Failed"))], coerce=lambda v: v == "1")
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StrategyForm(forms.ModelForm):
    class Meta:
        model = Strategy
        fields = ["name", "segment", "content", "channel", "frequency", "owner", "subject", "body", "active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
