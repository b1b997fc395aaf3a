"""Page layouts per role (页面布局): which panels of the 360° page show, in which order, collapsed or open; which
columns of the customer list show, in which order. A role without a stored layout sees the shipped one."""
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from brokercrm.core.audit import audit_record, diff
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.customers import panels
from brokercrm.customers.models import PageLayout
from brokercrm.org.facade import CONFIG_ADMINS, role_code_of, role_policies

# The customer list's columns in their shipped order; the customer number always shows (it links to the 360° page).
LIST_COLUMNS = {
    "name": _("Name"), "branch": _("Branch"), "mobile": _("Mobile"), "id_no": _("ID number"), "open_date": _("Open date"),
    "status": _("Status"), "risk_level": _("Risk level"), "end_assets": _("End assets"), "tags": _("Tags"),
}
_CACHE_SECONDS = 30  # other worker processes see a change within this (the saving one at once)


@dataclass(frozen=True)
class LayoutEntry:
    key: str
    title: str
    hidden: bool
    collapsed: bool


def _known(page: str) -> dict[str, object]:
    if page == PageLayout.Page.CUSTOMER_360:
        return {key: title for key, title, _order in panels.panel_keys()}
    if page == PageLayout.Page.CUSTOMER_LIST:
        return dict(LIST_COLUMNS)
    raise DomainError(f"unknown page {page!r}", field="page")


_GENERATION_KEY = "brokercrm:customers:layout-generation"


def _cache_key(role_code: str, page: str) -> str:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.set(_GENERATION_KEY, generation, None)
    return f"brokercrm:customers:layout:{generation}:{role_code}:{page}"


def layouts_cache_reset() -> None:
    """Forget every cached layout (tests roll their rows back without a commit)."""
    cache.delete(_GENERATION_KEY)


def _stored(role_code: str, page: str) -> list[dict]:
    """The stored entries of a role's layout ([] for the shipped one), cached per process for 30 seconds at most."""
    key = _cache_key(role_code, page)
    entries = cache.get(key)
    if entries is None:
        entries = PageLayout.objects.filter(role_code=role_code, page=page).values_list("entries", flat=True).first() or []
        cache.set(key, entries, _CACHE_SECONDS)
    return entries


def layout_entries(*, role_code: str, page: str) -> list[LayoutEntry]:
    """The layout in order: stored entries first, then what was registered since (shown, open), so a new panel appears."""
    known = _known(page)
    result, seen = [], set()
    for item in _stored(role_code, page):
        if item.get("key") in known and item["key"] not in seen:
            seen.add(item["key"])
            result.append(LayoutEntry(item["key"], str(known[item["key"]]), bool(item.get("hidden")), bool(item.get("collapsed"))))
    result += [LayoutEntry(key, str(title), False, False) for key, title in known.items() if key not in seen]
    return result


def user_layout(*, user, page: str) -> list[LayoutEntry]:
    return layout_entries(role_code=role_code_of(user), page=page)


def list_columns_for(*, user) -> list[str]:
    """The customer list's visible column keys for the user's role, in order."""
    return [e.key for e in user_layout(user=user, page=PageLayout.Page.CUSTOMER_LIST) if not e.hidden]


def panels_arranged(*, request, customer) -> list[dict]:
    """The 360° page's panels in the role's order, collapsed as set; hidden panels are neither built nor rendered."""
    layout = user_layout(user=request.user, page=PageLayout.Page.CUSTOMER_360)
    shown = [e for e in layout if not e.hidden]
    built = panels.panels_built(request=request, customer=customer, keys={e.key for e in shown})
    return [built[e.key] | {"collapsed": e.collapsed} for e in shown if e.key in built]


@role_required(CONFIG_ADMINS)
@transaction.atomic
def page_layout_save(*, actor, role_code: str, page: str, entries: list[dict]) -> PageLayout:
    """Store a role's layout of a page: entries in order, each {"key", "hidden", "collapsed"}; unknown keys refused."""
    if role_code not in role_policies():
        raise DomainError(f"unknown role {role_code}", field="role")
    known = _known(page)
    keys = [e.get("key") for e in entries]
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise DomainError(f"unknown {'panel' if page == PageLayout.Page.CUSTOMER_360 else 'column'} {unknown[0]!r}", field="entries")
    if len(set(keys)) != len(keys):
        raise DomainError("each panel or column appears once", field="entries")
    clean = [{"key": e["key"], "hidden": bool(e.get("hidden")), "collapsed": bool(e.get("collapsed"))} for e in entries]
    layout, created = PageLayout.objects.select_for_update().get_or_create(role_code=role_code, page=page, defaults={"entries": clean})
    before = [] if created else layout.entries
    if not created:
        layout.entries = clean
        layout.save(update_fields=["entries", "updated_at"])
    audit_record(actor=actor, action="create" if created else "update", instance=layout,
                 changes=diff({"entries": before}, {"entries": clean}))
    key = _cache_key(role_code, page)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return layout


@role_required(CONFIG_ADMINS)
@transaction.atomic
def page_layout_reset(*, actor, role_code: str, page: str) -> None:
    """Back to the shipped layout."""
    deleted, _by_model = PageLayout.objects.filter(role_code=role_code, page=page).delete()
    if deleted:
        audit_record(actor=actor, action="delete", object_type="customers.pagelayout", object_id=f"{role_code}:{page}",
                     object_repr=f"{role_code} {page}", note="reset to the shipped layout")
    key = _cache_key(role_code, page)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
