"""Forms of the research library: uploading a report and pushing it to customers."""
from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.research.models import ResearchPush, ResearchReport
from brokercrm.servicing.facade import BUILTIN_SEGMENTS


class ReportUploadForm(forms.Form):
    file = forms.FileField(label=_("Report file (PDF, Word .docx, Markdown or text)"))
    title = forms.CharField(label=_("Title"), max_length=300, required=False, help_text=_("Empty: the first line of the text."))
    source = forms.ChoiceField(label=_("Source"), choices=ResearchReport.Source.choices)
    analyst = forms.CharField(label=_("Analyst"), max_length=100, required=False)
    report_date = forms.DateField(label=_("Report date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    report_type = forms.ChoiceField(label=_("Report type"), choices=ResearchReport.ReportType.choices, initial=ResearchReport.ReportType.INDUSTRY)
    rating = forms.ChoiceField(label=_("Rating"), choices=[("", "—"), *ResearchReport.Rating.choices], required=False)
    target_price = forms.DecimalField(label=_("Target price"), max_digits=14, decimal_places=2, required=False, min_value=0)
    industries = forms.CharField(label=_("Industries"), required=False, help_text=_("Comma-separated, e.g. 食品饮料,银行"))
    securities = forms.CharField(label=_("Securities covered"), required=False, help_text=_("Comma-separated, e.g. SH600519,SZ000001"))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Comma-separated"))
    audience = forms.ChoiceField(label=_("Audience"), choices=ResearchReport.Audience.choices)


class ReportPushForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ResearchPush.Channel.choices, widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    by_holdings = forms.BooleanField(label=_("Customers holding the covered securities or industries"), required=False, initial=True,
                                     widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    segment = forms.ChoiceField(label=_("And the customers of a segment"), required=False,
                                choices=[("", "—"), *((code, code) for code in BUILTIN_SEGMENTS)],
                                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
