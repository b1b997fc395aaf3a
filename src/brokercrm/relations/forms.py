from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.core.widgets import DateInput
from brokercrm.relations.models import RelationType


class AddForm(forms.Form):
    customer_no = forms.CharField(label=_("Customer no."), max_length=32)
    staff_no = forms.CharField(label=_("Staff no."), max_length=32)
    relation_type = forms.ChoiceField(label=_("Relation type"), choices=RelationType.choices, initial=RelationType.DEVELOPMENT)
    start_date = forms.DateField(label=_("Start date (first day in force)"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    to_staff_no = forms.CharField(label=_("Receiving staff no."), max_length=32)
    effective_date = forms.DateField(label=_("Effective date (first day with the receiver)"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TerminateForm(forms.Form):
    end_date = forms.DateField(label=_("End date (first day no longer in force)"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BulkTransferForm(forms.Form):
    from_staff_no = forms.CharField(label=_("Leaving staff no."), max_length=32)
    to_staff_no = forms.CharField(label=_("Receiving staff no."), max_length=32)
    effective_date = forms.DateField(label=_("Effective date (first day with the receiver)"), widget=DateInput())
    include_service = forms.BooleanField(label=_("Move service relations too"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
