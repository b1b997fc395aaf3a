"""Menus as data (菜单编辑): each role's sections and items in order, edited by an admin, seeded from the shipped menu.

A role without rows uses the shipped menu (core.navigation). Its first edit copies the shipped menu into rows; pages
registered in code later still appear for the roles that may open them unless an admin removed them (a removed page
keeps a row marked removed). A user never sees an item whose page their role may not open (org.policy).
"""
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Max
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import get_language

from brokercrm.core import navigation
from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.org.models import MenuItem
from brokercrm.org.policy import (
    RolePolicy, config_changed, config_generation, menu_rows_of, policy_page_allowed, role_policies, role_policy, user_policy,
)
from brokercrm.org.roles import CONFIG_ADMINS

_AUDITED = ["role_code", "section", "position", "kind", "target", "label", "removed"]


@dataclass(frozen=True)
class MenuLine:
    """One line of the menu editor: a stored row (id) or a shipped entry not yet stored (id None)."""

    id: int | None
    section: str
    kind: str
    target: str
    label: str
    default_label: str
    url: str
    visible: bool


def _page_url(url_name: str) -> str:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return ""


def _path_view_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


# Checks an app above org adds for the paths it serves (path prefix -> check(base_role, path)), e.g. whether a role may
# read an object type: a menu item pointing at a page the role would be refused never shows.
_path_checks: dict[str, Callable[[str, str], bool]] = {}


def register_menu_path_check(prefix: str, check: Callable[[str, str], bool]) -> None:
    _path_checks[prefix] = check


def _item_visible(policy: RolePolicy, kind: str, target: str) -> bool:
    if kind == MenuItem.Kind.PAGE:
        return bool(_page_url(target)) and policy_page_allowed(policy, target)
    if kind == MenuItem.Kind.LINK:
        return True
    view_name = _path_view_name(target)
    if view_name is None or not policy_page_allowed(policy, view_name):
        return False
    path = urlsplit(target).path
    return all(check(policy.base_role, path) for prefix, check in _path_checks.items() if path.startswith(prefix))


def _shipped_lines(policy: RolePolicy, exclude: set[str]) -> list[tuple[str, navigation.MenuEntry]]:
    lines = [(str(navigation.section_of(e.url_name)), e) for e in navigation.entries()
             if e.url_name != "home" and e.url_name not in exclude and policy_page_allowed(policy, e.url_name)]
    return sorted(lines, key=lambda line: navigation.section_order(line[0]))


def _lines(policy: RolePolicy) -> list[MenuLine]:
    rows = menu_rows_of(policy.code)
    stored = rows or []
    lines = [MenuLine(r.id, r.section, r.kind, r.target, r.label, _default_label(r.kind, r.target),
                      _page_url(r.target) if r.kind == MenuItem.Kind.PAGE else r.target,
                      _item_visible(policy, r.kind, r.target))
             for r in stored if not r.removed]
    known = {r.target for r in stored if r.kind == MenuItem.Kind.PAGE}
    lines += [MenuLine(None, section, MenuItem.Kind.PAGE, e.url_name, "", str(e.label), _page_url(e.url_name), True)
              for section, e in _shipped_lines(policy, known)]
    return lines


def _default_label(kind: str, target: str) -> str:
    entry = navigation.entry(target) if kind == MenuItem.Kind.PAGE else None
    return str(entry.label) if entry else target


def _grouped(lines: list[MenuLine]) -> list[dict]:
    sections: dict[str, list[MenuLine]] = {}
    for line in lines:
        sections.setdefault(line.section, []).append(line)
    return [{"title": title, "items": items} for title, items in sections.items()]


_built: dict[tuple[str, str, str], list[dict]] = {}


def menu_for_user(user) -> list[dict]:
    """The sections the user sees, each with its items in order; items they may not open and empty sections left out.

    Built once per role and language and kept until the next role or menu change (it is the same for every user of a
    role: per-user parts, like the inbox badge, are filled by htmx)."""
    policy = user_policy(user)
    if policy is None or not policy.active:
        return []
    key = (config_generation(), policy.code, get_language() or "")
    if key not in _built:
        if len(_built) > 200:
            _built.clear()
        _built[key] = _menu_of(policy)
    return _built[key]


