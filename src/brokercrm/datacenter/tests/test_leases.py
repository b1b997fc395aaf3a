"""Stale running jobs expire after the lease and their load is queued again once; a live load's lock protects its steps."""
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from brokercrm.datacenter import services
from brokercrm.datacenter.loadlock import LoadRunning, load_lock, load_lock_holder
from brokercrm.datacenter.models import JobRun, JobSchedule
from brokercrm.datacenter.resume import pending_publish

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 19, 0))


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.BROKERCRM_JOB_LEASE_SECONDS = 600
    (tmp_path / "delivery").mkdir()
    return tmp_path


def _running(job: str, *, beat_minutes_ago: int, parameters: dict) -> JobRun:
    beat = NOW - dt.timedelta(minutes=beat_minutes_ago)
    return JobRun.objects.create(job=job, status=JobRun.Status.RUNNING, parameters=parameters, started_at=beat, heartbeat_at=beat)


def test_runs_silent_beyond_the_lease_expire_with_a_note_and_their_load_is_queued_once(data_dir, django_capture_on_commit_callbacks):
    """Given two steps of one killed load silent for 11 minutes (lease 10) and one beating a minute ago,
    when the scheduler's pass runs twice, then the two expire with the note and one rerun of their source is queued."""
    source = str(data_dir / "delivery")
    dw = _running("build_dw", beat_minutes_ago=11, parameters={"source": source})
    etl = _running("etl", beat_minutes_ago=12, parameters={"source": source, "dates": []})
    alive = _running("etl", beat_minutes_ago=1, parameters={"source": source})

    with django_capture_on_commit_callbacks(execute=False):
        queued = services.job_runs_expire_and_retry(now=NOW)
        again = services.job_runs_expire_and_retry(now=NOW)

    assert [(r.job, r.trigger, r.status, r.parameters["source"]) for r in queued] == [("etl", "retry", "queued", source)]
    assert again == []
    for run in (dw, etl):
        run.refresh_from_db()
        assert run.status == "expired"
        assert run.finished_at == NOW
        assert run.error.startswith("expired: no heartbeat since ")
        assert run.error.endswith(f"(lease 600 s); the process running it stopped (killed or crashed). A rerun of the load "
                                  f"completes the steps it left undone. Rerun queued: run {queued[0].pk}.")
    alive.refresh_from_db()
    assert alive.status == "running"


def test_nothing_expires_while_a_load_holds_the_lock(data_dir):
    """Given a step silent for an hour, when a live load holds the lock, then it is left running (one long step)."""
    step = _running("build_marts", beat_minutes_ago=60, parameters={"source": str(data_dir / "delivery")})

    with load_lock():
        queued = services.job_runs_expire_and_retry(now=NOW)

    step.refresh_from_db()
    assert (queued, step.status) == ([], "running")


def test_a_second_lock_taker_is_told_who_holds_it_and_the_lock_frees_after(data_dir):
    """Given the lock held, when another taker asks, then LoadRunning names the holder's pid and start; after, it is free."""
    with load_lock() as me:
        with pytest.raises(LoadRunning) as exc:
            with load_lock():
                pass
        assert load_lock_holder() == me
    since = timezone.localtime(me.since).strftime("%Y-%m-%d %H:%M:%S")
    assert exc.value.message == f"another load is running since {since} (pid {me.pid})"
    assert load_lock_holder() is None


def test_a_due_load_schedule_waits_while_a_load_runs(data_dir, django_capture_on_commit_callbacks):
    """Given a due etl schedule, when a load holds the lock, then nothing is queued and it fires at the pass after."""
    schedule = services.schedule_save(actor=None, job="etl", cron="30 18 * * *", parameters={"source": str(data_dir / "delivery")})
    JobSchedule.objects.filter(pk=schedule.pk).update(last_fired_at=timezone.make_aware(dt.datetime(2026, 3, 2, 18, 0)))
    now = timezone.make_aware(dt.datetime(2026, 3, 2, 18, 31))

    with django_capture_on_commit_callbacks(execute=False):
        with load_lock():
            during = services.schedules_fire_due(now=now)
        after = services.schedules_fire_due(now=now)

    assert during == []
    assert [(r.job, r.trigger) for r in after] == [("etl", "schedule")]


def test_console_shows_the_lock_holder_the_undone_steps_and_expired_runs_with_their_note(data_dir, org_world):
    """Given undone steps left by a killed load and an expired run, the console lists them; while a load runs, its holder."""
    pending_publish({dt.date(2026, 3, 3): ["publish", "alerts"], dt.date(2026, 3, 2): ["alerts"]})
    JobRun.objects.create(job="publish", status=JobRun.Status.EXPIRED, error="expired: no heartbeat since 2026-03-02 18:40:00")
    client = Client()
    client.force_login(org_world["users"]["head_office"])

    idle = client.get("/datacenter/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with load_lock() as me:
        busy = client.get("/datacenter/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<li>2026-03-02: alerts</li><li>2026-03-03: publish, alerts</li>" in idle
    assert 'data-testid="expired-note">expired: no heartbeat since 2026-03-02 18:40:00</div>' in idle
    assert 'data-testid="load-running"' not in idle
    since = timezone.localtime(me.since).strftime("%Y-%m-%d %H:%M:%S")
    assert f"A load is running since {since} (pid {me.pid})." in busy
    assert 'data-testid="pending-steps"' not in busy
