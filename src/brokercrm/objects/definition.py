"""Reading and checking an object type's definition (pure: no database), from YAML or from the admin pages.

A definition is one JSON document; this module turns what a person wrote into its normal form, naming the file, line
and key of every problem, and answers the questions the pages ask of it (labels, columns, who may do what).
"""
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

from brokercrm.core import yamlio
from brokercrm.platform.facade import FormulaError, compile_formula

FORMAT = "brokercrm-objects/1"
# The custom-field kinds of the platform (platform/custom_fields.py) plus references to the organisation, the
# customer base, the product shelf and other object types.
VALUE_KINDS = ("text", "number", "decimal", "date", "choice", "multi_choice")
REFERENCE_KINDS = ("customer", "staff", "branch", "product", "object")
KINDS = VALUE_KINDS + REFERENCE_KINDS
ACTIONS = ("create", "read", "update", "delete", "export")
OWNER_RULES = ("customer", "staff", "branch")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TYPE_KEYS = {"code", "name_zh", "name_en", "fields", "numbering", "owner", "list", "layout", "states", "transitions", "process",
             "permissions", "format", "version"}
FIELD_KEYS = {"key", "name_zh", "name_en", "kind", "required", "default", "unique", "help", "choices", "target", "validate",
              "message", "removed", "many"}
# Names of the formula language for a field's validation: numbers compare as numbers, everything else as text.
FORMULA_TYPES = {"number": "number", "decimal": "number"}


@dataclass(frozen=True)
class Choice:
    value: str
    zh: str
    en: str

    @property
    def label(self) -> str:
        return _pick(self.zh, self.en)


def _pick(zh: str, en: str) -> str:
    """The Chinese name unless the page is in English (the UI is Simplified Chinese by default)."""
    return en if (get_language() or "zh-hans").startswith("en") and en else zh or en


def label(node: dict) -> str:
    return _pick(node.get("name_zh", ""), node.get("name_en", ""))


def choices(field: dict) -> list[Choice]:
    return [Choice(c["value"], c.get("zh", c["value"]), c.get("en", c["value"])) for c in field.get("choices", [])]


def fields(definition: dict, *, include_removed: bool = False) -> list[dict]:
    return [f for f in definition.get("fields", []) if include_removed or not f.get("removed")]


def field(definition: dict, key: str) -> dict | None:
    return next((f for f in definition.get("fields", []) if f["key"] == key), None)


def allowed(definition: dict, role: str, action: str) -> bool:
    return action in definition.get("permissions", {}).get(role, [])


def initial_state(definition: dict) -> str:
    states = definition.get("states", [])
    return states[0]["code"] if states else ""


def state_label(definition: dict, code: str) -> str:
    state = next((s for s in definition.get("states", []) if s["code"] == code), None)
    return _pick(state.get("zh", ""), state.get("en", "")) if state else code


def transitions_from(definition: dict, state: str, role: str) -> list[str]:
    """The states a user of `role` may move a record to from `state` (none when a process drives the states)."""
    if definition.get("process"):
        return []
    return [t["to"] for t in definition.get("transitions", []) if t["from"] == state and (not t.get("roles") or role in t["roles"])]


def readonly_fields(definition: dict, state: str) -> set[str]:
    """Fields the form does not change in a state ("*" for all)."""
    keys = definition.get("layout", {}).get("readonly", {}).get(state, [])
    return {f["key"] for f in fields(definition)} if "*" in keys else set(keys)


REST_SECTION = "other"  # the key of the last section, holding the fields no section names


def sections(definition: dict) -> list[dict]:
    """The form's sections, each with its key and fields in order; fields no section names go in a last one."""
    live = {f["key"]: f for f in fields(definition)}
    out, placed = [], set()
    for n, section in enumerate(definition.get("layout", {}).get("sections", []), start=1):
        keys = [k for k in section.get("fields", []) if k in live]
        placed.update(keys)
        out.append({"key": section.get("key") or f"s{n}", "title": _pick(section.get("title_zh", ""), section.get("title_en", "")),
                    "columns": section.get("columns", 1), "fields": [live[k] for k in keys]})
    rest = [f for k, f in live.items() if k not in placed]
    if rest:
        out.append({"key": REST_SECTION, "title": "", "columns": 1, "fields": rest})
    return out


