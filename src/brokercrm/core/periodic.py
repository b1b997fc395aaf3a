"""The port through which apps above the data center put work on the scheduler's pass.

`brokercrm scheduler` (datacenter) fires the console's cron schedules every `--interval` seconds; apps above it (reports'
subscriptions) register here at start-up a function the pass calls, so the scheduler never imports them. A function
only queues work for `brokercrm db_worker` and says what it queued; it must be safe to call on every pass.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

logger = logging.getLogger(__name__)

_PERIODIC: dict[str, Callable[[dt.datetime], str]] = {}


def periodic_register(name: str, function: Callable[[dt.datetime], str]) -> None:
    """Call `function(now)` on every scheduler pass (registering a name again replaces it)."""
    _PERIODIC[name] = function


def periodic_run(now: dt.datetime) -> list[str]:
    """Run every registered function once; one that fails is logged and the others still run (the next pass retries)."""
    notes = []
    for name, function in sorted(_PERIODIC.items()):
        try:
            note = function(now)
        except Exception:  # one app's failure must not stop the schedules of the others
            logger.exception("periodic %s failed; the next scheduler pass tries again", name)
            continue
        if note:
            notes.append(f"{name}: {note}")
    return notes
