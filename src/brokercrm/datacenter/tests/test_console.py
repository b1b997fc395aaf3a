import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from brokercrm.core.errors import DomainError
from brokercrm.datacenter import services
from brokercrm.datacenter.models import JobRun, JobSchedule

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who,status", [("admin", 200), ("head_office", 200), ("branch_manager", 403), ("broker", 403), ("compliance", 403)])
def test_console_is_for_admin_and_head_office(org_world, who, status):
    """The scheduling console is company-wide: admins run jobs, head office watches."""
    assert _client(org_world["users"][who]).get("/datacenter/").status_code == status


def test_cancelling_a_queued_run_marks_it_cancelled(org_world):
    """A queued run is cancelled at once and cannot be cancelled twice."""
    run = JobRun.objects.create(job="etl", status=JobRun.Status.QUEUED, parameters={})

    services.job_run_cancel(actor=org_world["users"]["admin"], run=run)

    run.refresh_from_db()
    assert (run.status, run.cancel_requested) == ("cancelled", True)
    with pytest.raises(DomainError, match="only queued or running"):
        services.job_run_cancel(actor=None, run=run)


def test_schedule_refuses_a_bad_cron_expression_naming_the_field(org_world, tmp_path):
    """A schedule's cron expression is validated before it is stored."""
    with pytest.raises(DomainError) as exc:
        services.schedule_save(actor=None, job="etl", cron="every day at six", parameters={"source": str(tmp_path)})
    assert exc.value.field == "cron"
    assert not JobSchedule.objects.exists()


def test_due_schedule_queues_an_etl_run_once(org_world, tmp_path, django_capture_on_commit_callbacks):
    """A schedule fires when its cron time has passed since it last fired, and not again in the same minute."""
    schedule = services.schedule_save(actor=None, job="etl", cron="30 18 * * *", parameters={"source": str(tmp_path)})
    schedule.last_fired_at = timezone.make_aware(dt.datetime(2026, 3, 2, 18, 0))
    schedule.save()
    now = timezone.make_aware(dt.datetime(2026, 3, 2, 18, 31))

    with django_capture_on_commit_callbacks(execute=False):
        fired = services.schedules_fire_due(now=now)
        again = services.schedules_fire_due(now=now)

    assert [(r.job, r.trigger, r.parameters["source"]) for r in fired] == [("etl", "schedule", str(tmp_path))]
    assert again == []


def test_etl_request_for_a_missing_directory_is_refused(org_world):
    """Queueing a load from a directory that does not exist names the field and queues nothing."""
    with pytest.raises(DomainError) as exc:
        services.etl_enqueue(actor=None, source="/no/such/dir")
    assert exc.value.field == "source"
    assert not JobRun.objects.exists()


def test_source_configuration_with_bad_yaml_is_refused(org_world):
    """A collection configuration is validated before it is stored; the page lists the problems."""
    response = _client(org_world["users"]["admin"]).post("/datacenter/sources/", {"name": "vendor", "yaml_text": "tables: [", "active": "on"})
    assert response.status_code == 200
    assert 'data-testid="config-problems"' in response.content.decode()


def test_a_scheduled_load_is_not_queued_on_a_closed_weekday_but_is_when_the_year_is_unknown(tmp_path, django_capture_on_commit_callbacks):
    """Friday 2027-01-01 is closed once 2027 is imported: nothing queued; before the import the load is queued
    (and its refusal tells the console the closures are missing)."""
    fired_at = timezone.make_aware(dt.datetime(2027, 1, 1, 18, 0))
    JobSchedule.objects.create(job="etl", cron="30 18 * * 1-5", parameters={"source": str(tmp_path)}, last_fired_at=fired_at)
    at = timezone.make_aware(dt.datetime(2027, 1, 1, 18, 31))
    with django_capture_on_commit_callbacks(execute=False):
        assert [r.job for r in services.schedules_fire_due(now=at)] == ["etl"]
        JobSchedule.objects.update(last_fired_at=fired_at)
        services.closures_import(actor=None, data="date,reason\n2027-01-01,元旦\n".encode(), file_name="2027.csv")
        assert services.schedules_fire_due(now=at) == []
    assert JobSchedule.objects.get().last_fired_at == at
