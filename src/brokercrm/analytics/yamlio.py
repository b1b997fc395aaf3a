"""Segment definitions as YAML (tiers, behaviour groups, settings): export, and an all-or-nothing import.

Every problem names the file, the line and the field path (e.g. `groups[2].rule`); nothing is stored
unless the whole file is valid. Amounts are read from the text as written, never as binary floats.
"""
from decimal import Decimal

import yaml
from django.db import transaction

from brokercrm.analytics.models import BehaviourGroup, Tier, TierPin
from brokercrm.analytics.services import SETTINGS_LIMITS, _money, rule_compile, segment_settings_get
from brokercrm.core.audit import audit_record
from brokercrm.core.csvfiles import nul_problem
from brokercrm.core.errors import DomainError, InputRejected, Problem

VERSION = 1
TIER_KEYS = {"code", "name", "name_en", "min_avg_daily_assets"}
GROUP_KEYS = {"code", "name", "name_en", "description", "rule", "active"}


class _Loader(yaml.SafeLoader):
    """Safe YAML that remembers each mapping's line and keeps decimal numbers exact."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node).replace("_", "")))


def segment_config_export() -> str:
    current = segment_settings_get()
    data = {
        "version": VERSION,
        "settings": {name: getattr(current, name) for name in SETTINGS_LIMITS},
        "tiers": [{"code": t.code, "name": t.name, "name_en": t.name_en, "min_avg_daily_assets": str(t.min_avg_daily_assets)}
                  for t in Tier.objects.all()],
        "groups": [{"code": g.code, "name": g.name, "name_en": g.name_en, "description": g.description, "rule": g.rule,
                    "active": g.active} for g in BehaviourGroup.objects.all()],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)


def _text(item: dict, key: str, where: str, problems: list, file: str, *, required: bool = True, max_length: int = 50) -> str:
    value = item.get(key)
    line = item.get("__lines__", {}).get(key, item.get("__line__"))
    if value is None or value == "":
        if required:
            problems.append(Problem("is required", file=file, line=line, column=f"{where}.{key}"))
        return ""
    if not isinstance(value, str):
        value = str(value)
    if len(value) > max_length:
        problems.append(Problem(f"at most {max_length} characters", file=file, line=line, column=f"{where}.{key}"))
    return value


def segment_config_import(*, actor, data: bytes, file_name: str) -> dict:
    """Replace tiers, groups and settings with the file's; returns counts. InputRejected lists every problem."""
    problems: list[Problem] = []

    def bad(message: str, line, field: str = "") -> None:
        problems.append(Problem(message, file=file_name, line=line, column=field))

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRejected([Problem("not valid UTF-8", file=file_name, line=1)]) from None
    nul = nul_problem(text, file=file_name)
    if nul is not None:
        raise InputRejected([nul])
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputRejected([Problem(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=file_name,
                                     line=mark.line + 1 if mark else 1)]) from None
    if not isinstance(doc, dict):
        raise InputRejected([Problem("expected a mapping with version, settings, tiers and groups", file=file_name, line=1)])
    lines = doc.get("__lines__", {})
    if doc.get("version") != VERSION:
        bad(f"version must be {VERSION}", lines.get("version", 1), "version")
    for key in set(doc) - {"version", "settings", "tiers", "groups", "__line__", "__lines__"}:
        bad("unknown key", lines.get(key), str(key))

    settings_in = doc.get("settings") or {}
    settings_values = {}
    if not isinstance(settings_in, dict):
        bad("expected a mapping", lines.get("settings"), "settings")
        settings_in = {}
    for key in set(settings_in) - set(SETTINGS_LIMITS) - {"__line__", "__lines__"}:
        bad("unknown setting", settings_in["__lines__"].get(key), f"settings.{key}")
    for name, (low, high) in SETTINGS_LIMITS.items():
        if name in settings_in:
            value = settings_in[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                bad(f"must be a whole number from {low} to {high}", settings_in["__lines__"].get(name), f"settings.{name}")
            else:
                settings_values[name] = value

    tiers, groups = [], []
    for section, keys, out in (("tiers", TIER_KEYS, tiers), ("groups", GROUP_KEYS, groups)):
        items = doc.get(section)
        if not isinstance(items, list) or not items:
            bad("expected a list with at least one entry", lines.get(section, 1), section)
            continue
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            where = f"{section}[{i + 1}]"
            if not isinstance(item, dict):
                bad("expected a mapping", lines.get(section), where)
                continue
            line = item["__line__"]
            for key in set(item) - keys - {"__line__", "__lines__"}:
                bad("unknown key", item["__lines__"].get(key), f"{where}.{key}")
            entry = {"code": _text(item, "code", where, problems, file_name, max_length=32),
                     "name": _text(item, "name", where, problems, file_name),
                     "name_en": _text(item, "name_en", where, problems, file_name, required=False)}
            code = entry["code"]
            if code and not code.replace("_", "").replace("-", "").isalnum():
                bad("letters, digits, - and _ only", item["__lines__"].get("code", line), f"{where}.code")
            if code in seen:
                bad(f"duplicate code {code} (first at line {seen[code]})", item["__lines__"].get("code", line), f"{where}.code")
            seen.setdefault(code, line)
            if section == "tiers":
                try:
                    entry["min_avg_daily_assets"] = _money(item.get("min_avg_daily_assets"), "min_avg_daily_assets")
                except DomainError as exc:
                    bad(exc.message, item["__lines__"].get("min_avg_daily_assets", line), f"{where}.min_avg_daily_assets")
            else:
                entry["description"] = _text(item, "description", where, problems, file_name, required=False, max_length=300)
                rule_line = item["__lines__"].get("rule", line)
                rule = item.get("rule")
                if not isinstance(rule, str) or not rule.strip():
                    bad("is required", rule_line, f"{where}.rule")
                else:
                    try:
                        entry["rule"] = rule_compile(rule).text
                    except DomainError as exc:
                        bad(exc.message, rule_line, f"{where}.rule")
                active = item.get("active", True)
                if not isinstance(active, bool):
                    bad("must be true or false", item["__lines__"].get("active", line), f"{where}.active")
                entry["active"], entry["order"] = active is not False, (i + 1) * 10
            out.append(entry)
    thresholds = [t.get("min_avg_daily_assets") for t in tiers if t.get("min_avg_daily_assets") is not None]
    if len(thresholds) != len(set(thresholds)):
        bad("two tiers start at the same amount", lines.get("tiers"), "tiers")
    kept = {t["code"] for t in tiers}
    for code in sorted(set(TierPin.objects.values_list("tier__code", flat=True)) - kept):
        bad(f"tier {code} is pinned for some customers and cannot be removed", lines.get("tiers"), "tiers")
    if problems:
        raise InputRejected(sorted(problems, key=lambda p: (p.line or 0, p.column)))
    return _replace(actor=actor, tiers=tiers, groups=groups, settings_values=settings_values, file_name=file_name)


@transaction.atomic
def _replace(*, actor, tiers, groups, settings_values, file_name) -> dict:
    existing = {t.code: t for t in Tier.objects.all()}
    Tier.objects.exclude(code__in=[t["code"] for t in tiers]).delete()
    # thresholds are unique: clear them first so that tiers can swap amounts
    for i, tier in enumerate(Tier.objects.all()):
        tier.min_avg_daily_assets = Decimal(-1 - i)
        tier.save(update_fields=["min_avg_daily_assets"])
    for t in tiers:
        obj = existing.get(t["code"]) or Tier(code=t["code"])
        obj.name, obj.name_en, obj.min_avg_daily_assets = t["name"], t["name_en"], t["min_avg_daily_assets"]
        obj.save()
    BehaviourGroup.objects.all().delete()
    BehaviourGroup.objects.bulk_create([BehaviourGroup(**g) for g in groups])
    current = segment_settings_get()
    for name, value in settings_values.items():
        setattr(current, name, value)
    current.save()
    audit_record(actor=actor, action="import", object_type="analytics.segmentconfig", object_id="1",
                 note=f"{file_name}: {len(tiers)} tiers, {len(groups)} groups")
    return {"tiers": len(tiers), "groups": len(groups)}

