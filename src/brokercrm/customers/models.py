"""The company-wide customer base (客户资料), fed from the data center after each load."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.core.models import TimeStampedModel


class Customer(TimeStampedModel):
    """A fund account (资金账号) and its holder's profile, current version."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        FROZEN = "frozen", _("Frozen")
        CLOSED = "closed", _("Closed")

    customer_no = models.CharField(_("customer no."), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    customer_type = models.CharField(_("customer type"), max_length=16)
    id_type = models.CharField(_("ID type"), max_length=20)
    id_no = models.CharField(_("ID number"), max_length=40, db_index=True)
    id_no_last4 = models.CharField(max_length=4, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    mobile_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    email = models.CharField(_("e-mail"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="customers", verbose_name=_("branch"))
    open_date = models.DateField(_("open date"), db_index=True)
    close_date = models.DateField(_("close date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    risk_level = models.CharField(_("risk level"), max_length=2, blank=True, db_index=True)
    risk_assessed_on = models.DateField(_("risk assessed on"), null=True, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["customer_no"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.customer_no} {self.name}"


class CustomerChange(models.Model):
    """History of the fields that matter for scope and service: branch, status, risk level (每次变更一行)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="changes")
    business_date = models.DateField(_("business date"))
    field = models.CharField(_("field"), max_length=32)
    old_value = models.CharField(_("old value"), max_length=100, blank=True)
    new_value = models.CharField(_("new value"), max_length=100, blank=True)

    class Meta:
        ordering = ["-business_date", "-id"]
        indexes = [models.Index(fields=["customer", "business_date"])]


def name_grams(name: str) -> set[str]:
    """The three-character pieces of a name, lower-cased (a query of 3+ characters is contained only where its first piece is)."""
    text = (name or "").lower()
    return {text[i:i + 3] for i in range(len(text) - 2)}


class CustomerNameGram(models.Model):
    """Index of name pieces: searching names that contain a query without scanning every customer's name."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    gram = models.CharField(max_length=3)

    class Meta:
        indexes = [models.Index(fields=["gram", "customer"])]


class CustomerFigures(models.Model):
    """The latest month's indicators of a customer, copied from the published marts after each load (list filter and sort)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="figures")
    period = models.CharField(_("period"), max_length=10)
    end_assets = models.DecimalField(_("end assets"), max_digits=20, decimal_places=2, db_index=True)
    avg_daily_assets = models.DecimalField(_("average daily assets"), max_digits=20, decimal_places=2)
    net_commission = models.DecimalField(_("net commission"), max_digits=20, decimal_places=2)


class Tag(models.Model):
    """A manual label (标签) staff put on customers; shared company-wide, applied within scope."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomerTag(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="customer_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "tag"], name="customer_tag_unique")]
        indexes = [models.Index(fields=["tag", "customer"])]


class SavedFilter(models.Model):
    """A customer group (客户分组): a named search and filter set a user keeps for reuse."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_filters")
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query string"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_name_unique")]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self) -> str:
        return self.name


# A customer's status as other apps name it (through the facade), without the model.
CustomerStatus = Customer.Status


class Prospect(TimeStampedModel):
    """潜在客户: a person who may open an account; converts when an account with the same ID number or mobile is loaded."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        FOLLOWING = "following", _("Following up")
        CONVERTED = "converted", _("Converted")
        LOST = "lost", _("Lost")
        MERGED = "merged", _("Merged")

    name = models.CharField(_("name"), max_length=100)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    mobile_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    id_type = models.CharField(_("ID type"), max_length=20, blank=True)
    id_no = models.CharField(_("ID number"), max_length=40, blank=True, db_index=True)
    id_no_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    email = models.CharField(_("e-mail"), max_length=200, blank=True)
    branch = models.ForeignKey("org.Branch", on_delete=models.PROTECT, related_name="prospects", verbose_name=_("branch"))
    staff = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="prospects",
                              verbose_name=_("assigned to"))
    source = models.CharField(_("source"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    converted_customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="prospects",
                                           verbose_name=_("converted to"))
    converted_on = models.DateField(_("converted on"), null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from",
                                    verbose_name=_("merged into"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Queued for review (待复核) when it matched a customer or prospect outside the entering user's scope; the user is not told.
    review_pending = models.BooleanField(_("review pending"), default=False, db_index=True)
    review_reason = models.TextField(_("review reason"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")

    def __str__(self) -> str:
        return f"P{self.pk} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.FOLLOWING)


class ProspectNote(models.Model):
    """A follow-up note (跟进记录) on a prospect."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("note"))
    next_contact_on = models.DateField(_("next contact on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class PageLayout(models.Model):
    """页面布局: a role's arrangement of a page — the 360° page's panels (order, collapsed, hidden) or a list's columns."""

    class Page(models.TextChoices):
        CUSTOMER_360 = "customer_360", _("Customer 360° page")
        CUSTOMER_LIST = "customer_list", _("Customer list")

    role_code = models.CharField(_("role"), max_length=20)
    page = models.CharField(_("page"), max_length=20, choices=Page.choices)
    entries = models.JSONField(default=list)
    """In order: {"key": …, "hidden": bool, "collapsed": bool} (collapsed only for panels)."""
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role_code", "page"], name="page_layout_unique_per_role")]
        verbose_name = _("page layout")

    def __str__(self) -> str:
        return f"{self.role_code} {self.page}"