def detail_sections(definition: dict, role: str) -> list[dict]:
    """The detail page's sections for a role (页面布局): in the role's order, hidden ones left out, each with `collapsed`;
    sections the role's layout does not name follow, open, so a section added later shows."""
    by_key = {s["key"]: s for s in sections(definition)}
    out, seen = [], set()
    for entry in definition.get("layout", {}).get("detail", {}).get(role, []):
        section = by_key.get(entry["section"])
        if section is None or entry["section"] in seen:
            continue
        seen.add(entry["section"])
        if not entry.get("hidden"):
            out.append(dict(section, collapsed=bool(entry.get("collapsed"))))
    return out + [dict(s, collapsed=False) for k, s in by_key.items() if k not in seen]


def list_columns(definition: dict, role: str) -> list[str]:
    """The list page's columns for a role: the role's own choice when it has one, else the type's."""
    listing = definition.get("list", {})
    return listing.get("by_role", {}).get(role) or listing.get("columns", [])


def check(node: dict, *, file: str, roles: set[str], type_codes: set[str]) -> dict:
    """The normal form of one type's definition; InputRejected naming file, line and key for every problem."""
    c = yamlio.Collector(file)
    c.unknown_keys(node, TYPE_KEYS)
    code = c.text(node, "code", max_length=40) or ""
    if code and not CODE.match(code):
        c.add(node, "code", "lower-case letters, digits and _ only, starting with a letter")
    out: dict[str, Any] = {"code": code, "name_zh": c.text(node, "name_zh", max_length=100) or "",
                           "name_en": c.text(node, "name_en", max_length=100) or ""}
    out["fields"] = _fields(c, node, type_codes | {code})
    live = {f["key"] for f in out["fields"] if not f.get("removed")}
    out["numbering"] = _numbering(c, node, code)
    out["owner"] = _owner(c, node, out["fields"])
    listing = node.get("list") or {}
    out["list"] = {"columns": _keys_in(c, listing, "columns", live) or [f["key"] for f in out["fields"] if not f.get("removed")][:5],
                   "filters": _keys_in(c, listing, "filters", live)}
    by_role = _list_by_role(c, listing, live, roles)
    if by_role:
        out["list"]["by_role"] = by_role
    out["states"], out["transitions"] = _states(c, node, roles)
    out["process"] = _process(c, node)
    out["layout"] = _layout(c, node, live, {s["code"] for s in out["states"]}, roles)
    out["permissions"] = _permissions(c, node, roles)
    c.raise_if_any()
    return out


def _fields(c: yamlio.Collector, node: dict, type_codes: set[str]) -> list[dict]:
    out, seen = [], set()
    for f in c.items(node, "fields"):
        c.unknown_keys(f, FIELD_KEYS, where="fields")
        key = c.text(f, "key", max_length=40) or ""
        if key and not CODE.match(key):
            c.add(f, "key", "lower-case letters, digits and _ only, starting with a letter")
        if key in seen:
            c.add(f, "key", f"'{key}' is defined twice")
        seen.add(key)
        kind = c.text(f, "kind") or "text"
        if kind not in KINDS:
            c.add(f, "kind", f"'{kind}' is not one of: {', '.join(KINDS)}")
        item: dict[str, Any] = {"key": key, "name_zh": c.text(f, "name_zh", max_length=100) or key,
                                "name_en": str(f.get("name_en") or key), "kind": kind,
                                "required": bool(f.get("required", False)), "unique": bool(f.get("unique", False)),
                                "help": str(f.get("help") or "")}
        if kind in ("choice", "multi_choice"):
            item["choices"] = _choices(c, f)
        if kind in REFERENCE_KINDS and f.get("many"):
            item["many"] = True
        if kind == "object":
            target = c.text(f, "target") or ""
            if target and target not in type_codes:
                c.add(f, "target", f"no object type '{target}'")
            item["target"] = target
        if f.get("default") not in (None, ""):
            item["default"] = f["default"] if isinstance(f["default"], (list, int, bool)) else str(f["default"])
        if f.get("validate"):
            item["validate"] = str(f["validate"])
            item["message"] = str(f.get("message") or "")
        if f.get("removed"):
            item["removed"] = True
        out.append(item)
    names = {f["key"]: FORMULA_TYPES.get(f["kind"], "text") for f in out}
    for f, raw in zip(out, c.items(node, "fields")):
        if "validate" in f:
            try:
                compile_formula(f["validate"], names)
            except FormulaError as exc:
                c.add(raw, "validate", f"formula {exc}", line=yamlio.line_of(raw, "validate"))
    return out


