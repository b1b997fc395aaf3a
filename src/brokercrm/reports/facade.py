"""What other apps (the site) may use of reports and dashboards; plain values and dataclasses only."""
