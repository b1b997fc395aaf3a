"""Pages of the business objects, all driven by the type's definition: thin views over the selectors and services."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.core.audit import audit_record
from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.exports import csv_response, write_xlsx, xlsx_response
from brokercrm.core.permissions import require_role
from brokercrm.objects import definition as d
from brokercrm.objects import selectors, services, type_edits
from brokercrm.objects import values as v
from brokercrm.objects.forms import (FieldForm, ImportForm, RecordForm, TypeForm, layout_from_post, list_from_post, role_view_from_post,
                                     states_from_post)
from brokercrm.org.facade import OBJECT_ADMINS, Role

PAGE_SIZE = 50


def customer_records_panel(*, request, customer) -> dict:
    """The 360 page's panel: the records of types owned through the customer (complaints …), in the user's scope."""
    return {"records": selectors.customer_records(user=request.user, customer_id=customer.id)}


def index(request):
    return render(request, "objects/index.html", {"types": [(t, d.label(t.definition)) for t in selectors.type_list(user=request.user)]})


def _role(user) -> str:
    """The shipped role whose grants and layouts the user acts with (a role created by an admin acts as its base role)."""
    return Role.ADMIN if user.is_superuser else user.role


def _columns(object_type, user) -> list[dict]:
    """The list's columns for the user's role (its own choice, else the type's)."""
    keys = d.list_columns(object_type.definition, _role(user))
    return [f for f in (d.field(object_type.definition, k) for k in keys) if f and not f.get("removed")]


def record_list_page(request, type_code: str):
    object_type = selectors.type_get_readable(user=request.user, code=type_code)
    definition = object_type.definition
    error = ""
    try:
        records = selectors.record_list(user=request.user, object_type=object_type, filters=request.GET.dict())
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    except DomainError as exc:
        error, page = f"{exc.field}: {exc.message}", Paginator([], PAGE_SIZE).get_page(1)
    columns = _columns(object_type, request.user)
    rows = [{"record": r, "state": d.state_label(definition, r.state), "cells": [v.display(f, r.values.get(f["key"])) for f in columns]}
            for r in page]
    g = request.GET
    filters = [{"field": f, "label": d.label(f), "choices": d.choices(f), "range": f["kind"] in ("number", "decimal", "date"),
                "value": g.get(f["key"], ""), "min": g.get(f["key"] + "_min", ""), "max": g.get(f["key"] + "_max", "")}
               for f in (d.field(definition, k) for k in definition.get("list", {}).get("filters", [])) if f]
    return render(request, "objects/record_list.html", {
        "object_type": object_type, "type_name": d.label(definition), "columns": [d.label(f) for f in columns], "rows": rows,
        "page": page, "filters": filters, "states": [(s["code"], d.state_label(definition, s["code"])) for s in definition.get("states", [])],
        "may_create": services.may(request.user, object_type, "create"), "may_export": services.may(request.user, object_type, "export"),
        "error": error})


def _save_form(request, form, save):
    """Run the service; its refusals become the form's errors, each on the field it names."""
    try:
        return save()
    except InputRejected as exc:
        for p in exc.problems:
            name = f"f_{p.field}"
            form.add_error(name if name in form.fields else None, p.message)
    except DomainError as exc:
        form.add_error(None, exc.message)
    return None


@require_http_methods(["GET", "POST"])
def record_create_page(request, type_code: str):
    object_type = selectors.type_get_readable(user=request.user, code=type_code)
    services.require(request.user, object_type, "create")
    form = RecordForm(request.POST or None, definition=object_type.definition, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        record = _save_form(request, form, lambda: services.record_create(actor=request.user, object_type=object_type, raw=form.raw_values()))
        if record is not None:
            messages.success(request, _("%(n)s recorded.") % {"n": record.number})
            return redirect("objects:detail", type_code=type_code, number=record.number)
    return render(request, "objects/record_form.html", {"object_type": object_type, "type_name": d.label(object_type.definition),
                                                        "form": form, "record": None})


@require_http_methods(["GET", "POST"])
def record_edit_page(request, type_code: str, number: str):
    object_type = selectors.type_get_readable(user=request.user, code=type_code)
    record = selectors.record_get(user=request.user, object_type=object_type, number=number)
    services.require(request.user, object_type, "update")
    readonly = d.readonly_fields(object_type.definition, record.state)
    form = RecordForm(request.POST or None, definition=object_type.definition, stored=record.values, readonly=readonly)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, lambda: services.record_update(actor=request.user, record=record, raw=form.raw_values(),
                                                                         partial=False))
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("objects:detail", type_code=type_code, number=number)
    return render(request, "objects/record_form.html", {"object_type": object_type, "type_name": d.label(object_type.definition),
                                                        "form": form, "record": record})


def record_page(request, type_code: str, number: str):
    object_type = selectors.type_get_readable(user=request.user, code=type_code)
    record = selectors.record_get(user=request.user, object_type=object_type, number=number)
    definition = object_type.definition
    role = _role(request.user)
    return render(request, "objects/record_detail.html", {
        "object_type": object_type, "type_name": d.label(definition), "record": record,
        "sections": selectors.record_sections(record=record, role=role),
        "state": d.state_label(definition, record.state), "history": selectors.record_history(record=record)[:100],
        "transitions": [(s, d.state_label(definition, s)) for s in d.transitions_from(definition, record.state, role)],
        "may_update": services.may(request.user, object_type, "update"), "may_delete": services.may(request.user, object_type, "delete"),
        "overdue": bool(record.due_on and record.due_on < timezone.localdate() and record.state != "closed")})


@require_POST
def record_transition_page(request, type_code: str, number: str):
    object_type = selectors.type_get_readable(user=request.user, code=type_code)
    record = selectors.record_get(user=request.user, object_type=object_type, number=number)
    try:
        services.record_transition(actor=request.user, record=record, to=request.POST.get("to", ""))
        messages.success(request, _("State changed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("objects:detail", type_code=type_code, number=number)


@require_POST
def record_delete_page(request, type_code: str, number: str):
    object_type = selectors.type_get_readable(user=request.user, code=type_code)
    record = selectors.record_get(user=request.user, object_type=object_type, number=number)
    services.record_delete(actor=request.user, record=record)
    messages.success(request, _("%(n)s deleted.") % {"n": number})
    return redirect("objects:list", type_code=type_code)


def record_export(request, type_code: str):
    """The list in scope (with its filters) as CSV or Excel: every live field, by key, formulas neutralised."""
    object_type = selectors.type_get_readable(user=request.user, code=type_code)
    services.require(request.user, object_type, "export")
    fields = d.fields(object_type.definition)
    records = selectors.record_list(user=request.user, object_type=object_type, filters=request.GET.dict()).order_by("number")
    header = ["number", "state"] + [f["key"] for f in fields]
    rows = ([r.number, r.state] + [v.export_cell(f, r.values.get(f["key"])) for f in fields] for r in records.iterator())
    audit_record(actor=request.user, action="export", object_type=services.RECORD, object_repr=f"{object_type.name_zh} export",
                 note=request.GET.urlencode())
    if request.GET.get("format") == "xlsx":
        data, _rows = write_xlsx([(object_type.code, header, rows)])
        return xlsx_response(data, filename=f"{object_type.code}.xlsx")
    return csv_response(rows, header, filename=f"{object_type.code}.csv")


@require_http_methods(["GET", "POST"])
def record_import_page(request, type_code: str):
    object_type = selectors.type_get_readable(user=request.user, code=type_code)
    services.require(request.user, object_type, "create")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = services.records_import(actor=request.user, object_type=object_type, data=upload.read(), file=upload.name)
            messages.success(request, _("%(n)d records imported.") % {"n": count})
            return redirect("objects:list", type_code=type_code)
        except InputRejected as exc:
            problems = [str(p) for p in exc.problems]
    return render(request, "objects/record_import.html", {"object_type": object_type, "type_name": d.label(object_type.definition),
                                                          "form": form, "problems": problems,
                                                          "keys": [f["key"] for f in d.fields(object_type.definition)]})


# Definitions (admins) ------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def type_list_page(request):
    require_role(request.user, OBJECT_ADMINS)
    form = TypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        node = {"code": data["code"], "name_zh": data["name_zh"], "name_en": data["name_en"], "fields": [],
                "owner": {"rule": data["owner_rule"], "field": ""}, "permissions": {Role.ADMIN: list(d.ACTIONS)}}
        if data["owner_rule"] == "customer":
            node["fields"] = [{"key": "customer", "name_zh": "客户", "name_en": "Customer", "kind": "customer", "required": True}]
            node["owner"]["field"] = "customer"
        if any(t.code == data["code"] for t in selectors.type_list(user=None)):
            form.add_error("code", _("this code is taken"))
        else:
            try:
                object_type, _changed = services.type_save(actor=request.user, node=node, note=_("created on the page"))
                return redirect("objects:type_detail", code=object_type.code)
            except InputRejected as exc:
                for p in exc.problems:
                    form.add_error(p.column if p.column in form.fields else None, p.message)
    return render(request, "objects/type_list.html", {"types": selectors.type_list(user=None), "form": form})


def _editors(definition: dict) -> dict:
    """What the list and layout editors show: each live field with its column position, filter, section and place."""
    live = d.fields(definition)
    listing = definition.get("list", {})
    sections = definition.get("layout", {}).get("sections", [])
    place = {k: (s.get("key") or f"s{n}", i + 1) for n, s in enumerate(sections, start=1) for i, k in enumerate(s["fields"])}
    readonly = definition.get("layout", {}).get("readonly", {})
    return {
        "list_rows": [{"field": f, "label": d.label(f), "filter": f["key"] in listing.get("filters", []),
                       "position": listing.get("columns", []).index(f["key"]) + 1 if f["key"] in listing.get("columns", []) else ""}
                      for f in live],
        "section_rows": [{"n": n, "key": s.get("key") or f"s{n + 1}", "title_zh": s.get("title_zh", ""), "title_en": s.get("title_en", ""),
                          "columns": s.get("columns", 1), "order": n + 1} for n, s in enumerate(sections)],
        "new_section": len(sections),
        "place_rows": [{"field": f, "label": d.label(f), "section": place.get(f["key"], ("", ""))[0],
                        "position": place.get(f["key"], ("", ""))[1]} for f in live],
        "readonly_rows": [{"code": s["code"], "label": d.state_label(definition, s["code"]), "all": "*" in readonly.get(s["code"], []),
                           "keys": set(readonly.get(s["code"], []))} for s in definition.get("states", [])],
    }


def _type_context(object_type, **extra) -> dict:
    definition = object_type.definition
    return {**_editors(definition),
            "object_type": object_type, "type_name": d.label(definition), "fields": d.fields(definition, include_removed=True),
            "versions": selectors.type_versions(object_type=object_type)[:20], "roles": sorted(services.role_codes()),
            "actions": d.ACTIONS, "permissions": definition.get("permissions", {}),
            "state_rows": [dict(st, n=n, order=n + 1) for n, st in enumerate(definition.get("states", []))],
            "new_state": len(definition.get("states", [])),
            "transition_rows": [dict(t, n=n) for n, t in enumerate(definition.get("transitions", []))],
            "new_transition": len(definition.get("transitions", [])),
            **extra}


@require_http_methods(["GET", "POST"])
def type_detail_page(request, code: str):
    require_role(request.user, OBJECT_ADMINS)
    object_type = selectors.type_get(code=code)
    field_form = FieldForm(request.POST or None) if request.POST.get("action") == "field" else FieldForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "field" and field_form.is_valid():
                try:
                    services.field_save(actor=request.user, object_type=object_type, field=field_form.field_node())
                except InputRejected as exc:  # e.g. a formula's error at its column: on the form, nothing saved
                    for p in exc.problems:
                        name = p.column.rsplit(".", 1)[-1]
                        field_form.add_error(name if name in field_form.fields else None, p.message)
                else:
                    messages.success(request, _("Field saved; it is in the forms and lists now."))
                    return redirect("objects:type_detail", code=code)
            if action == "list":
                columns, filters = list_from_post(request.POST, object_type.definition)
                type_edits.list_save(actor=request.user, object_type=object_type, columns=columns, filters=filters)
                messages.success(request, _("List columns and filters saved."))
                return redirect("objects:type_detail", code=code)
            if action == "layout":
                sections, readonly = layout_from_post(request.POST, object_type.definition)
                type_edits.layout_save(actor=request.user, object_type=object_type, sections=sections, readonly=readonly)
                messages.success(request, _("Form layout saved."))
                return redirect("objects:type_detail", code=code)
            if action == "remove":
                services.field_remove(actor=request.user, object_type=object_type, key=request.POST.get("key", ""))
                messages.success(request, _("Field removed; stored values are kept."))
                return redirect("objects:type_detail", code=code)
            if action == "states":
                states, transitions = states_from_post(request.POST)
                services.states_save(actor=request.user, object_type=object_type, states=states, transitions=transitions)
                messages.success(request, _("States saved."))
                return redirect("objects:type_detail", code=code)
            if action == "permissions":
                node = services.definition_node(object_type)
                node["permissions"] = {r: [a for a in d.ACTIONS if request.POST.get(f"perm_{r}_{a}")] for r in services.role_codes()}
                services.type_save(actor=request.user, node=node, note=_("permissions saved"))
                messages.success(request, _("Permissions saved."))
                return redirect("objects:type_detail", code=code)
        except InputRejected as exc:
            for p in exc.problems:
                messages.error(request, f"{p.column or p.field}: {p.message}")
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "objects/type_detail.html", _type_context(object_type, field_form=field_form))


@require_http_methods(["GET", "POST"])
def type_layouts_page(request, code: str):
    """A role's layout of the type's pages (页面布局): detail sections in order, hidden or collapsed; list columns."""
    require_role(request.user, OBJECT_ADMINS)
    object_type = selectors.type_get(code=code)
    roles = sorted(services.role_codes())
    role = request.POST.get("role") or request.GET.get("role") or roles[0]
    if role not in roles:
        role = roles[0]
    if request.method == "POST":
        detail, columns = role_view_from_post(request.POST, object_type.definition)
        try:
            type_edits.role_view_save(actor=request.user, object_type=object_type, role=role, detail=detail, columns=columns)
        except InputRejected as exc:
            for p in exc.problems:
                messages.error(request, f"{p.column or p.field}: {p.message}")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Layout of %(role)s saved.") % {"role": role})
            return redirect(f"{request.path}?role={role}")
    definition = object_type.definition
    stored = {e["section"]: e for e in definition.get("layout", {}).get("detail", {}).get(role, [])}
    order = {k: i + 1 for i, k in enumerate(stored)}
    sections = [{"key": s["key"], "title": s["title"] or _("Other fields"), "order": order.get(s["key"], len(order) + n + 1),
                 "hidden": stored.get(s["key"], {}).get("hidden", False), "collapsed": stored.get(s["key"], {}).get("collapsed", False)}
                for n, s in enumerate(d.sections(definition))]
    own = definition.get("list", {}).get("by_role", {}).get(role, [])
    columns = d.list_columns(definition, role)
    return render(request, "objects/type_layouts.html", {
        "object_type": object_type, "type_name": d.label(definition), "roles": roles, "role": role, "own_columns": bool(own),
        "sections": sorted(sections, key=lambda s: s["order"]),
        "columns": [{"field": f, "label": d.label(f), "position": columns.index(f["key"]) + 1 if f["key"] in columns else ""}
                    for f in d.fields(definition)]})


def type_export(request, code: str):
    require_role(request.user, OBJECT_ADMINS)
    object_type = selectors.type_get(code=code)
    response = HttpResponse(services.types_export(codes=[object_type.code]), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}.yaml"'
    return response
