"""The names used in the shipped BPMN file, marked so that makemessages extracts them; pages translate them when shown."""
from django.utils.translation import gettext_noop

BPMN_TEXTS = [
    gettext_noop("Approve a branch's payroll"),
    gettext_noop("Branch manager of the branch"),
    gettext_noop("Payroll submitted"),
    gettext_noop("Branch manager approves the payroll"),
    gettext_noop("Branch payroll approved"),
    gettext_noop("Head office notified"),
    gettext_noop("Payroll sent back to draft"),
    gettext_noop("Head office notified of the rejection"),
    gettext_noop("Sent back"),
]
