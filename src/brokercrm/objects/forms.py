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


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV (UTF-8) or Excel file, a header row of field keys"))


# The structured editors of the type page post one input per field, section or state; these read them back.

def _order(post, name: str) -> int | None:
    """A position typed in an order box (blank: not chosen)."""
    try:
        return int(post.get(name, "").strip())
    except ValueError:
        return None


def _ordered(post, prefix: str, keys: list[str]) -> list[str]:
    """The keys whose order box is filled, by that order (ties keep the definition's order)."""
    chosen = [(_order(post, f"{prefix}{k}"), i, k) for i, k in enumerate(keys)]
    return [k for pos, _i, k in sorted(c for c in chosen if c[0] is not None)]


def list_from_post(post, definition: dict) -> tuple[list[str], list[str]]:
    """(columns in order, filters) from the list editor: `col_<key>` a position, `filter_<key>` ticked."""
    keys = [f["key"] for f in d.fields(definition)]
    return _ordered(post, "col_", keys), [k for k in keys if post.get(f"filter_{k}")]


def layout_from_post(post, definition: dict) -> tuple[list[dict], dict[str, list[str]]]:
    """(sections, read-only fields by state) from the layout editor.

    Sections are rows `sec_<n>_key/title_zh/title_en/columns/order` (a row without a title is dropped; the blank last
    row adds one); each field's `place_<key>` names its section and `pos_<key>` its position in it; `ro_<state>_<key>`
    makes a field read-only in a state (`ro_<state>_all`: every field)."""
    rows = []
    for n in range(int(post.get("sections", "0") or 0) + 1):
        title_zh = post.get(f"sec_{n}_title_zh", "").strip()
        if not title_zh:
            continue
        key = post.get(f"sec_{n}_key", "").strip() or f"s{n + 1}"
        columns = _order(post, f"sec_{n}_columns") or 1
        rows.append((_order(post, f"sec_{n}_order") or 999, n, {"key": key, "title_zh": title_zh,
                                                               "title_en": post.get(f"sec_{n}_title_en", "").strip(),
                                                               "columns": columns, "fields": []}))
    sections = [row for _o, _n, row in sorted(rows, key=lambda r: r[:2])]
    by_key = {s["key"]: s for s in sections}
    keys = [f["key"] for f in d.fields(definition)]
    placed = sorted((_order(post, f"pos_{k}") or 999, i, k) for i, k in enumerate(keys) if post.get(f"place_{k}") in by_key)
    for _pos, _i, k in placed:
        by_key[post[f"place_{k}"]]["fields"].append(k)
    readonly = {}
    for state in definition.get("states", []):
        code = state["code"]
        readonly[code] = ["*"] if post.get(f"ro_{code}_all") else [k for k in keys if post.get(f"ro_{code}_{k}")]
    return sections, readonly


def role_view_from_post(post, definition: dict) -> tuple[list[dict], list[str]]:
    """(detail sections in order with hidden/collapsed, list columns in order) from a role's layout editor."""
    keys = [s["key"] for s in d.sections(definition)]
    detail = [{"section": k, "hidden": bool(post.get(f"hidden_{k}")), "collapsed": bool(post.get(f"collapsed_{k}"))}
              for k in _ordered(post, "order_", keys)]
    return detail, _ordered(post, "col_", [f["key"] for f in d.fields(definition)])


def states_from_post(post) -> tuple[list[dict], list[dict]]:
    """(states in order, transitions) from the states editor: rows `st_<n>_code/zh/en/order` (a row without a code is
    dropped; the first state is a new record's) and `tr_<n>_from/to` with the roles ticked in `tr_<n>_roles` (none: every
    role that may update); a transition row without both states is dropped."""
    rows = []
    for n in range(int(post.get("state_rows", "0") or 0) + 1):
        code = post.get(f"st_{n}_code", "").strip()
        if code:
            rows.append((_order(post, f"st_{n}_order") or 999, n, {"code": code, "zh": post.get(f"st_{n}_zh", "").strip() or code,
                                                                  "en": post.get(f"st_{n}_en", "").strip() or code}))
    states = [row for _o, _n, row in sorted(rows, key=lambda r: r[:2])]
    transitions = []
    for n in range(int(post.get("transition_rows", "0") or 0) + 1):
        src, dst = post.get(f"tr_{n}_from", "").strip(), post.get(f"tr_{n}_to", "").strip()
        if src and dst:
            transitions.append({"from": src, "to": dst, "roles": sorted(set(post.getlist(f"tr_{n}_roles")))})
    return states, transitions
