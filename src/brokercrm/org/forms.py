from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.core.widgets import DateInput
from brokercrm.org.models import Staff, StaffCategory, StaffLevel, Team


class StaffForm(forms.ModelForm):
    class Meta:
        model = Staff
        fields = ["staff_no", "name", "category", "level", "branch", "team", "hire_date", "leave_date"]
        widgets = {"hire_date": DateInput(), "leave_date": DateInput()}

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["branch"].queryset = branches
            self.fields["team"].queryset = Team.objects.filter(branch__in=branches)
        self.fields["category"].queryset = StaffCategory.objects.all()
        self.fields["level"].queryset = StaffLevel.objects.select_related("category")
        self.fields["level"].label_from_instance = lambda lv: f"{lv.category.name} · {lv.name}"
        if self.instance.pk:
            self.fields["staff_no"].disabled = True


class LeaveForm(forms.Form):
    leave_date = forms.DateField(label=_("Leave date (first day no longer employed)"), widget=DateInput())


class StaffImportForm(forms.Form):
    file = forms.FileField(label=_("staff.csv"))

