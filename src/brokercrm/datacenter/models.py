"""The data center's app-side records: job runs, quarantined rows, schedules, source configs, imported exchange closures."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One run of one step of the job graph (调度记录): status, timing, row counts per table, log."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUSED = "refused", _("Refused (bad input)")
        CALENDAR = "calendar", _("Refused (closures of the year not imported)")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (its process stopped)")

    job = models.CharField(_("job"), max_length=40, db_index=True)
    business_date = models.DateField(_("business date"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    trigger = models.CharField(_("trigger"), max_length=20, default="cli")
    parameters = models.JSONField(default=dict, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Renewed while the run works (at each progress update); older than the lease with no load running = expired.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    rows_read = models.JSONField(default=dict, blank=True)
    rows_written = models.JSONField(default=dict, blank=True)
    rows_rejected = models.JSONField(default=dict, blank=True)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.job} {self.business_date or ''} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class QuarantinedRow(models.Model):
    """A bad input row kept with its file, line and reason, shown in the console (隔离区)."""

    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="quarantined")
    business_date = models.DateField(_("business date"), null=True, blank=True, db_index=True)
    file = models.CharField(_("file"), max_length=200)
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=64, blank=True)
    message = models.TextField(_("message"))

    class Meta:
        ordering = ["business_date", "file", "line", "id"]

    def __str__(self) -> str:
        return f"{self.file}:{self.line or ''}:{self.column}: {self.message}"


class JobSchedule(models.Model):
    """A cron-like schedule of a job (e.g. load each trading day's delivery at 18:30)."""

    job = models.CharField(_("job"), max_length=40)
    cron = models.CharField(_("cron expression"), max_length=100, help_text=_("minute hour day month weekday, e.g. 30 18 * * 1-5"))
    parameters = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    last_fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.cron}"


class SourceConfiguration(models.Model):
    """Collection configuration (采集表配置): how a source layout maps onto the ODS, as YAML."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    yaml_text = models.TextField(_("configuration (YAML)"))
    active = models.BooleanField(_("active"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarYear(models.Model):
    """A year beyond the calendar package whose exchange closures (休市安排) were imported: only then is it known."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source_file = models.CharField(_("source file"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class MarketClosure(models.Model):
    """A weekday on which the exchanges are closed (休市日), in an imported year."""

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("market closure")
        verbose_name_plural = _("market closures")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.reason}"
