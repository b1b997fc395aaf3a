"""Writes of segment configuration (tiers, behaviour groups, settings, pins): each in a transaction, each audited."""
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from brokercrm.analytics.engine.build import RULE_NAMES
from brokercrm.analytics.models import BehaviourGroup, SegmentSettings, Tier, TierPin
from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.org.facade import SEGMENT_EDITORS, TIER_PIN_EDITORS
from brokercrm.platform.facade import Formula, FormulaError, compile_formula

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SETTINGS_LIMITS = {"downgrade_months": (1, 24), "rfm_window_months": (1, 60), "cluster_count": (2, 12), "cluster_seed": (0, 2**31 - 1)}


def rule_compile(rule: str) -> Formula:
    """A behaviour-group rule checked against the rule vocabulary; a bad one names line and column."""
    try:
        formula = compile_formula(rule, RULE_NAMES)
    except FormulaError as exc:
        raise DomainError(str(exc), field="rule") from None
    if formula.result_type not in ("bool", "any"):
        raise DomainError(f"line 1, column 1: a rule must be a condition (true or false), not a {formula.result_type}", field="rule")
    return formula


def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from exc


def _save(actor, instance, before: dict | None) -> None:
    _full_clean(instance)
    instance.save()
    after = snapshot(instance)
    if before is None:
        audit_record(actor=actor, action="create", instance=instance, changes=diff({}, after))
    elif diff(before, after):
        audit_record(actor=actor, action="update", instance=instance, changes=diff(before, after))


def _money(value, field: str) -> Decimal:
    if isinstance(value, float):
        raise DomainError("write amounts as text or whole numbers, not binary fractions", field=field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(f"'{value}' is not an amount", field=field) from None
    if not amount.is_finite() or amount < 0:
        raise DomainError("must be an amount of at least 0", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError("at most 2 decimals", field=field)
    return amount.quantize(Decimal("0.01"))


@role_required(SEGMENT_EDITORS)
@transaction.atomic
def tier_save(*, actor, tier: Tier | None = None, code: str, name: str, min_avg_daily_assets, name_en: str = "") -> Tier:
    """Create or change a value tier; thresholds must be distinct."""
    threshold = _money(min_avg_daily_assets, "min_avg_daily_assets")
    if Tier.objects.filter(code=code).exclude(pk=getattr(tier, "pk", None)).exists():
        raise DomainError(f"tier code {code} already exists", field="code")
    if Tier.objects.filter(min_avg_daily_assets=threshold).exclude(pk=getattr(tier, "pk", None)).exists():
        raise DomainError(f"another tier already starts at {threshold}", field="min_avg_daily_assets")
    before = snapshot(tier) if tier else None
    tier = tier or Tier()
    tier.code, tier.name, tier.name_en, tier.min_avg_daily_assets = code, name, name_en, threshold
    _save(actor, tier, before)
    return tier


@role_required(SEGMENT_EDITORS)
@transaction.atomic
def tier_delete(*, actor, tier: Tier) -> None:
    if tier.pins.exists():
        raise DomainError(f"tier {tier.code} is pinned for some customers; end those pins first", field="code")
    if Tier.objects.count() == 1:
        raise DomainError("at least one tier is needed", field="code")
    audit_record(actor=actor, action="delete", instance=tier, changes=diff(snapshot(tier), {}))
    tier.delete()


@role_required(SEGMENT_EDITORS)
@transaction.atomic
def group_save(*, actor, group: BehaviourGroup | None = None, code: str, name: str, rule: str, name_en: str = "",
               description: str = "", order: int = 0, active: bool = True) -> BehaviourGroup:
    """Create or change a behaviour group; the rule is checked before anything is stored."""
    formula = rule_compile(rule)
    if BehaviourGroup.objects.filter(code=code).exclude(pk=getattr(group, "pk", None)).exists():
        raise DomainError(f"group code {code} already exists", field="code")
    before = snapshot(group) if group else None
    group = group or BehaviourGroup()
    group.code, group.name, group.name_en, group.description = code, name, name_en, description
    group.rule, group.order, group.active = formula.text, order, active
    _save(actor, group, before)
    return group


@role_required(SEGMENT_EDITORS)
@transaction.atomic
def group_delete(*, actor, group: BehaviourGroup) -> None:
    audit_record(actor=actor, action="delete", instance=group, changes=diff(snapshot(group), {}))
    group.delete()


def segment_settings_get() -> SegmentSettings:
    return SegmentSettings.objects.get_or_create(pk=1)[0]


@role_required(SEGMENT_EDITORS)
@transaction.atomic
def segment_settings_update(*, actor, **values) -> SegmentSettings:
    unknown = set(values) - set(SETTINGS_LIMITS)
    if unknown:
        raise DomainError(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    for name, value in values.items():
        low, high = SETTINGS_LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise DomainError(f"must be a whole number from {low} to {high}", field=name)
    current = segment_settings_get()
    before = snapshot(current)
    for name, value in values.items():
        setattr(current, name, value)
    _save(actor, current, before)
    return current


def _period(value: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if not PERIOD.match(value):
        raise DomainError("a month is written YYYY-MM", field=field)
    return value


@role_required(TIER_PIN_EDITORS)
@transaction.atomic
def tier_pin_create(*, actor, customer, tier: Tier, from_period: str, reason: str, until_period: str = "") -> TierPin:
    """Fix a customer's tier by hand from a month on (until a month, inclusive, or open); customer: its facade ref."""
    from_period = _period(from_period, "from_period", required=True)
    until_period = _period(until_period, "until_period", required=False)
    if until_period and until_period < from_period:
        raise DomainError("the last month is before the first", field="until_period")
    if not (reason or "").strip():
        raise DomainError("a reason is required", field="reason")
    for other in TierPin.objects.filter(customer_id=customer.id):
        if (not other.until_period or other.until_period >= from_period) and (not until_period or other.from_period <= until_period):
            raise DomainError(f"overlaps the pin {other.from_period}…{other.until_period or ''} ({other.tier.code})", field="from_period")
    pin = TierPin(customer_id=customer.id, tier=tier, from_period=from_period, until_period=until_period, reason=reason.strip(),
                  created_by=actor if getattr(actor, "pk", None) else None)
    _save(actor, pin, None)
    return pin


@role_required(TIER_PIN_EDITORS)
@transaction.atomic
def tier_pin_end(*, actor, pin: TierPin, until_period: str) -> TierPin:
    """End a pin with its last month (inclusive)."""
    until_period = _period(until_period, "until_period", required=True)
    if until_period < pin.from_period:
        raise DomainError("the last month is before the first", field="until_period")
    before = snapshot(pin)
    pin.until_period = until_period
    _save(actor, pin, before)
    return pin
