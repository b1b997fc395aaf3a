"""Reads of the customer base, always through the user's data scope (the one place customer scope is decided)."""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.core.bulk import batches
from brokercrm.core.intervals import in_force_q
from brokercrm.core.request_memo import request_memoised
from brokercrm.customers.contracts import CustomerContact, CustomerRef
from brokercrm.customers.identity_searches import identity_search_record
from brokercrm.customers.models import Customer, CustomerFigures, CustomerNameGram, CustomerTag, SavedFilter, Tag
from brokercrm.datacenter.facade import latest_loaded_date
from brokercrm.org.facade import scope_for
from brokercrm.platform.facade import custom_field_filter_q


@request_memoised
def scope_date() -> dt.date:
    """Relations decide access as they stand on the latest loaded business date (today before any load); read once
    per page request."""
    return latest_loaded_date() or dt.date.today()


def customer_scope_q(user, *, prefix: str = "") -> Q:
    """A filter for customers the user may see; prefix is the path to the Customer (e.g. 'customer__').

    Admin, head office and compliance see all; a branch manager the customers of their branch; anyone
    else the customers they (or their reporting subtree) hold a development or service relation with
    on the latest loaded business date.
    """
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.branch_ids:
        return Q(**{f"{prefix}branch_id__in": scope.branch_ids})
    if not scope.staff_ids:
        return Q(pk__in=[])
    return Q(**{f"{prefix}pk__in": held_by(Q(relations__staff_id__in=scope.staff_ids), day=scope_date())})


def customer_nos_in_scope(user) -> list[str] | None:
    """The customer numbers the user may see, for reads outside the app database (the warehouse's reports);
    None when the scope is everything, so a company-wide read binds no list."""
    if user is None or scope_for(user).everything:
        return None
    return list(Customer.objects.filter(customer_scope_q(user)).values_list("customer_no", flat=True))


def held_by(staff_q: Q, *, day: dt.date) -> QuerySet:
    """Ids of the customers held on day through an in-force relation (development or service) by the staff staff_q names.

    The relations app sits above this one, so the relation is reached by its reverse path from Customer (`relations__`),
    never imported. The subquery is driven from the relation table's (staff, type, start) index: a broker's book, never
    a scan of every customer.
    """
    return Customer.objects.filter(staff_q & in_force_q(day, prefix="relations__")).values("pk")


def customer_list(*, user) -> QuerySet[Customer]:
    return Customer.objects.select_related("branch").filter(customer_scope_q(user))


def customer_get(*, user, customer_no: str) -> Customer:
    """One customer in scope; anything else is a 404 so that existence does not leak."""
    return get_object_or_404(customer_list(user=user), customer_no=customer_no)


def customer_ref(customer: Customer) -> CustomerRef:
    return CustomerRef(id=customer.pk, customer_no=customer.customer_no, name=customer.name, branch_id=customer.branch_id,
                       branch_code=customer.branch.code, branch_name=customer.branch.name, status=customer.status,
                       open_date=customer.open_date, close_date=customer.close_date, risk_level=customer.risk_level,
                       risk_assessed_on=customer.risk_assessed_on)


def customer_ref_get(*, user, customer_no: str) -> CustomerRef:
    """customer_get for other apps: one customer in scope as a frozen reference (404 outside the scope)."""
    return customer_ref(customer_get(user=user, customer_no=customer_no))


def customer_ref_by_id(*, customer_id: int) -> CustomerRef:
    """Any customer by id, unscoped: for services and handlers that already checked scope (or act as the system)."""
    return customer_ref(Customer.objects.select_related("branch").get(pk=customer_id))


def customer_refs_by_id(*, customer_ids: Iterable[int]) -> dict[int, CustomerRef]:
    """These customers by id, unscoped, in one query: for checks over a batch the caller already chose (strategies)."""
    return {c.id: customer_ref(c) for c in Customer.objects.select_related("branch").filter(pk__in=set(customer_ids))}


def customer_refs_by_no(*, customer_nos: Iterable[str]) -> dict[str, CustomerRef]:
    """The customers with these numbers (unknown ones are left out), unscoped: for imports run by an editor or the system."""
    columns = ["id", "customer_no", "name", "branch_id", "branch__code", "branch__name", "status", "open_date", "close_date",
               "risk_level", "risk_assessed_on"]
    wanted = sorted(set(customer_nos))
    # Plain values, not model instances: an import names tens of thousands of customers.
    return {values[1]: CustomerRef(*values) for batch in batches(wanted)
            for values in Customer.objects.order_by().filter(customer_no__in=batch).values_list(*columns)}