def _choices(c: yamlio.Collector, f: dict) -> list[dict]:
    raw = f.get("choices") or []
    if not isinstance(raw, list) or not raw:
        c.add(f, "choices", "a choice field needs a list of options")
        return []
    out = []
    for item in raw:
        if isinstance(item, dict):
            value = str(item.get("value") or "")
            if not value:
                c.add(item, "value", "is required")
            out.append({"value": value, "zh": str(item.get("zh") or value), "en": str(item.get("en") or value)})
        else:
            out.append({"value": str(item), "zh": str(item), "en": str(item)})
    return out


def _numbering(c: yamlio.Collector, node: dict, code: str) -> dict:
    raw = node.get("numbering") or {}
    digits = raw.get("digits", 6)
    if not isinstance(digits, int) or not 1 <= digits <= 12:
        c.add(raw or node, "numbering.digits", "a whole number from 1 to 12")
        digits = 6
    return {"prefix": str(raw.get("prefix") or code[:2].upper()), "digits": digits}


def _owner(c: yamlio.Collector, node: dict, fields_: list[dict]) -> dict:
    raw = node.get("owner") or {}
    rule = str(raw.get("rule") or "staff")
    if rule not in OWNER_RULES:
        c.add(raw or node, "owner.rule", f"'{rule}' is not one of: {', '.join(OWNER_RULES)}")
    key = str(raw.get("field") or "")
    if key:
        f = next((x for x in fields_ if x["key"] == key), None)
        if f is None or f["kind"] != rule:
            c.add(raw, "owner.field", f"'{key}' is not a {rule} field of this type")
    elif rule == "customer":
        c.add(raw or node, "owner.field", "a customer owner rule names the customer field")
    return {"rule": rule, "field": key}


def _keys_in(c: yamlio.Collector, node: dict, name: str, keys: set[str]) -> list[str]:
    values = [str(v) for v in (node.get(name) or [])]
    for v in values:
        if v not in keys:
            c.add(node, f"list.{name}", f"'{v}' is not a field of this type")
    return values


def _states(c: yamlio.Collector, node: dict, roles: set[str]) -> tuple[list[dict], list[dict]]:
    states = []
    for s in c.items(node, "states"):
        code = c.text(s, "code", max_length=40) or ""
        states.append({"code": code, "zh": str(s.get("zh") or code), "en": str(s.get("en") or code)})
    codes = {s["code"] for s in states}
    transitions = []
    for t in c.items(node, "transitions"):
        src, dst = str(t.get("from") or ""), str(t.get("to") or "")
        for name, value in (("from", src), ("to", dst)):
            if value not in codes:
                c.add(t, f"transitions.{name}", f"'{value}' is not a state of this type")
        t_roles = [str(r) for r in (t.get("roles") or [])]
        for r in t_roles:
            if r not in roles:
                c.add(t, "transitions.roles", f"no role '{r}'")
        transitions.append({"from": src, "to": dst, "roles": t_roles})
    return states, transitions


def _process(c: yamlio.Collector, node: dict) -> dict | None:
    raw = node.get("process")
    if not raw:
        return None
    if not isinstance(raw, dict):
        c.add(node, "process", "a mapping with key, deadline_working_days and escalate_to")
        return None
    days = raw.get("deadline_working_days")
    if days is not None and (not isinstance(days, int) or days < 1):
        c.add(raw, "process.deadline_working_days", "a whole number of working days, at least 1")
    return {"key": c.text(raw, "key", max_length=64) or "", "deadline_working_days": days,
            "escalate_to": str(raw.get("escalate_to") or "")}