def _menu_of(policy: RolePolicy) -> list[dict]:
    entries = {e.url_name: e for e in navigation.entries()}
    sections = []
    for section in _grouped([line for line in _lines(policy) if line.visible and line.url]):
        items = [{"label": line.label or (entries[line.target].label if line.target in entries else line.default_label),
                  "url": line.url, "url_name": line.target if line.kind == MenuItem.Kind.PAGE else "",
                  "external": line.kind == MenuItem.Kind.LINK}
                 for line in section["items"]]
        sections.append({"title": section["title"], "items": items})
    return sections


def menu_editor_sections(*, role_code: str) -> list[dict]:
    """The role's menu as the editor shows it: every line (also those the role may not open, flagged) by section."""
    policy = role_policy(role_code)
    if policy is None:
        raise DomainError(f"unknown role {role_code}", field="role")
    return _grouped(_lines(policy))


def menu_page_choices(*, role_code: str) -> list[tuple[str, str]]:
    """The registered pages an item may point at, with their shipped labels."""
    return [(e.url_name, f"{e.label} ({e.url_name})") for e in navigation.entries() if e.url_name != "home"]


def _policy_or_error(role_code: str) -> RolePolicy:
    policy = role_policies().get(role_code)
    if policy is None:
        raise DomainError(f"unknown role {role_code}", field="role")
    return policy


def _seed(policy: RolePolicy) -> None:
    """Store the role's menu as it shows now, so an edit changes only what the admin touched."""
    if MenuItem.objects.filter(role_code=policy.code).exists():
        return
    MenuItem.objects.bulk_create([
        MenuItem(role_code=policy.code, section=line.section, position=(i + 1) * 10, kind=line.kind, target=line.target,
                 label=line.label) for i, line in enumerate(_lines(policy))])


def _clean_target(kind: str, target: str) -> str:
    target = target.strip()
    if kind == MenuItem.Kind.PAGE:
        if navigation.entry(target) is None:
            raise DomainError(f"unknown page {target!r}", field="target")
    elif kind in (MenuItem.Kind.OBJECT_LIST, MenuItem.Kind.REPORT):
        prefix = "/objects/" if kind == MenuItem.Kind.OBJECT_LIST else "/reports/"
        if not target.startswith(prefix) or "//" in target:
            raise DomainError(f"an item of kind {kind} points at a path starting with {prefix}", field="target")
        # An object type may be defined after its menu item; until a page answers there the item stays hidden.
        if kind == MenuItem.Kind.REPORT and _path_view_name(target) is None:
            raise DomainError(f"no page answers at {target}", field="target")
    elif kind == MenuItem.Kind.LINK:
        if urlsplit(target).scheme not in ("http", "https") or not urlsplit(target).netloc:
            raise DomainError("an external link starts with http:// or https://", field="target")
    else:
        raise DomainError(f"unknown kind {kind!r}", field="kind")
    return target


@role_required(CONFIG_ADMINS)
@transaction.atomic
def menu_item_add(*, actor, role_code: str, section: str, kind: str, target: str, label: str = "") -> MenuItem:
    """Add an item at the end of a section (a new section when the title is new)."""
    policy = _policy_or_error(role_code)
    target = _clean_target(kind, target)
    section, label = section.strip(), label.strip()
    if not section:
        raise DomainError("the section needs a title", field="section")
    if kind != MenuItem.Kind.PAGE and not label:
        raise DomainError("an item that is not a registered page needs a label", field="label")
    _seed(policy)
    rows = MenuItem.objects.filter(role_code=role_code)
    removed = rows.filter(kind=kind, target=target, removed=True).first() if kind == MenuItem.Kind.PAGE else None
    position = (rows.aggregate(m=Max("position"))["m"] or 0) + 10
    in_section = rows.filter(section=section, removed=False).aggregate(m=Max("position"))["m"]
    if in_section is not None:
        rows.filter(position__gt=in_section).update(position=F("position") + 10)
        position = in_section + 10
    if removed is not None:
        before = snapshot(removed, _AUDITED)
        removed.section, removed.position, removed.label, removed.removed = section, position, label[:50], False
        removed.save()
        item = removed
        audit_record(actor=actor, action="update", instance=item, changes=diff(before, snapshot(item, _AUDITED)))
    else:
        item = MenuItem.objects.create(role_code=role_code, section=section[:50], position=position, kind=kind,
                                       target=target, label=label[:50])
        audit_record(actor=actor, action="create", instance=item, changes=diff({}, snapshot(item, _AUDITED)))
    config_changed()
    return item


