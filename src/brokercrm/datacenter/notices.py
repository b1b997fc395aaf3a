"""The calendar warning as people read it: on the home page of those who import closures, the console and the calendar page."""
from django.urls import reverse
from django.utils.translation import gettext as _

from brokercrm.core.notices import Notice
from brokercrm.datacenter import calendar
from brokercrm.org.facade import CALENDAR_EDITORS


def calendar_warning_text(warning: calendar.CalendarWarning) -> str:
    params = {"year": warning.missing_year, "day": warning.last_known_day.isoformat(), "days": warning.days_left}
    if warning.days_left >= 0:
        return _("The exchange closures of %(year)s are not imported: the trading calendar ends on %(day)s "
                 "(in %(days)s days), after which every load is refused. Import them on the Trading calendar page "
                 "or with `brokercrm calendar import FILE.csv`.") % params
    return _("The exchange closures of %(year)s are not imported: the trading calendar ended on %(day)s and every "
             "later load is refused. Import them on the Trading calendar page or with "
             "`brokercrm calendar import FILE.csv`.") % params


def home_notices(user) -> list[Notice]:
    """Admin and head office are told on their home page; others cannot act on it."""
    if getattr(user, "role", "") not in CALENDAR_EDITORS:
        return []
    warning = calendar.calendar_warning()
    return [Notice(calendar_warning_text(warning), reverse("datacenter:calendar"))] if warning else []