def _per_role(c: yamlio.Collector, raw, path: str, roles: set[str]) -> list:
    """The role codes of a per-role mapping in order, each one not among the roles reported at its line."""
    if not isinstance(raw, dict):
        return []
    codes = sorted(yamlio.keys(raw))
    for role in codes:
        if role not in roles:
            c.add(raw, f"{path}.{role}", f"no role '{role}'", line=yamlio.line_of(raw, role))
    return codes


def _list_by_role(c: yamlio.Collector, listing: dict, live: set[str], roles: set[str]) -> dict:
    raw = listing.get("by_role") or {}
    out = {}
    for role in _per_role(c, raw, "list.by_role", roles):
        columns = [str(k) for k in (raw[role] or [])]
        for k in columns:
            if k not in live:
                c.add(raw, f"list.by_role.{role}", f"'{k}' is not a field of this type", line=yamlio.line_of(raw, role))
        if columns:
            out[str(role)] = columns
    return out


def _layout(c: yamlio.Collector, node: dict, live: set[str], states: set[str], roles: set[str]) -> dict:
    raw = node.get("layout") or {}
    sections_ = []
    for n, s in enumerate(c.items(raw, "sections") if raw else [], start=1):
        keys = [str(k) for k in (s.get("fields") or [])]
        for k in keys:
            if k not in live:
                c.add(s, "layout.sections.fields", f"'{k}' is not a field of this type")
        columns = s.get("columns", 1)
        if columns not in (1, 2, 3):
            c.add(s, "layout.sections.columns", "1, 2 or 3")
        key = str(s.get("key") or f"s{n}")
        if not CODE.match(key) or key == REST_SECTION or key in {x["key"] for x in sections_}:
            c.add(s, "layout.sections.key", f"'{key}' is not a new key of lower-case letters, digits and _ (nor '{REST_SECTION}')")
        sections_.append({"key": key, "title_zh": str(s.get("title_zh") or ""), "title_en": str(s.get("title_en") or ""),
                          "columns": columns, "fields": keys})
    readonly = {}
    for state, keys in ((raw.get("readonly") or {}) if isinstance(raw.get("readonly"), dict) else {}).items():
        if state in yamlio.HIDDEN:
            continue
        if state not in states:
            c.add(raw, "layout.readonly", f"'{state}' is not a state of this type")
        readonly[state] = [str(k) for k in (keys or [])]
    out = {"sections": sections_, "readonly": readonly}
    detail = _detail_layouts(c, raw, {s["key"] for s in sections_} | {REST_SECTION}, roles)
    if detail:
        out["detail"] = detail
    return out


def _detail_layouts(c: yamlio.Collector, raw: dict, keys: set[str], roles: set[str]) -> dict:
    """layout.detail: per role, the detail page's sections in order, each {section, hidden, collapsed}."""
    detail = raw.get("detail") or {}
    out = {}
    for role in _per_role(c, detail, "layout.detail", roles):
        entries = []
        for e in detail[role] or []:
            key = str(e.get("section") or "") if isinstance(e, dict) else str(e)
            if key not in keys:
                c.add(detail, f"layout.detail.{role}", f"'{key}' is not a section of this type", line=yamlio.line_of(detail, role))
            entries.append({"section": key, "hidden": bool(isinstance(e, dict) and e.get("hidden")),
                            "collapsed": bool(isinstance(e, dict) and e.get("collapsed"))})
        if entries:
            out[str(role)] = entries
    return out


def _permissions(c: yamlio.Collector, node: dict, roles: set[str]) -> dict:
    raw = node.get("permissions") or {}
    out = {}
    for role in yamlio.keys(raw) if isinstance(raw, dict) else []:
        if role not in roles:
            c.add(raw, f"permissions.{role}", f"no role '{role}'", line=yamlio.line_of(raw, role))
        actions = [str(a) for a in (raw[role] or [])]
        for a in actions:
            if a not in ACTIONS:
                c.add(raw, f"permissions.{role}", f"'{a}' is not one of: {', '.join(ACTIONS)}", line=yamlio.line_of(raw, role))
        out[str(role)] = [a for a in ACTIONS if a in actions]
    return out


def export_form(definition: dict) -> dict:
    """The definition as the YAML file writes it (the normal form, empty parts left out)."""
    return {k: v for k, v in definition.items() if v not in (None, [], {}, "")}
