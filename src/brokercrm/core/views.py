from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.models import AuditEntry


def audit_log_page(request):
    """The audit log (审计日志) for compliance and admins, filterable by actor, object and action."""
    if not getattr(request.user, "can_read_audit", False):
        raise PermissionDenied
    entries = AuditEntry.objects.all()
    filters = {k: request.GET.get(k, "").strip() for k in ("actor", "object_type", "object_id", "action")}
    if filters["actor"]:
        entries = entries.filter(actor_label__icontains=filters["actor"])
    if filters["object_type"]:
        entries = entries.filter(object_type=filters["object_type"])
    if filters["object_id"]:
        entries = entries.filter(object_id=filters["object_id"])
    if filters["action"]:
        entries = entries.filter(action=filters["action"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    object_types = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    return render(request, "core/audit_log.html", {"page": page, "filters": filters, "object_types": sorted(set(object_types)),
                                                    "actions": AuditEntry.Action.choices})


def health(request):
    return HttpResponse("ok", content_type="text/plain")


def run_or_flash(request, action):
    """Run a service for a page that redirects after it: a refusal becomes one error message per problem (file, line,
    column) and None is returned; otherwise the service's result."""
    try:
        return action()
    except InputRejected as exc:
        for problem in exc.problems:
            messages.error(request, str(problem))
    except DomainError as exc:
        messages.error(request, exc.message)
    return None
