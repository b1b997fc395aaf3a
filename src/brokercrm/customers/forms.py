from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.core.errors import DomainError
from brokercrm.core.widgets import DateInput
from brokercrm.customers.models import Customer, Prospect
from brokercrm.customers.selectors import CustomerFilters, list_filters
from brokercrm.platform.facade import custom_field_filter_params, custom_field_form_add, custom_field_parse

RISK_LEVELS = [("", _("Any risk level"))] + [(f"C{i}", f"C{i}") for i in range(1, 6)]
SORT_CHOICES = [("customer_no", _("Customer no.")), ("name", _("Name")), ("-open_date", _("Newest accounts")),
                ("open_date", _("Oldest accounts")), ("-assets", _("Assets, largest first")), ("assets", _("Assets, smallest first"))]


class CustomerFilterForm(forms.Form):
    """Search and filters of the customer list; the same parameters drive the exports and the API."""

    q = forms.CharField(label=_("Search"), required=False, max_length=64,
                        widget=forms.TextInput(attrs={"placeholder": _("Customer no., name, mobile or ID (full or last 4)")}))
    branch = forms.ChoiceField(label=_("Branch"), required=False)
    staff = forms.CharField(label=_("Staff no."), required=False, max_length=32)
    risk_level = forms.ChoiceField(label=_("Risk level"), required=False, choices=RISK_LEVELS)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))] + Customer.Status.choices)
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=DateInput())
    opened_to = forms.DateField(label=_("Opened to"), required=False, widget=DateInput())
    assets_min = forms.DecimalField(label=_("Assets from"), required=False, max_digits=18, decimal_places=2)
    assets_max = forms.DecimalField(label=_("Assets to"), required=False, max_digits=18, decimal_places=2)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, branches, tags):
        super().__init__(data)
        self.fields["branch"].choices = [("", _("All branches"))] + [(b.code, str(b)) for b in branches]
        self.fields["tag"].choices = [("", _("Any tag"))] + [(t, t) for t in tags]
        for f in list_filters():
            self.fields[f"x_{f.key}"] = forms.ChoiceField(label=f.label, required=False, choices=[("", "—")] + list(f.choices()))
        self.custom_names = []
        self.custom_definitions = {}
        for definition, names in custom_field_filter_params("customer"):
            for name in names:
                suffix = {"_min": " ≥", "_max": " ≤"}.get(name[-4:], "")
                if definition.field_type == "choice":
                    field = forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in definition.choices])
                elif definition.field_type == "multi_choice":
                    field = forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in definition.choices])
                elif definition.field_type == "date":
                    field = forms.CharField(widget=DateInput())
                else:
                    field = forms.CharField()
                field.required, field.label = False, f"{definition.label}{suffix}"
                self.fields[name] = field
                self.custom_names.append(name)
                self.custom_definitions[name] = definition

    def clean(self):
        """Bounds of number, decimal and date custom fields must parse; a bad one is named and left out of the filter."""
        data = super().clean()
        for name, definition in self.custom_definitions.items():
            if data.get(name) and definition.field_type in ("number", "decimal", "date"):
                try:
                    custom_field_parse(definition, data[name])
                except DomainError as exc:
                    self.add_error(name, exc.message)
        return data

    def filters(self) -> CustomerFilters:
        if not self.is_bound:
            return CustomerFilters()
        self.is_valid()  # keeps the valid fields in cleaned_data; the invalid ones are shown with their error
        d = self.cleaned_data
        return CustomerFilters(
            q=d.get("q") or "", branch=d.get("branch") or "", staff=d.get("staff") or "", risk_level=d.get("risk_level") or "",
            status=d.get("status") or "", opened_from=d.get("opened_from"), opened_to=d.get("opened_to"),
            assets_min=d.get("assets_min"), assets_max=d.get("assets_max"), tag=d.get("tag") or "",
            custom={n: d[n] for n in self.custom_names if d.get(n)},
            extra={f.key: d.get(f"x_{f.key}") for f in list_filters() if d.get(f"x_{f.key}")},
            sort=d.get("sort") or "customer_no")


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=100)


class CustomerFieldsForm(forms.Form):
    """The custom field values of one customer."""

    def __init__(self, *args, values=None, **kwargs):
        super().__init__(*args, **kwargs)
        custom_field_form_add(self, "customer", values=values)


class ProspectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    id_type = forms.ChoiceField(label=_("ID type"), required=False, choices=[("", "—"), ("id_card", _("ID card")),
                                                                            ("passport", _("Passport")),
                                                                            ("business_license", _("Business licence")),
                                                                            ("other", _("Other"))])
    id_no = forms.CharField(label=_("ID number"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=200, required=False)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, to_field_name="code")
    staff = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False, to_field_name="staff_no")
    source = forms.CharField(label=_("Source"), max_length=50, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[(s, lbl) for s, lbl in Prospect.Status.choices
                                                           if s in ("new", "following", "lost")])

    def __init__(self, *args, branches, staff, values=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["staff"].queryset = staff
        if creating:
            del self.fields["status"]
        custom_field_form_add(self, "prospect", values=values)


class ProspectNoteForm(forms.Form):
    text = forms.CharField(label=_("Follow-up note"), widget=forms.Textarea(attrs={"rows": 3}))
    next_contact_on = forms.DateField(label=_("Next contact on"), required=False, widget=DateInput())


class ProspectImportForm(forms.Form):
    file = forms.FileField(label=_("prospects.csv"))
