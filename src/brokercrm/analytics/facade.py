"""What other apps may use of customer analysis."""
import datetime as dt


def segments_step(dates: list[dt.date]) -> dict:
    """The segments step of the load graph: memberships from the earliest month the loaded dates touch."""
    from brokercrm.analytics.jobs import segments_build  # scikit-learn (heavy) loads only when segments are built

    return segments_build(dates=dates)
