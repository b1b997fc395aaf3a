from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.core.widgets import DateInput
from brokercrm.servicing.models import Advice, Alert, CallRecord, RuleCode, ServiceTask, Strategy, VisitPolicy


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
        # A strategy starts inactive: it is activated on its page after its preview was seen.
        fields = ["name", "segment", "content", "channel", "frequency", "owner", "product", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class CallRecordForm(forms.Form):
    """The desk's call record: outcome, duration, notes, and an optional follow-up task for the agent."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallRecord.Outcome.choices)
    duration_seconds = forms.IntegerField(label=_("Duration (s)"), min_value=0, max_value=86_400)
    note = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    complete_task = forms.BooleanField(label=_("The call completes the task"), required=False, initial=True)
    follow_up_title = forms.CharField(label=_("Follow-up task"), required=False, max_length=200)
    follow_up_due = forms.DateField(label=_("Follow-up due"), required=False, widget=DateInput())


class ManualTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())


class AdviceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Advice.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    note = forms.CharField(label=_("Advice"), widget=forms.Textarea(attrs={"rows": 4}))
    security = forms.CharField(label=_("Security (market.code)"), max_length=20, required=False,
                               help_text=_("Operation advice only, e.g. SH.600036"))


class ModelPortfolioForm(forms.Form):
    """One risk level's weights in whole percents (cash, bond, fund, stock), adding up to 100."""

    risk_level = forms.ChoiceField(label=_("Risk level"), choices=[(f"C{i}", f"C{i}") for i in range(1, 6)])
    cash = forms.IntegerField(label=_("Cash %"), min_value=0, max_value=100)
    bond = forms.IntegerField(label=_("Bonds %"), min_value=0, max_value=100)
    fund = forms.IntegerField(label=_("Funds %"), min_value=0, max_value=100)
    stock = forms.IntegerField(label=_("Stocks %"), min_value=0, max_value=100)


class StrategyTextForm(forms.ModelForm):
    """The message template of a strategy, editable by admins and head office."""

    class Meta:
        model = Strategy
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}


class VisitPolicyForm(forms.ModelForm):
    """Key-customer and exception visits, and customer care (head office)."""

    exception_rules = forms.MultipleChoiceField(label=_("alert rules that call for a visit"), choices=RuleCode.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = VisitPolicy
        fields = ["key_segment", "key_frequency", "exception_rules", "exception_due_days", "care_birthdays", "care_anniversaries",
                  "care_holidays", "care_drop_percent", "care_drop_days", "care_drop_min_assets"]
