from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from brokercrm.core.widgets import DateInput
from brokercrm.org.access import ACCESS_ENDED_MESSAGE, API_TOKEN_MAX_DAYS, access_ended
from brokercrm.org.models import Staff, StaffCategory, StaffLevel, Team, User


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



class LoginForm(AuthenticationForm):
    """Django's login form, refusing a departed staff member's user before the password is looked at (so the
    answer says nothing about the password); the view records the refusal."""

    error_messages = {**AuthenticationForm.error_messages, "access_ended": ACCESS_ENDED_MESSAGE}
    departed_user: User | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        user = User.objects.select_related("staff").filter(username=username).first() if username else None
        if user is not None and access_ended(user):
            self.departed_user = user
            raise forms.ValidationError(self.error_messages["access_ended"], code="access_ended")
        return super().clean()


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code from your authenticator app"), min_length=6, max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name (what the token is for)"), max_length=100, required=False)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=API_TOKEN_MAX_DAYS)
