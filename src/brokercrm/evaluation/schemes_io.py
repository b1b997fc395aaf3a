"""Evaluation schemes as YAML: read, check, apply (shared with the data migration) and write."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from brokercrm.core.errors import DomainError
from brokercrm.core.yamlio import Collector, dump, load
from brokercrm.evaluation.indicators import BY_NAME
from brokercrm.evaluation.scoring import MODES, ItemSpec, check_item, compile_item_formula
from brokercrm.org.facade import StaffCategoryRef
from brokercrm.platform.facade import FormulaError

FORMAT = "brokercrm-schemes/v1"
SHIPPED = Path(__file__).parent / "shipped" / "schemes.yaml"
PERIOD_KINDS = ("day", "week", "month", "quarter", "year")


def parse_schemes(text: str, *, file: str, categories: dict[str, StaffCategoryRef]) -> list[dict]:
    data = load(text, file=file, expected_format=FORMAT)
    c = Collector(file)
    schemes, codes = [], set()
    for node in c.items(data, "schemes"):
        code, category, level = c.text(node, "code"), c.text(node, "category"), c.text(node, "level", required=False)
        if code in codes:
            c.add(node, "code", f"scheme {code} is defined twice")
        codes.add(code)
        if category and category not in categories:
            c.add(node, "category", f"unknown staff category '{category}'")
        elif category and level and categories[category].level(level) is None:
            c.add(node, "level", f"unknown level '{level}' for {category}")
        period = c.text(node, "period") or "month"
        if period not in PERIOD_KINDS:
            c.add(node, "period", f"unknown period '{period}' (expected {', '.join(PERIOD_KINDS)})")
        items, seen = [], set()
        for item in c.items(node, "items"):
            spec = _item(c, item)
            if spec is None:
                continue
            if spec["indicator"] in seen:
                c.add(item, "indicator", f"indicator {spec['indicator']} appears twice in the scheme")
            seen.add(spec["indicator"])
            items.append(spec)
        schemes.append({"code": code, "name": c.text(node, "name"), "category": category, "level": level, "period": period,
                        "active": bool(node.get("active", True)), "description": c.text(node, "description", required=False) or "",
                        "items": items})
    c.raise_if_any()
    return schemes


def _item(c: Collector, node: dict) -> dict | None:
    indicator, mode = c.text(node, "indicator"), c.text(node, "mode") or "linear"
    weight = c.decimal(node, "weight")
    target = c.decimal(node, "target", required=mode != "formula")
    cap, floor = c.decimal(node, "cap", required=False), c.decimal(node, "floor", required=False)
    formula_text = c.text(node, "formula", required=mode == "formula") or ""
    if indicator and indicator not in BY_NAME:
        c.add(node, "indicator", f"unknown indicator '{indicator}' (expected {', '.join(BY_NAME)})")
        return None
    if mode not in MODES:
        c.add(node, "mode", f"unknown scoring mode '{mode}' (expected {', '.join(MODES)})")
        return None
    if weight is None or indicator is None:
        return None
    formula = None
    if formula_text:
        try:
            formula = compile_item_formula(formula_text)
        except FormulaError as exc:
            c.add(node, "formula", f"column {exc.column}: {exc.message}")
            return None
    try:
        check_item(ItemSpec(indicator, weight, target, mode, cap, floor, formula))
    except DomainError as exc:
        c.add(node, exc.field, exc.message)
        return None
    return {"indicator": indicator, "weight": weight, "target": target, "mode": mode, "cap": cap, "floor": floor,
            "formula": formula_text}


def apply_schemes(schemes: list[dict], *, models: dict, categories: dict[str, StaffCategoryRef]) -> int:
    """Store checked schemes; `models` are the app's model classes (historical ones in the data migration)."""
    for s in schemes:
        category = categories[s["category"]]
        level_id = category.level(s["level"]).id if s["level"] else None
        scheme, _ = models["Scheme"].objects.update_or_create(code=s["code"], defaults={
            "name": s["name"], "category_id": category.id, "level_id": level_id, "period_kind": s["period"], "active": s["active"],
            "description": s["description"]})
        models["SchemeItem"].objects.filter(scheme=scheme).delete()
        models["SchemeItem"].objects.bulk_create([models["SchemeItem"](scheme=scheme, order=n, **item)
                                                  for n, item in enumerate(s["items"], start=1)])
    return len(schemes)


def export_schemes(*, models: dict) -> str:
    def num(value: Decimal | None):
        return None if value is None else format(value.normalize(), "f")

    out = []
    for s in models["Scheme"].objects.select_related("category", "level").order_by("code"):
        items = []
        for i in s.items.order_by("order"):
            item = {"indicator": i.indicator, "weight": num(i.weight), "target": num(i.target), "mode": i.mode}
            item |= {k: v for k, v in (("cap", num(i.cap)), ("floor", num(i.floor)), ("formula", i.formula)) if v}
            items.append(item)
        out.append({"code": s.code, "name": s.name, "category": s.category.code, "level": s.level.code if s.level else None,
                    "period": s.period_kind, "active": s.active, "description": s.description, "items": items})
    return dump({"format": FORMAT, "schemes": out})
