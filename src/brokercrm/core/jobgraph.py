"""The load graph's shared types and the port through which any app asks for a refresh.

The graph itself is defined once at the top layer (settings.BROKERCRM_JOB_GRAPH) because its steps
come from every app; the data center runs it. Apps below the data center (org, relations) request a
refresh here, so they never import the data center.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string


@dataclass
class Load:
    """What one run of the graph works on; steps read it, ingest fills `dates`."""

    con: Any  # the warehouse, open for writing in this (the writer) process
    trigger: str = "cli"
    dates: list[dt.date] = field(default_factory=list)  # the business dates the steps work on: loaded now or resumed
    resumed: list[dt.date] = field(default_factory=list)  # loaded by an interrupted run, whose undone steps this run does
    request: dict = field(default_factory=dict)  # what ingest was asked to load: source, dates, from, to
    progress: Callable[[int, int, str], None] | None = None
    should_stop: Callable[[], bool] | None = None
    total: int = 0  # steps (and days) this run will report
    done: int = 0
    cancelled: bool = False  # should_stop said so before every requested day was loaded
    nothing_changed: bool = False  # a step found nothing new on a run without days: the rest of the graph is skipped

    def advance(self, label: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, label)

    def note(self, label: str) -> None:
        """Say what the running step is at (a day, rows so far) without counting a step done."""
        if self.progress:
            self.progress(self.done, self.total, label)


@dataclass(frozen=True)
class Step:
    """One step of the load graph: `run(load)` returns the rows it wrote; `needs` names the steps it runs after."""

    name: str
    run: Callable[[Load], dict | None]
    needs: tuple[str, ...] = ()
    recorded: bool = True  # False: the step records its own runs (ingest: one per business date)
    when_idle: bool = False  # also run when no day is loaded; the graph goes on from it only if it changed something


def graph_check(graph: tuple[Step, ...]) -> tuple[Step, ...]:
    """The graph as given, when every step's needs come before it and names are unique; ImproperlyConfigured otherwise."""
    seen: set[str] = set()
    for step in graph:
        missing = [n for n in step.needs if n not in seen]
        if step.name in seen or missing:
            raise ImproperlyConfigured(f"job graph: step {step.name} is repeated or runs before {', '.join(missing)}")
        seen.add(step.name)
    return graph


def load_graph() -> tuple[Step, ...]:
    """The load graph the settings name (BROKERCRM_JOB_GRAPH), checked."""
    return graph_check(tuple(import_string(settings.BROKERCRM_JOB_GRAPH)))


def downstream(graph: tuple[Step, ...], start: str) -> tuple[Step, ...]:
    """`start` and every step that needs it, directly or not, in graph order."""
    chosen = {start}
    for step in graph:
        if chosen & set(step.needs):
            chosen.add(step.name)
    return tuple(s for s in graph if s.name in chosen)


def refresh_request(*, trigger: str, wait: bool) -> None:
    """Bring the warehouse and every later step up to date with the app database (staff or relations changed).

    Call it after the change's own transaction. wait=True runs the refresh here, before returning (a CLI command
    returns when the work it triggers is done); otherwise it is enqueued for the worker once the surrounding
    transaction commits (a web request does not wait for the marts).
    """
    task = import_string(settings.BROKERCRM_REFRESH_TASK)
    if wait:
        task.call(trigger=trigger)
    else:
        transaction.on_commit(lambda: task.enqueue(trigger=trigger))
