"""The load lock: one writer of the warehouse at a time, across processes (CLI, worker, scheduler).

A lock file beside the warehouse (`load.lock`) is held with `fcntl.flock` while a load or a refresh
runs and names its holder (pid, start time). The operating system releases the lock when the holder
dies, so a killed load never blocks the next one; the file's text may outlive it and means nothing then.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from django.conf import settings
from django.utils import timezone

from brokercrm.core.errors import DomainError


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    since: dt.datetime | None

    def __str__(self) -> str:
        since = timezone.localtime(self.since).strftime("%Y-%m-%d %H:%M:%S") if self.since else "an unknown time"
        return f"since {since} (pid {self.pid if self.pid is not None else 'unknown'})"


class LoadRunning(DomainError):
    """Another process holds the load lock; nothing was touched."""

    def __init__(self, holder: LockHolder):
        super().__init__(f"another load is running {holder}")
        self.holder = holder


def lock_path() -> Path:
    return Path(settings.WAREHOUSE_PATH).parent / "load.lock"


def _holder(fh) -> LockHolder:
    fh.seek(0)
    pid, _, since = fh.read().strip().partition(" ")
    try:
        return LockHolder(int(pid), dt.datetime.fromisoformat(since))
    except ValueError:  # taken a moment ago, its holder not written yet
        return LockHolder(None, None)


@contextmanager
def load_lock(*, wait: bool = False, on_wait: Callable[[LockHolder], None] | None = None) -> Iterator[LockHolder]:
    """Hold the load lock for the block; LoadRunning when another process holds it, or wait=True: tell on_wait, then wait."""
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fh)
            if not wait:
                raise LoadRunning(holder) from None
            if on_wait:
                on_wait(holder)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            me = LockHolder(os.getpid(), timezone.now())
            fh.seek(0)
            fh.truncate()
            fh.write(f"{me.pid} {me.since.isoformat()}\n")
            fh.flush()
            yield me
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def load_lock_holder() -> LockHolder | None:
    """Who holds the load lock now (None: no load is running)."""
    path = lock_path()
    if not path.exists():
        return None
    with open(path, "r", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(fh)
        fcntl.flock(fh, fcntl.LOCK_UN)
        return None
