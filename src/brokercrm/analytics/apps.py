from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _segments_step(dates):
    """Imported on first run: scikit-learn stays out of every command's start-up."""
    from brokercrm.analytics.jobs import segments_step

    return segments_step(dates)


class AnalyticsConfig(AppConfig):
    name = "brokercrm.analytics"
    label = "analytics"
    verbose_name = _("Customer analysis")

    def ready(self) -> None:
        from brokercrm.analytics import hooks, menus  # noqa: F401  (menus registers the menu entries)
        from brokercrm.datacenter.facade import register_downstream

        register_downstream("segments", _segments_step)
        from brokercrm.analytics.exports import SEGMENTS_SUBCOMMAND
        from brokercrm.datacenter.facade import register_export

        register_export("segments", *SEGMENTS_SUBCOMMAND)
        hooks.register()