def customer_get_to_win(*, user, customer_no: str) -> CustomerRef:
    """A customer the user may apply for: in their scope, or an account of their own branch (to win a new customer)."""
    scope = scope_for(user)
    visible = customer_scope_q(user)
    if user.staff_id is not None and not scope.everything:
        visible |= Q(branch_id=user.staff.branch_id)
    return customer_ref(get_object_or_404(Customer.objects.select_related("branch").filter(visible), customer_no=customer_no))


def customer_in_scope(*, user, customer_id: int) -> bool:
    """Whether the customer is in the user's data scope (the system, None, sees everything)."""
    return user is None or Customer.objects.filter(customer_scope_q(user), pk=customer_id).exists()


def customer_unheld(*, branch_id: int) -> CustomerRef | None:
    """The first normal customer of the branch that no one has ever held (the demo's pending application)."""
    customer = (Customer.objects.select_related("branch").filter(branch_id=branch_id, status=Customer.Status.NORMAL, relations__isnull=True)
                .order_by("customer_no").first())
    return customer_ref(customer) if customer else None


def normalise_phone(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def normalise_id_no(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def _after(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_q(field_name: str, prefix: str) -> Q:
    """`field` starts with `prefix` as an index range (LIKE with ESCAPE cannot use SQLite's index)."""
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": _after(prefix)})


def search_q(query: str) -> Q:
    """Customers matching a query on any key (the union): customer_no exact or prefix, name prefix (contained for 3+
    characters), mobile in full or its last four digits, ID number in full or its last four characters.

    Every term is an index lookup (containment goes through the name pieces, CustomerNameGram); names carry no digits, so
    an all-digit query is not looked up among names.
    """
    q = query.strip()
    if not q:
        return Q()
    terms = prefix_q("customer_no", q) | prefix_q("name", q) | identity_q(q)
    if len(q) >= 3 and not q.isdigit():
        terms |= contained_name_q(q)
    return terms


CONTAINED_LIMIT = 20000


def contained_name_q(q: str) -> Q:
    """Customers whose name contains q, found through the name pieces.

    The matches are fetched first and passed on as ids: inside an OR, PostgreSQL turns a subquery into a filter over
    every row, while a list of ids stays an index lookup. A piece so common that it matches more than CONTAINED_LIMIT
    names falls back to the subquery (correct, slower).
    """
    pieces = CustomerNameGram.objects.filter(gram=q.lower()[:3]).values("customer_id")
    matched = list(Customer.objects.filter(pk__in=pieces, name__icontains=q).values_list("id", flat=True)[:CONTAINED_LIMIT + 1])
    if len(matched) <= CONTAINED_LIMIT:
        return Q(pk__in=matched)
    return Q(pk__in=pieces, name__icontains=q)


def identity_q(q: str) -> Q:
    """Mobile in full or its last four digits, ID number in full or its last four characters (normalised, indexed columns)."""
    terms = Q(pk__in=[])
    if all(ch.isdigit() or ch in " +-()" for ch in q):
        phone = normalise_phone(q)
        if len(phone) == 4:
            terms |= Q(mobile_last4=phone)
        elif len(phone) >= 7:
            terms |= Q(mobile__in=[phone, phone[2:]] if len(phone) == 13 and phone.startswith("86") else [phone])
    id_no = normalise_id_no(q)
    if len(id_no) == 4:
        terms |= Q(id_no_last4=id_no)
    elif len(id_no) >= 8:
        terms |= Q(id_no=id_no)
    return terms


# Filters other apps add to the customer list (e.g. analytics: tier, segment), each a set of choices and a Q.
@dataclass(frozen=True)
class ListFilter:
    key: str
    label: object
    choices: Callable[[], list[tuple[str, str]]]
    customer_q: Callable[[str], Q]


_list_filters: dict[str, ListFilter] = {}


def register_list_filter(key: str, label, *, choices: Callable[[], list[tuple[str, str]]], customer_q: Callable[[str], Q]) -> None:
    """Add a filter to the customer list, page, export and API alike; customer_q(value) returns a Q on Customer
    (e.g. `Q(customer_no__in=<subquery of a segment's customer numbers>)`)."""
    _list_filters[key] = ListFilter(key, label, choices, customer_q)


def list_filters() -> list[ListFilter]:
    return list(_list_filters.values())


SORTS = {
    "customer_no": "customer_no", "-customer_no": "-customer_no", "name": "name", "-name": "-name",
    "open_date": "open_date", "-open_date": "-open_date", "assets": "figures__end_assets", "-assets": "-figures__end_assets",
}


@dataclass(frozen=True)
class CustomerFilters:
    """What the list, the export and the API filter by (all optional)."""

    q: str = ""
    branch: str = ""
    staff: str = ""
    risk_level: str = ""
    status: str = ""
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    assets_min: Decimal | None = None
    assets_max: Decimal | None = None
    tag: str = ""
    customer_nos: frozenset[str] | None = None
    custom: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    sort: str = "customer_no"


def customer_search(*, user, filters: CustomerFilters) -> QuerySet[Customer]:
    """The customers in the user's scope that match the search and every filter, sorted.

    A search by a full mobile or ID number is audited and rate-limited first (RateLimited beyond the hourly allowance).
    """
    identity_search_record(user=user, query=filters.q)
    qs = customer_list(user=user).select_related("figures")
    f = filters
    if f.q:
        qs = qs.filter(search_q(f.q))
    if f.branch:
        qs = qs.filter(branch__code=f.branch)
    if f.staff:
        qs = qs.filter(pk__in=held_by(Q(relations__staff__staff_no=f.staff), day=scope_date()))
    if f.risk_level:
        qs = qs.filter(risk_level=f.risk_level)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.opened_from:
        qs = qs.filter(open_date__gte=f.opened_from)
    if f.opened_to:
        qs = qs.filter(open_date__lte=f.opened_to)
    if f.assets_min is not None:
        qs = qs.filter(figures__end_assets__gte=f.assets_min)
    if f.assets_max is not None:
        qs = qs.filter(figures__end_assets__lte=f.assets_max)
    if f.tag:
        qs = qs.filter(pk__in=CustomerTag.objects.filter(tag__name=f.tag).values("customer_id"))
    if f.customer_nos is not None:
        qs = qs.filter(customer_no__in=f.customer_nos)
    if f.custom:
        qs = qs.filter(custom_field_filter_q("customer", f.custom))
    for key, value in f.extra.items():
        if key in _list_filters and value:
            qs = qs.filter(_list_filters[key].customer_q(value))
    order = SORTS.get(f.sort, "customer_no")
    return qs.order_by("customer_no") if order == "customer_no" else qs.order_by(order, "customer_no")


def customer_tags(*, customer: Customer) -> list[str]:
    return list(customer.tag_links.order_by("tag__name").values_list("tag__name", flat=True))


def tags_by_customer(customer_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for cid, name in CustomerTag.objects.filter(customer_id__in=list(customer_ids)).order_by("tag__name").values_list(
            "customer_id", "tag__name"):
        out.setdefault(cid, []).append(name)
    return out


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.all()


def saved_filter_list(*, user) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(owner=user)


def saved_filter_get(*, user, pk: int) -> SavedFilter:
    return get_object_or_404(saved_filter_list(user=user), pk=pk)


@dataclass(frozen=True)
class Suitability:
    """适当性 status: the questionnaire's risk level and age; stale after the configured years (2 by regulation)."""

    risk_level: str
    assessed_on: dt.date | None
    as_of: dt.date
    age_days: int | None
    valid_until: dt.date | None
    stale: bool


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def questionnaire_valid_until(assessed_on: dt.date) -> dt.date:
    """The first day a questionnaire of that date is stale (SUITABILITY_VALID_YEARS later, 2 by regulation)."""
    return _add_years(assessed_on, int(getattr(settings, "SUITABILITY_VALID_YEARS", 2)))


def suitability(*, customer: Customer, as_of: dt.date | None = None) -> Suitability:
    as_of = as_of or scope_date()
    assessed = customer.risk_assessed_on
    if assessed is None or not customer.risk_level:
        return Suitability(customer.risk_level, assessed, as_of, None, None, True)
    valid_until = questionnaire_valid_until(assessed)
    return Suitability(customer.risk_level, assessed, as_of, (as_of - assessed).days, valid_until, as_of >= valid_until)


def customer_id_index() -> dict[str, int]:
    """Every customer's id by customer no., in one query (jobs over the whole base, e.g. segments)."""
    return dict(Customer.objects.values_list("customer_no", "id"))


def customer_ids_by_no(customer_nos: Iterable[str]) -> dict[str, int]:
    """Customer id per customer no. for those that exist (one query)."""
    return dict(Customer.objects.filter(customer_no__in=set(customer_nos)).values_list("customer_no", "id"))


def customers_opened(first: dt.date, last: dt.date) -> list[tuple[int, str, dt.date]]:
    """(id, customer no., open date) of the accounts opened in [first, last]."""
    return list(Customer.objects.filter(open_date__gte=first, open_date__lte=last).values_list("id", "customer_no", "open_date"))


def customers_open_after(day: dt.date, *, exclude_frozen: bool, exclude_nos: Iterable[str] = ()) -> list[tuple[int, str]]:
    """(id, customer no.) of the accounts open at the end of `day` (opened by then, not closed by then)."""
    qs = Customer.objects.filter(open_date__lte=day).filter(Q(close_date__isnull=True) | Q(close_date__gt=day))
    if exclude_frozen:
        qs = qs.exclude(status=Customer.Status.FROZEN)
    return list(qs.exclude(customer_no__in=set(exclude_nos)).values_list("id", "customer_no"))


def customer_by_mobile(*, user, mobile: str, company_wide: bool = False) -> Customer | None:
    """The customer with this mobile number (an open account first), in the user's scope unless company-wide."""
    base = Customer.objects.select_related("branch") if company_wide else customer_list(user=user)
    return base.filter(mobile=mobile).order_by("status", "customer_no").first() if mobile else None


_CONTACT_FIELDS = ("id", "customer_no", "name", "mobile", "email")


def customer_contact(*, customer_id: int) -> CustomerContact:
    """Who one customer is and how to reach them, unscoped (for the system, e.g. the demo)."""
    return CustomerContact(*Customer.objects.filter(pk=customer_id).values_list(*_CONTACT_FIELDS).get())


def customer_contacts_open_on(day: dt.date, *, opened_after: dt.date | None = None, customer_ids: Iterable[int] | None = None,
                              branch_codes: Iterable[str] = ()) -> list[CustomerContact]:
    """The accounts open on day (not closed), optionally only those opened after a date, among some customers,
    in some branches, by customer no."""
    qs = Customer.objects.filter(open_date__lte=day).filter(Q(close_date__isnull=True) | Q(close_date__gte=day)).exclude(
        status=Customer.Status.CLOSED)
    if opened_after is not None:
        qs = qs.filter(open_date__gt=opened_after)
    if customer_ids is not None:
        qs = qs.filter(pk__in=list(customer_ids))
    if branch_codes:
        qs = qs.filter(branch__code__in=list(branch_codes))
    return [CustomerContact(*row) for row in qs.order_by("customer_no").values_list(*_CONTACT_FIELDS)]


def customer_contacts_with_email(first: dt.date, last: dt.date, *, customer_nos: list[str] | None = None) -> Iterator[CustomerContact]:
    """Accounts with an e-mail address open at some time in [first, last] (optionally some of them), by customer no."""
    qs = Customer.objects.exclude(email="").filter(open_date__lte=last).filter(Q(close_date__isnull=True) | Q(close_date__gte=first))
    if customer_nos:
        qs = qs.filter(customer_no__in=customer_nos)
    for row in qs.order_by("customer_no").values_list(*_CONTACT_FIELDS).iterator(chunk_size=500):
        yield CustomerContact(*row)


def customer_contacts_in_scope(*, user, customer_ids: Iterable[int]) -> list[CustomerContact]:
    """How to reach these customers, those in the user's scope (None: the system, all) and not closed, by customer no."""
    qs = Customer.objects.filter(pk__in=set(customer_ids)).exclude(status=Customer.Status.CLOSED)
    if user is not None:
        qs = qs.filter(customer_scope_q(user))
    return [CustomerContact(*row) for row in qs.order_by("customer_no").values_list(*_CONTACT_FIELDS)]
def customer_refs_search(*, user, filters: CustomerFilters) -> list[CustomerRef]:
    """customer_search for other apps: the matching customers in the user's scope, as frozen references."""
    return [customer_ref(c) for c in customer_search(user=user, filters=filters)]


def customer_end_assets(customer_ids: Iterable[int]) -> dict[int, Decimal]:
    """The latest month-end assets of these customers (those with figures), in one query."""
    return dict(CustomerFigures.objects.filter(customer_id__in=list(customer_ids)).values_list("customer_id", "end_assets"))
def birth_date_from_id(id_no: str | None) -> dt.date | None:
    """The birth date a mainland ID number carries (18 digits: YYYYMMDD at 7–14; 15 digits: YYMMDD at 7–12, 19YY)."""
    digits = (id_no or "").strip().upper()
    try:
        if len(digits) == 18 and digits[:17].isdigit():
            return dt.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
        if len(digits) == 15 and digits.isdigit():
            return dt.date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return None
    return None


def customer_care_dates(day: dt.date) -> list[tuple[int, dt.date | None, dt.date]]:
    """(id, birth date — stored, else from the ID number of a person —, open date) of the accounts open on day."""
    qs = (Customer.objects.filter(open_date__lte=day).filter(Q(close_date__isnull=True) | Q(close_date__gte=day))
          .exclude(status=Customer.Status.CLOSED).order_by("customer_no"))
    return [(pk, birth or (birth_date_from_id(id_no) if id_type == "id_card" else None), opened)
            for pk, birth, id_no, id_type, opened in qs.values_list("id", "birth_date", "id_no", "id_type", "open_date")]
