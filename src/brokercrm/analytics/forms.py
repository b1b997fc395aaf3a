from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.analytics.models import Tier


class TierForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=50)
    name_en = forms.CharField(label=_("English name"), max_length=50, required=False)
    min_avg_daily_assets = forms.DecimalField(label=_("Minimum average daily assets"), max_digits=18, decimal_places=2, min_value=0)


class GroupForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=50)
    name_en = forms.CharField(label=_("English name"), max_length=50, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    rule = forms.CharField(label=_("Rule"), widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
                           help_text=_("A condition over the indicators below, e.g. active_days >= 5 and net_commission >= 500"))
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SettingsForm(forms.Form):
    downgrade_months = forms.IntegerField(label=_("Months below a tier before a downgrade"), min_value=1, max_value=24)
    rfm_window_months = forms.IntegerField(label=_("RFM window (months)"), min_value=1, max_value=60)
    cluster_count = forms.IntegerField(label=_("Number of clusters"), min_value=2, max_value=12)
    cluster_seed = forms.IntegerField(label=_("Clustering seed"), min_value=0, max_value=2**31 - 1)


class ConfigImportForm(forms.Form):
    file = forms.FileField(label=_("segments.yaml"))


class PinForm(forms.Form):
    customer_no = forms.CharField(label=_("Customer no."), max_length=32)
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.all())
    from_period = forms.RegexField(label=_("From month"), regex=r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    until_period = forms.RegexField(label=_("Until month (inclusive, optional)"), regex=r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM")
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PinEndForm(forms.Form):
    until_period = forms.RegexField(label=_("Last month"), regex=r"^\d{4}-\d{2}$", help_text="YYYY-MM")
