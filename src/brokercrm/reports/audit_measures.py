"""The compliance measure `unmask_count` (查看明文次数): how often personal data was shown unmasked, from the audit log.

Each unmask is counted on its day for the staff member of the user who unmasked (UNATTRIBUTED for users without
one) and that staff member's branch (or the user's own branch); the viewer sees the unmasks of the staff in their scope.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone

from brokercrm.core.models import AuditEntry
from brokercrm.datacenter.facade import SemanticError
from brokercrm.org.facade import scope_for

AUDIT_MEASURES = ("unmask_count",)
AUDIT_DIMENSIONS = ("staff_no", "branch_code", "day", "month", "quarter", "year")
UNATTRIBUTED = "UNATTRIBUTED"


def audit_check(measures: list[str], by: list[str], where: str) -> None:
    if "unmask_count" not in measures:
        return
    for name in by:
        if name not in AUDIT_DIMENSIONS:
            raise SemanticError(f"unmask counts cannot be grouped by {name!r}", field="by", value=name)
    if where.strip():
        raise SemanticError("unmask counts take no filter", field="where", value=where)


def audit_rows(by: list[str], date_from: dt.date, date_to: dt.date, *, user) -> dict[tuple, dict[str, object]]:
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.UNMASK, at__date__gte=date_from, at__date__lte=date_to)
    if user is not None and not scope_for(user).everything:
        entries = entries.filter(scope_for(user).staff_q(prefix="actor__staff__"))
    counts: Counter = Counter()
    for at, staff_no, staff_branch, user_branch in entries.values_list("at", "actor__staff__staff_no",
                                                                       "actor__staff__branch__code", "actor__branch__code"):
        day = timezone.localtime(at).date()
        values = {"staff_no": staff_no or UNATTRIBUTED, "branch_code": staff_branch or user_branch, "day": day.isoformat(),
                  "month": f"{day:%Y-%m}", "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}", "year": str(day.year)}
        counts[tuple(values[d] for d in by)] += 1
    return {key: {"unmask_count": n} for key, n in counts.items()}
