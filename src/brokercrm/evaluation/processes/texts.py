"""The names used in the shipped BPMN files, marked so that makemessages extracts them; pages translate them when shown."""
from django.utils.translation import gettext_noop

BPMN_TEXTS = [
    gettext_noop("Approve a level change"),
    gettext_noop("Branch manager of the staff member"),
    gettext_noop("Level change proposed"),
    gettext_noop("Branch manager approves the level change"),
    gettext_noop("Level change approved"),
    gettext_noop("In effect next month"),
    gettext_noop("Level change rejected"),
    gettext_noop("Decide a score appeal"),
    gettext_noop("Adjusted"),
    gettext_noop("Rejected"),
    gettext_noop("Appeal filed"),
    gettext_noop("Branch manager decides the appeal"),
    gettext_noop("Score adjusted"),
    gettext_noop("Appeal rejected"),
    gettext_noop("Approve a target split"),
    gettext_noop("Head office"),
    gettext_noop("Branch manager of the branch"),
    gettext_noop("Target split"),
    gettext_noop("Which level approves?"),
    gettext_noop("Head office approves the split"),
    gettext_noop("Branch manager approves the split"),
    gettext_noop("Targets in force"),
    gettext_noop("In force"),
    gettext_noop("Split rejected"),
]
