"""Pay rules as YAML (grades, items, tier tables, constants, structures): read, check, apply and write.

`apply_pay_rules` takes the model classes so that the data migration (historical models) and the
import service (real models) share it; staff categories come as the organisation's plain references.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from brokercrm.compensation.calc import CODE, KINDS, RuleError, compile_rules
from brokercrm.core.yamlio import Collector, dump, load
from brokercrm.org.facade import StaffCategoryRef

FORMAT = "brokercrm-pay-rules/v1"
SHIPPED = Path(__file__).parent / "shipped" / "pay_rules.yaml"


@dataclass(frozen=True)
class PayRulesData:
    grades: list[dict]
    items: list[dict]
    tier_tables: list[dict]
    constants: list[dict]
    structures: list[dict]


def parse_pay_rules(text: str, *, file: str, categories: dict[str, StaffCategoryRef]) -> PayRulesData:
    """Check a pay-rules file completely; every problem names the line and field; nothing is applied here."""
    data = load(text, file=file, expected_format=FORMAT)
    c = Collector(file)

    def category_level(node):
        category, level = c.text(node, "category"), c.text(node, "level", required=False)
        if category and category not in categories:
            c.add(node, "category", f"unknown staff category '{category}' (expected {', '.join(sorted(categories))})")
        elif category and level and categories[category].level(level) is None:
            known = sorted(lv.code for lv in categories[category].levels)
            c.add(node, "level", f"unknown level '{level}' for {category} (expected {', '.join(known) or 'none'})")
        return category, level

    grades = []
    for node in c.items(data, "grades"):
        category, level = category_level(node)
        grades.append({"category": category, "level": level, "post_salary": c.decimal(node, "post_salary")})
    items, item_kinds = [], {}
    for node in c.items(data, "items"):
        code, kind = c.text(node, "code"), c.text(node, "kind")
        if code and not CODE.match(code):
            c.add(node, "code", f"'{code}': lower-case letters, digits and _ expected")
        if kind and kind not in KINDS:
            c.add(node, "kind", f"unknown kind '{kind}' (expected {', '.join(KINDS)})")
        if code in item_kinds:
            c.add(node, "code", f"item {code} is defined twice")
        item_kinds[code] = kind
        items.append({"code": code, "name": c.text(node, "name"), "name_en": c.text(node, "name_en", required=False) or "",
                      "kind": kind, "description": c.text(node, "description", required=False) or ""})
    tiers = []
    for node in c.items(data, "tier_tables"):
        rows = []
        raw = node.get("rows") or []
        if not isinstance(raw, list) or not raw:
            c.add(node, "rows", "must be a non-empty list of [threshold, rate] pairs")
        for i, pair in enumerate(raw if isinstance(raw, list) else []):
            if not (isinstance(pair, list) and len(pair) == 2):
                c.add(node, f"rows[{i}]", "must be a [threshold, rate] pair")
                continue
            holder = {"threshold": pair[0], "rate": pair[1], "__line__": node.get("__line__")}
            threshold, rate = c.decimal(holder, "threshold"), c.decimal(holder, "rate")
            rows.append([str(threshold), str(rate)])
        tiers.append({"name": c.text(node, "name"), "description": c.text(node, "description", required=False) or "", "rows": rows})
    constants = []
    for node in c.items(data, "constants"):
        constants.append({"name": c.text(node, "name"), "value": c.decimal(node, "value"),
                          "description": c.text(node, "description", required=False) or ""})
    structures = []
    for node in c.items(data, "structures"):
        category, level = category_level(node)
        rules = []
        for rule in c.items(node, "rules"):
            item, formula = c.text(rule, "item"), c.text(rule, "formula")
            if item and item not in item_kinds:
                c.add(rule, "item", f"unknown pay item '{item}' (define it under items)")
            rules.append({"item": item, "formula": formula, "__line__": rule.get("__line__")})
        if not c.problems:
            try:
                compile_rules([(r["item"], item_kinds[r["item"]], r["formula"]) for r in rules],
                              constants=[k["name"] for k in constants], tier_tables=[t["name"] for t in tiers])
            except RuleError as exc:
                bad = next(r for r in rules if r["item"] == exc.code)
                c.add(bad, "formula", f"{exc.code}: column {exc.error.column}: {exc.error.message}")
        structures.append({"code": c.text(node, "code"), "name": c.text(node, "name"), "category": category, "level": level,
                           "active": bool(node.get("active", True)), "description": c.text(node, "description", required=False) or "",
                           "rules": [{"item": r["item"], "formula": r["formula"]} for r in rules]})
    c.raise_if_any()
    return PayRulesData(grades, items, tiers, constants, structures)


def apply_pay_rules(data: PayRulesData, *, models: dict, categories: dict[str, StaffCategoryRef]) -> dict[str, int]:
    """Create or update every row the file names (structures get exactly the file's rules); returns counts."""
    def resolve(category, level):
        cat = categories[category]
        return cat.id, (cat.level(level).id if level else None)

    for g in data.grades:
        cat, lv = resolve(g["category"], g["level"])
        models["PayGrade"].objects.update_or_create(category_id=cat, level_id=lv, defaults={"post_salary": g["post_salary"]})
    items = {}
    for i in data.items:
        items[i["code"]], _ = models["PayItem"].objects.update_or_create(
            code=i["code"], defaults={k: i[k] for k in ("name", "name_en", "kind", "description")})
    for t in data.tier_tables:
        models["TierTable"].objects.update_or_create(name=t["name"], defaults={"description": t["description"], "rows": t["rows"]})
    for k in data.constants:
        models["PayConstant"].objects.update_or_create(name=k["name"], defaults={"value": k["value"], "description": k["description"]})
    for s in data.structures:
        cat, lv = resolve(s["category"], s["level"])
        structure, _ = models["PayStructure"].objects.update_or_create(
            code=s["code"], defaults={"name": s["name"], "category_id": cat, "level_id": lv, "active": s["active"],
                                      "description": s["description"]})
        if s["active"]:
            models["PayStructure"].objects.filter(category_id=cat, level_id=lv, active=True).exclude(pk=structure.pk).update(active=False)
        models["PayRule"].objects.filter(structure=structure).delete()
        all_items = {i.code: i for i in models["PayItem"].objects.all()}
        models["PayRule"].objects.bulk_create([
            models["PayRule"](structure=structure, order=n, item=all_items[r["item"]], formula=r["formula"])
            for n, r in enumerate(s["rules"], start=1)])
    return {"grades": len(data.grades), "items": len(data.items), "tier_tables": len(data.tier_tables),
            "constants": len(data.constants), "structures": len(data.structures)}


def export_pay_rules(*, models: dict) -> str:
    """The stored pay rules as YAML, in the import format."""
    def cl(category, level):
        return {"category": category.code, "level": level.code if level else None}

    data = {
        "format": FORMAT,
        "grades": [cl(g.category, g.level) | {"post_salary": str(g.post_salary)}
                   for g in models["PayGrade"].objects.select_related("category", "level")],
        "items": [{"code": i.code, "name": i.name, "name_en": i.name_en, "kind": i.kind, "description": i.description}
                  for i in models["PayItem"].objects.all()],
        "tier_tables": [{"name": t.name, "description": t.description, "rows": [list(r) for r in t.rows]}
                        for t in models["TierTable"].objects.all()],
        "constants": [{"name": k.name, "value": _plain(k.value), "description": k.description}
                      for k in models["PayConstant"].objects.all()],
        "structures": [{"code": s.code, "name": s.name} | cl(s.category, s.level) |
                       {"active": s.active, "description": s.description,
                        "rules": [{"item": r.item.code, "formula": r.formula} for r in s.rules.select_related("item").order_by("order")]}
                       for s in models["PayStructure"].objects.select_related("category", "level")],
    }
    return dump(data)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
