"""The names used in the shipped BPMN files, marked so that makemessages extracts them; pages translate them when shown."""
from django.utils.translation import gettext_noop

BPMN_TEXTS = [
    gettext_noop("Add a broker relation"),
    gettext_noop("Transfer a broker relation"),
    gettext_noop("Terminate a broker relation"),
    gettext_noop("Bulk transfer of a leaving staff member's customers"),
    gettext_noop("Branch manager of the staff member"),
    gettext_noop("Branch manager of the current staff member"),
    gettext_noop("Branch manager of the receiving staff member"),
    gettext_noop("Branch manager of the leaving staff member"),
    gettext_noop("Head office"),
    gettext_noop("Branch manager approves"),
    gettext_noop("Current branch manager approves"),
    gettext_noop("Receiving branch manager approves"),
    gettext_noop("Head office approves"),
    gettext_noop("Branch manager approves the bulk transfer"),
    gettext_noop("Head office approves the bulk transfer"),
    gettext_noop("Relation takes effect"),
    gettext_noop("Relation moves to the receiving staff member"),
    gettext_noop("Relation ends"),
    gettext_noop("Customers move to the receiving staff member"),
    gettext_noop("Applicant notified"),
    gettext_noop("Applicant notified of the rejection"),
]
