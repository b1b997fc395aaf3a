"""Changes of a type's definition made on the admin pages (no YAML): list columns and filters, the form layout, a role's
layout of the detail and list pages, and a role's permissions across every type.

Each change is a new node checked and stored by `services.type_save`, as a YAML import is: one validation path, a new
version, audited, seen by every page at the next request.
"""
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import require_role
from brokercrm.objects import definition as d
from brokercrm.objects.models import ObjectType
from brokercrm.objects.services import definition_node, role_codes, type_save
from brokercrm.org.facade import OBJECT_ADMINS


def list_save(*, actor, object_type: ObjectType, columns: list[str], filters: list[str]) -> ObjectType:
    """The list page's columns (in order) and filters of every role without its own columns."""
    if not columns:
        raise DomainError(_("choose at least one column"), field="columns")
    node = definition_node(object_type)
    node["list"] = dict(node.get("list") or {}, columns=columns, filters=filters)
    return type_save(actor=actor, node=node, note=_("list saved"))[0]


def layout_save(*, actor, object_type: ObjectType, sections: list[dict], readonly: dict[str, list[str]]) -> ObjectType:
    """The form layout: sections in order ({key, title_zh, title_en, columns, fields}) and the fields read-only by state.

    Roles' detail layouts naming a section that no longer exists lose that entry (the rest of their order stays)."""
    node = definition_node(object_type)
    layout = dict(node.get("layout") or {}, sections=sections, readonly={s: keys for s, keys in readonly.items() if keys})
    keys = {s["key"] for s in sections} | {d.REST_SECTION}
    detail = {role: [e for e in entries if e["section"] in keys] for role, entries in layout.get("detail", {}).items()}
    layout["detail"] = {role: entries for role, entries in detail.items() if entries}
    node["layout"] = layout
    return type_save(actor=actor, node=node, note=_("form layout saved"))[0]


def role_view_save(*, actor, object_type: ObjectType, role: str, detail: list[dict], columns: list[str]) -> ObjectType:
    """A role's layout of the type's pages (页面布局): the detail page's sections ({section, hidden, collapsed}, in order)
    and the list page's columns ([] = the type's columns)."""
    if role not in role_codes():
        raise DomainError(_("no role '%(r)s'") % {"r": role}, field="role")
    node = definition_node(object_type)
    layout = dict(node.get("layout") or {})
    layout["detail"] = {r: e for r, e in dict(layout.get("detail") or {}, **{role: detail}).items() if e}
    listing = dict(node.get("list") or {})
    if columns == listing.get("columns") and role not in listing.get("by_role", {}):
        columns = []  # the type's columns, unchanged: the role keeps following them
    listing["by_role"] = {r: c for r, c in dict(listing.get("by_role") or {}, **{role: columns}).items() if c}
    node["layout"], node["list"] = layout, listing
    return type_save(actor=actor, node=node, note=_("layout of role %(r)s saved") % {"r": role})[0]


@dataclass(frozen=True)
class TypeGrant:
    """What one role may do with the records of one type (the role page's view of the types' permission matrix)."""

    type_code: str
    type_name: str
    actions: tuple[str, ...]


def role_object_grants(*, role: str) -> list[TypeGrant]:
    return [TypeGrant(t.code, d.label(t.definition), tuple(t.definition.get("permissions", {}).get(role, [])))
            for t in ObjectType.objects.order_by("code")]


@transaction.atomic
def role_object_grants_save(*, actor, role: str, grants: dict[str, set[str]]) -> int:
    """Set a role's actions on each type named in `grants` (type code → actions); a new version of each type that changes.
    All or nothing; the number of types changed."""
    require_role(actor, OBJECT_ADMINS)
    if role not in role_codes():
        raise DomainError(_("no role '%(r)s'") % {"r": role}, field="role")
    changed = 0
    for object_type in ObjectType.objects.filter(code__in=list(grants)).order_by("code"):
        unknown = grants[object_type.code] - set(d.ACTIONS)
        if unknown:
            raise DomainError(_("'%(a)s' is not an action") % {"a": sorted(unknown)[0]}, field=f"objects.{object_type.code}")
        node = definition_node(object_type)
        permissions = dict(node.get("permissions") or {})
        permissions[role] = [a for a in d.ACTIONS if a in grants[object_type.code]]
        node["permissions"] = {r: acts for r, acts in permissions.items() if acts}
        changed += type_save(actor=actor, node=node, note=_("permissions of role %(r)s saved") % {"r": role})[1]
    return changed