def _stored(role_code: str, item_id: int | None, target: str) -> MenuItem:
    """The stored row of a line, seeding the role's menu first when the line is still a shipped entry."""
    _seed(_policy_or_error(role_code))
    rows = MenuItem.objects.select_for_update().filter(role_code=role_code)
    item = rows.filter(pk=item_id).first() if item_id else rows.filter(kind=MenuItem.Kind.PAGE, target=target).first()
    if item is None:
        raise DomainError("no such menu item", field="item")
    return item


@role_required(CONFIG_ADMINS)
@transaction.atomic
def menu_item_move(*, actor, role_code: str, item_id: int | None, target: str = "", direction: str) -> MenuItem:
    """Move an item one place up or down within its section."""
    item = _stored(role_code, item_id, target)
    siblings = list(MenuItem.objects.filter(role_code=role_code, section=item.section, removed=False).order_by("position", "id"))
    index = siblings.index(item)
    other_index = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise DomainError("direction is up or down", field="direction")
    if 0 <= other_index < len(siblings):
        other = siblings[other_index]
        item.position, other.position = other.position, item.position
        if item.position == other.position:
            item.position += -1 if direction == "up" else 1
        MenuItem.objects.bulk_update([item, other], ["position"])
        audit_record(actor=actor, action="update", instance=item, changes={"position": [other.position, item.position]},
                     note=f"moved {direction}")
        config_changed()
    return item


@role_required(CONFIG_ADMINS)
@transaction.atomic
def menu_item_rename(*, actor, role_code: str, item_id: int | None, target: str = "", label: str, section: str = "") -> MenuItem:
    """Give an item another label (empty: the shipped one) and optionally move it to another section."""
    item = _stored(role_code, item_id, target)
    before = snapshot(item, _AUDITED)
    if item.kind != MenuItem.Kind.PAGE and not label.strip():
        raise DomainError("an item that is not a registered page needs a label", field="label")
    item.label = label.strip()[:50]
    if section.strip():
        item.section = section.strip()[:50]
    item.save()
    audit_record(actor=actor, action="update", instance=item, changes=diff(before, snapshot(item, _AUDITED)))
    config_changed()
    return item


@role_required(CONFIG_ADMINS)
@transaction.atomic
def menu_item_remove(*, actor, role_code: str, item_id: int | None, target: str = "") -> None:
    """Take an item off the menu; a registered page stays marked removed so the shipped menu does not bring it back."""
    item = _stored(role_code, item_id, target)
    before = snapshot(item, _AUDITED)
    if item.kind == MenuItem.Kind.PAGE:
        item.removed = True
        item.save(update_fields=["removed"])
        audit_record(actor=actor, action="update", instance=item, changes=diff(before, snapshot(item, _AUDITED)), note="removed")
    else:
        audit_record(actor=actor, action="delete", instance=item, changes=diff(before, {}))
        item.delete()
    config_changed()


@role_required(CONFIG_ADMINS)
@transaction.atomic
def menu_reset(*, actor, role_code: str) -> int:
    """Back to the shipped menu for the role."""
    _policy_or_error(role_code)
    deleted, _by_model = MenuItem.objects.filter(role_code=role_code).delete()
    audit_record(actor=actor, action="delete", object_type="org.menuitem", object_id=role_code,
                 object_repr=f"menu of {role_code}", note=f"reset to the shipped menu ({deleted} rows)")
    config_changed()
    return deleted
