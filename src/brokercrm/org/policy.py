"""Roles as data (角色): what a role may open (pages), which data it sees (scope kind) and which personal data it unmasks.

One mechanism for pages, the API and the CLI: the shipped roles' defaults come from code (the menu registry's roles per
page, org/roles.py for unmasking, the scope of each shipped role); a RoleDefinition row changes them. Looked up on
every request, so the rows are cached per process and re-read when any process bumps the generation after a change.
"""
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.models import MenuItem, RoleDefinition
from brokercrm.org.roles import COMPANY_WIDE, UNMASKERS, Role

# The personal data a role may be allowed to see in clear (customers.services.customer_unmask audits each look).
UNMASKABLE_FIELDS = {"id_no": _("ID number"), "mobile": _("Mobile"), "email": _("E-mail"), "address": _("Address")}
SHIPPED_SCOPE = {Role.ADMIN: "company", Role.HEAD_OFFICE: "company", Role.COMPLIANCE: "company",
                 Role.BRANCH_MANAGER: "branch", Role.BROKER: "team", Role.SERVICE_AGENT: "team"}
_GENERATION_KEY = "brokercrm:org:config-generation"
# A process re-reads at least this often, so a change shows in every worker even when the cache is per process
# (Django's default local-memory cache): at once in the process that made it, within this many seconds elsewhere.
REREAD_SECONDS = 30


@dataclass(frozen=True)
class RolePolicy:
    code: str
    name: str
    base_role: str
    scope_kind: str
    pages_granted: frozenset[str]
    pages_denied: frozenset[str]
    unmask_fields: frozenset[str]
    active: bool
    shipped: bool
    edited: bool


def shipped_policy(code: str) -> RolePolicy:
    """A shipped role as the code defines it (what a role row starts from)."""
    role = Role(code)
    return RolePolicy(code=code, name=str(role.label), base_role=code, scope_kind=SHIPPED_SCOPE[role],
                      pages_granted=frozenset(), pages_denied=frozenset(),
                      unmask_fields=frozenset(UNMASKABLE_FIELDS) if role in UNMASKERS else frozenset(),
                      active=True, shipped=True, edited=False)


def _from_row(row: RoleDefinition) -> RolePolicy:
    return RolePolicy(code=row.code, name=str(row), base_role=row.base_role, scope_kind=row.scope_kind,
                      pages_granted=frozenset(row.pages_granted), pages_denied=frozenset(row.pages_denied),
                      unmask_fields=frozenset(row.unmask_fields), active=row.is_active, shipped=row.code in Role.values,
                      edited=True)


class _ProcessCache:
    """Role policies and menu rows, re-read when the shared generation moved (a change in any process)."""

    def __init__(self):
        self.generation = None
        self.reads = 0
        self.read_at = 0.0
        self.policies: dict[str, RolePolicy] = {}
        self.menus: dict[str, list[MenuItem]] | None = None

    def fresh(self) -> "_ProcessCache":
        generation = cache.get(_GENERATION_KEY)
        if self.generation is None or generation != self.generation or time.monotonic() - self.read_at > REREAD_SECONDS:
            self.generation = generation or self._bump()
            self.reads += 1
            self.read_at = time.monotonic()
            self.policies = {code: shipped_policy(code) for code in Role.values}
            self.policies.update({row.code: _from_row(row) for row in RoleDefinition.objects.all()})
            self.menus = None
        return self

    @staticmethod
    def _bump() -> str:
        generation = uuid.uuid4().hex
        cache.set(_GENERATION_KEY, generation, None)
        return generation

    def menu_rows(self) -> dict[str, list[MenuItem]]:
        if self.menus is None:
            rows: dict[str, list[MenuItem]] = {}
            for item in MenuItem.objects.order_by("position", "id"):
                rows.setdefault(item.role_code, []).append(item)
            self.menus = rows
        return self.menus


_process = _ProcessCache()


def config_changed() -> None:
    """After a role or menu change this process re-reads them at once, and every other one once the change commits."""
    _process.generation = None
    transaction.on_commit(_ProcessCache._bump)


def config_cache_reset() -> None:
    """Forget what this process read (tests roll their rows back without a commit)."""
    _process.generation = None
    cache.delete(_GENERATION_KEY)


def role_policies() -> dict[str, RolePolicy]:
    """Every role by code: the six shipped ones (as edited) and those created by admins."""
    return dict(_process.fresh().policies)


def role_policy(code: str) -> RolePolicy | None:
    return _process.fresh().policies.get(code)


def role_code_of(user) -> str:
    """The role a user acts in: their custom role's code, else their shipped role."""
    return user.role_definition.code if getattr(user, "role_definition_id", None) else getattr(user, "role", "")


def user_policy(user) -> RolePolicy | None:
    """The user's role policy, kept on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_role_policy", None)
    if cached is None:
        cached = role_policy(role_code_of(user)) or shipped_policy(user.role)
        user._role_policy = cached
    return cached


def policy_page_allowed(policy: RolePolicy | None, url_name: str) -> bool:
    """Whether a role may open a registered page; pages outside the menu registry are left to their view."""
    entry = navigation.entry(url_name)
    if entry is None:
        return True
    if policy is None or not policy.active or url_name in policy.pages_denied:
        return False
    return url_name in policy.pages_granted or policy.base_role in entry.roles


def role_pages(code: str) -> set[str]:
    """The registered pages a role may open now."""
    policy = role_policy(code)
    return {e.url_name for e in navigation.entries() if policy_page_allowed(policy, e.url_name)}


def user_page_allowed(user, url_name: str) -> bool:
    """Whether the user's role may open the page: refused when an admin took the page from the role (or deactivated the
    role); otherwise the page's own view decides, as it did before roles were data (a menu entry lists only the roles
    it is offered to, not all who may open the page)."""
    policy = user_policy(user)
    if navigation.entry(url_name) is None or policy is None:
        return True
    return policy.active and url_name not in policy.pages_denied


def user_may_unmask(user, field: str) -> bool:
    """None is the system (CLI), which may; otherwise the role's unmask permission for that field decides."""
    if user is None:
        return True
    policy = user_policy(user)
    return policy is not None and policy.active and field in policy.unmask_fields


def user_scope_kind(user) -> str:
    """company, branch, team (the reporting subtree) or self; superusers see the company."""
    if getattr(user, "is_superuser", False):
        return "company"
    policy = user_policy(user)
    if policy is None:
        return "company" if user.role in COMPANY_WIDE else SHIPPED_SCOPE.get(user.role, "self")
    return policy.scope_kind


def config_generation() -> str:
    """The generation of the roles and menus this process holds (changes after every role or menu change)."""
    process = _process.fresh()
    return f"{process.generation}:{process.reads}:{navigation.revision()}"


def menu_rows_of(code: str) -> list[MenuItem] | None:
    """The role's stored menu rows, or None while the role uses the shipped menu."""
    return _process.fresh().menu_rows().get(code)
