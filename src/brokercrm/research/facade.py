"""What other apps may use of the research library (search, distribution counts); plain values and dataclasses only."""
