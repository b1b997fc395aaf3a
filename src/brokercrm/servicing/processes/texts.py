"""The names used in the shipped BPMN file, marked so that makemessages extracts them; pages translate them when shown."""
from django.utils.translation import gettext_noop

BPMN_TEXTS = [
    gettext_noop("Approve advice before sending"),
    gettext_noop("Compliance"),
    gettext_noop("Advice submitted"),
    gettext_noop("Compliance reviews the advice"),
    gettext_noop("Advice approved for sending"),
    gettext_noop("Advice rejected"),
    gettext_noop("Approved"),
    gettext_noop("Rejected"),
]
