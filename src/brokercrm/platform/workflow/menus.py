"""Menu entries of the workflow app; the inbox entry carries a badge with the user's open tasks."""
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.platform.access import access


class InboxLabel:
    """The inbox label with a badge that htmx fills per user (core.navigation labels are shared by every user)."""

    def __str__(self) -> str:
        # Templates str() a value before escaping it, so the label itself is the safe HTML with the badge placeholder.
        return format_html('{} <span hx-get="{}" hx-trigger="load" hx-swap="outerHTML"></span>', gettext("Approval inbox"),
                           reverse("workflow:inbox_badge"))

    def __html__(self) -> str:
        return str(self)


def register() -> None:
    navigation.register(InboxLabel(), "workflow:inbox", roles=access().workflow_users, order=40)
    navigation.register(_("Applications"), "workflow:instances", roles=access().workflow_users, order=41)
    navigation.register(_("Process definitions"), "workflow:definitions", roles=access().admins, order=88)
