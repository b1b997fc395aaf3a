"""Custom field administration pages (admin only): list, add, edit, archive."""
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods

from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import require_role
from brokercrm.platform import selectors, services
from brokercrm.platform.access import access
from brokercrm.platform.models import CustomFieldDefinition


class CustomFieldForm(forms.Form):
    entity = forms.ChoiceField(label=gettext_lazy("Object"), choices=CustomFieldDefinition.Entity.choices)
    key = forms.CharField(label=gettext_lazy("Key"), max_length=40,
                          help_text=gettext_lazy("Lower-case letters, digits and _; fixed once created."))
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    field_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=CustomFieldDefinition.FieldType.choices)
    choices = forms.CharField(label=gettext_lazy("Options"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("Choice fields: one option per line."))
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    default = forms.CharField(label=gettext_lazy("Default"), required=False,
                              help_text=gettext_lazy("Multiple choice: options separated by ;"))
    help_text = forms.CharField(label=gettext_lazy("Help text"), required=False, max_length=300)
    order = forms.IntegerField(label=gettext_lazy("Order"), required=False, min_value=0)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, definition: CustomFieldDefinition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if definition is not None:
            for name in ("entity", "key", "field_type"):
                self.fields[name].disabled = True
        else:
            del self.fields["active"]


def custom_field_list_page(request):
    require_role(request.user, access().admins)  # the admin's page; the services refuse everyone else's writes too
    return render(request, "platform/custom_field_list.html", {"definitions": selectors.custom_field_list()})


def _initial(d: CustomFieldDefinition) -> dict:
    default = ";".join(d.default) if isinstance(d.default, list) else d.default
    return {"entity": d.entity, "key": d.key, "label": d.label, "field_type": d.field_type, "choices": "\n".join(d.choices),
            "required": d.required, "default": default or "", "help_text": d.help_text, "order": d.order, "active": d.active}


@require_http_methods(["GET", "POST"])
def custom_field_edit_page(request, pk: int | None = None):
    require_role(request.user, access().admins)  # a form only an admin can submit
    definition = selectors.custom_field_get(pk=pk) if pk else None
    form = CustomFieldForm(request.POST or None, definition=definition,
                           initial=_initial(definition) if definition else {"entity": request.GET.get("entity", "customer")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if definition is None:
                services.custom_field_create(actor=request.user, entity=d["entity"], key=d["key"], label=d["label"],
                                             field_type=d["field_type"], choices=d["choices"], required=d["required"],
                                             default=d["default"], help_text=d["help_text"], order=d["order"])
            else:
                services.custom_field_update(actor=request.user, definition=definition, label=d["label"], choices=d["choices"],
                                             required=d["required"], default=d["default"], help_text=d["help_text"],
                                             order=d["order"], active=d["active"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Custom field saved."))
            return redirect("platform:custom_field_list")
    title = _("Edit custom field") if definition else _("New custom field")
    return render(request, "platform/custom_field_form.html", {"form": form, "title": title, "definition": definition})
