"""Forms built from a definition: a record's form (by its layout) and the admin's forms for types, fields and states."""
from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.core.widgets import DateInput
from brokercrm.objects import definition as d
from brokercrm.objects import values as v


def _form_field(field: dict, *, readonly: bool) -> forms.Field:
    common = {"label": d.label(field), "required": False, "help_text": field.get("help", ""), "disabled": readonly}
    kind = field["kind"]
    if kind == "date":
        return forms.CharField(widget=DateInput(), **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—")] + [(c.value, c.label) for c in d.choices(field)], **common)
    if kind == "multi_choice":
        return forms.MultipleChoiceField(choices=[(c.value, c.label) for c in d.choices(field)], widget=forms.CheckboxSelectMultiple, **common)
    if kind in ("number", "decimal"):
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}) if field["key"] == "summary" else forms.TextInput(), **common)


class RecordForm(forms.Form):
    """One form field per live field of the type (`f_<key>`); required is checked by the service, which names the field."""

    def __init__(self, *args, definition: dict, stored: dict | None = None, readonly: set[str] = frozenset(), today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        for section in d.sections(definition):
            for field in section["fields"]:
                form_field = _form_field(field, readonly=field["key"] in readonly)
                form_field.widget.attrs.setdefault("class", "form-control")
                value = (stored or {}).get(field["key"]) if stored is not None else v.default(field, today) if today else None
                if isinstance(value, list) and field["kind"] != "multi_choice":
                    value = v.MULTI_SEPARATOR.join(value)
                form_field.initial = value
                form_field.section = section["title"]
                self.fields[f"f_{field['key']}"] = form_field

    def raw_values(self) -> dict:
        return {name[2:]: value for name, value in self.cleaned_data.items() if not self.fields[name].disabled}

    def layout(self) -> list[dict]:
        return [{"title": s["title"], "columns": s["columns"], "fields": [self[f"f_{f['key']}"] for f in s["fields"]]}
                for s in d.sections(self.definition)]


class TypeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("lower-case letters, digits and _; never changes"))
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100)
    owner_rule = forms.ChoiceField(label=_("Owner rule (data scope)"), choices=[
        ("staff", _("Owned by a staff member")), ("branch", _("Owned by a branch")), ("customer", _("Through its customer"))])


class FieldForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=40)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[
        ("text", _("Text")), ("number", _("Whole number")), ("decimal", _("Decimal")), ("date", _("Date")), ("choice", _("Choice")),
        ("multi_choice", _("Multiple choice")), ("customer", _("Customer")), ("staff", _("Staff member")), ("branch", _("Branch")),
        ("product", _("Product")), ("object", _("Another object"))])
    choices = forms.CharField(label=_("Options"), required=False, help_text=_("one per line: value|中文|English"),
                              widget=forms.Textarea(attrs={"rows": 3}))
    target = forms.CharField(label=_("Object type referenced"), required=False, max_length=40)
    required = forms.BooleanField(label=_("Required"), required=False)
    unique = forms.BooleanField(label=_("Unique"), required=False)
    default = forms.CharField(label=_("Default"), required=False, help_text=_("for a date, 'today' is the day of entry"))
    help = forms.CharField(label=_("Help text"), required=False, max_length=300)
    validate = forms.CharField(label=_("Validation formula"), required=False, help_text=_("e.g. budget >= 0"))
    message = forms.CharField(label=_("Message when the formula is false"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("class", "form-check-input" if isinstance(f, forms.BooleanField) else "form-control")

    def field_node(self) -> dict:
        data = self.cleaned_data
        node = {k: data[k] for k in ("key", "name_zh", "name_en", "kind", "required", "unique", "help")}
        for k in ("default", "validate", "message", "target"):
            if data.get(k):
                node[k] = data[k]
        if data.get("choices"):
            node["choices"] = [dict(zip(("value", "zh", "en"), [p.strip() for p in line.split("|")]))
                               for line in data["choices"].splitlines() if line.strip()]
        return node


class StatesForm(forms.Form):
    states = forms.CharField(label=_("States"), widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}), required=False,
                             help_text=_("one per line: code|中文|English; the first is a new record's state"))
    transitions = forms.CharField(label=_("Allowed transitions"), widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
                                  required=False, help_text=_("one per line: from|to|role,role (no roles: every role that may update)"))

    def nodes(self) -> tuple[list[dict], list[dict]]:
        states = [dict(zip(("code", "zh", "en"), [p.strip() for p in line.split("|")]))
                  for line in self.cleaned_data["states"].splitlines() if line.strip()]
        transitions = []
        for line in self.cleaned_data["transitions"].splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) >= 2:
                transitions.append({"from": parts[0], "to": parts[1],
                                    "roles": [r.strip() for r in (parts[2] if len(parts) > 2 else "").split(",") if r.strip()]})
        return states, transitions


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV (UTF-8) or Excel file, a header row of field keys"))
