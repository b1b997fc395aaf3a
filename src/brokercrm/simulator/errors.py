"""Errors the simulator's caller can cause, each with a message fit to show."""


class SimulationError(ValueError):
    """The requested simulation cannot run (bad arguments, calendar coverage, existing delivery)."""
