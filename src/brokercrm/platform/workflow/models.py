"""Workflow engine (工作流): BPMN definitions stored as data, running instances with their Spiff state, tasks, history.

Staff and branches concerned are the organisation's rows, named by string so that the platform imports no domain app.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokercrm.platform.access import role_label


class ProcessDefinition(models.Model):
    """One version of a BPMN 2.0 process; the newest active version starts new instances."""

    key = models.CharField(_("process key"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    bpmn = models.TextField(_("BPMN 2.0 XML"))
    checksum = models.CharField(max_length=64)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="process_definition_version_unique")]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class ProcessInstance(models.Model):
    """One application going through its process; `state` is SpiffWorkflow's JSON serialization."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Pending approval")
        COMPLETED = "completed", _("Approved, in effect")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances", verbose_name=_("definition"))
    key = models.CharField(_("process key"), max_length=64, db_index=True)
    business_key = models.CharField(_("subject"), max_length=100, db_index=True)
    summary = models.CharField(_("summary"), max_length=300)
    payload = models.JSONField(_("application"), default=dict)
    results = models.JSONField(_("results"), default=dict, blank=True)
    state = models.TextField(_("engine state"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("applicant"))
    started_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    parties = models.ManyToManyField("org.Staff", blank=True, related_name="+", verbose_name=_("staff concerned"))
    branches = models.ManyToManyField("org.Branch", blank=True, related_name="+", verbose_name=_("branches concerned"))

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary}"


class WorkTask(models.Model):
    """A user task waiting for (or done by) one of its candidates: a role, in a branch or company-wide."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    spiff_id = models.CharField(max_length=36)
    step = models.CharField(_("step"), max_length=64)
    name = models.CharField(_("task"), max_length=200)
    lane = models.CharField(_("lane"), max_length=200, blank=True)
    candidate_role = models.CharField(_("candidate role"), max_length=20, db_index=True)
    candidate_branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("candidate branch"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("assignee"))
    escalated = models.BooleanField(_("escalated"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "candidate_role", "candidate_branch"])]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.name} (#{self.instance_id})"

    @property
    def candidate_role_label(self) -> str:
        return role_label(self.candidate_role)


class ProcessStep(models.Model):
    """One line of an instance's history: who did what, when, with which comment."""

    class Action(models.TextChoices):
        APPLIED = "applied", _("Applied")
        TASK_CREATED = "task_created", _("Waiting for approval")
        ESCALATED = "escalated", _("Escalated")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        HANDLER = "handler", _("Carried out")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    step = models.CharField(_("step"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]


class Notification(models.Model):
    """A message to a user about an instance (approved, rejected); shown in the inbox until read."""

    class Kind(models.TextChoices):
        COMPLETED = "completed", _("Your application was approved and is in effect")
        REJECTED = "rejected", _("Your application was rejected")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
