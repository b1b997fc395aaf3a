"""Organisation (组织机构): head office → branches → teams → staff; users with roles; API tokens."""
import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language, gettext_lazy as _

from brokercrm.core.models import TimeStampedModel
from brokercrm.core.permissions import has_role
from brokercrm.org.roles import AUDIT_READERS, ORG_EDITORS, Role


def localized_name(obj) -> str:
    """Configuration rows carry a Chinese name and an English one; show the user's language."""
    return obj.name_en if (get_language() or "").startswith("en") and obj.name_en else obj.name


class Branch(TimeStampedModel):
    """营业部, keyed by the trading system's branch_code."""

    code = models.CharField(_("branch code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=50, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Team(TimeStampedModel):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="teams", verbose_name=_("branch"))
    code = models.CharField(_("team code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["branch__code", "code"]
        constraints = [models.UniqueConstraint(fields=["branch", "code"], name="team_code_unique_in_branch")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name or self.code


class StaffCategory(models.Model):
    """人员类别: configuration, seeded with the categories of source-interface.md."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    is_employee = models.BooleanField(_("employee"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("staff category")
        verbose_name_plural = _("staff categories")

    def __str__(self) -> str:
        return localized_name(self)


class StaffLevel(models.Model):
    """级别 within a category (e.g. account manager: assistant … principal)."""

    category = models.ForeignKey(StaffCategory, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category__order", "order"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="level_code_unique_in_category")]
        verbose_name = _("staff level")
        verbose_name_plural = _("staff levels")

    def __str__(self) -> str:
        return localized_name(self)


class Staff(TimeStampedModel):
    """A member of the sales force or service staff; the last working day is the day before leave_date."""

    staff_no = models.CharField(_("staff no."), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(StaffCategory, on_delete=models.PROTECT, verbose_name=_("category"))
    level = models.ForeignKey(StaffLevel, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("level"))
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="staff", verbose_name=_("branch"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("team"))
    hire_date = models.DateField(_("hire date"))
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["staff_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return f"{self.staff_no} {self.name}"

    def employed_on(self, day: dt.date) -> bool:
        return self.hire_date <= day and (self.leave_date is None or day < self.leave_date)

    @property
    def status(self) -> str:
        return "active" if self.employed_on(dt.date.today()) else "left"


class RoleDefinition(TimeStampedModel):
    """A role as data (角色): a shipped role's edits, or a new role based on a shipped one whose named sets it inherits.

    Pages are stored as differences from the code's defaults (org.permissions), so pages added in code later still reach
    the roles that may use them unless an admin took them away."""

    class ScopeKind(models.TextChoices):
        COMPANY = "company", _("Company")
        BRANCH = "branch", _("Branch")
        TEAM = "team", _("Team")
        SELF = "self", _("Self")

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    base_role = models.CharField(_("based on"), max_length=20, choices=Role.choices)
    scope_kind = models.CharField(_("data scope"), max_length=10, choices=ScopeKind.choices)
    pages_granted = models.JSONField(default=list, blank=True)
    pages_denied = models.JSONField(default=list, blank=True)
    unmask_fields = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return localized_name(self)


class MenuItem(models.Model):
    """One entry of a role's menu (菜单): a registered page, an object list, a saved report or an external link."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Page")
        OBJECT_LIST = "object_list", _("Object list")
        REPORT = "report", _("Saved report")
        LINK = "link", _("External link")

    role_code = models.CharField(_("role"), max_length=20, db_index=True)
    section = models.CharField(_("section"), max_length=50)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    target = models.CharField(_("target"), max_length=300)
    label = models.CharField(_("label"), max_length=50, blank=True)
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["role_code", "position", "id"]
        verbose_name = _("menu item")

    def __str__(self) -> str:
        return f"{self.role_code} {self.section} {self.label or self.target}"


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.BROKER)
    role_definition = models.ForeignKey(RoleDefinition, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
                                        verbose_name=_("custom role"))
    staff = models.OneToOneField(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="user", verbose_name=_("staff member"))
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("branch"))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # What templates ask to decide whether to show a button; the services decide whether the action happens.
    @property
    def can_unmask(self) -> bool:
        from brokercrm.org.policy import user_policy  # noqa: PLC0415  (cycle: the role policies read these models)

        policy = user_policy(self)
        return policy is not None and policy.active and bool(policy.unmask_fields)

    @property
    def can_read_audit(self) -> bool:
        return self.role in AUDIT_READERS

    @property
    def can_edit_org(self) -> bool:
        return has_role(self, ORG_EDITORS)


class ApiToken(models.Model):
    """A bearer token for the other systems (portal, call centre, OA); only its hash is stored, it ends at its expiry."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}".strip()

    def status_at(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"
