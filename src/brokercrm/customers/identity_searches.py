"""Exact identity searches (a full mobile or ID number) confirm masked digits: each is audited, masked, and limited per user
in a sliding hour (BROKERCRM_IDENTITY_SEARCHES_PER_HOUR). The one write of a read: the list page, its export and the API
all search through customers.selectors.customer_search, which calls identity_search_record first."""
import datetime as dt
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from brokercrm.core.audit import audit_record
from brokercrm.core.errors import RateLimited
from brokercrm.core.masking import mask_id_no, mask_mobile
from brokercrm.core.models import AuditEntry

PHONE_CHARACTERS = set("0123456789 +-()")
FULL_ID_NO = re.compile(r"\d{15}|\d{17}[\dX]")


def identity_query(query: str) -> tuple[str, str]:
    """('mobile' or 'id_no', the value normalised) when the query is a full mobile or ID number, else ('', '')."""
    q = (query or "").strip()
    id_no = "".join(q.split()).upper()
    if FULL_ID_NO.fullmatch(id_no):
        return "id_no", id_no
    phone = "".join(ch for ch in q if ch.isdigit())
    if q and set(q) <= PHONE_CHARACTERS and (len(phone) == 11 or (len(phone) == 13 and phone.startswith("86"))):
        return "mobile", phone[-11:]
    return "", ""


def identity_search_record(*, user, query: str) -> None:
    """Audit an exact identity search (masked like the screens), or refuse it beyond the user's hourly allowance."""
    kind, value = identity_query(query)
    if not kind or not getattr(user, "pk", None):
        return
    limit = settings.BROKERCRM_IDENTITY_SEARCHES_PER_HOUR
    since = timezone.now() - dt.timedelta(hours=1)
    if AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.SEARCH, at__gte=since).count() >= limit:
        raise RateLimited(_("at most %(n)d searches by a full mobile or ID number an hour: try again later") % {"n": limit}, field="q")
    masked = mask_mobile(value) if kind == "mobile" else mask_id_no(value)
    audit_record(actor=user, action=AuditEntry.Action.SEARCH, object_type="customers.customer", object_repr=masked, note=kind)
