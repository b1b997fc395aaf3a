"""Separation of duties: compliance (read-only) writes nothing through the pages, whatever the URL.

Every page URL of config.urls whose view takes a POST (a `require_POST`/`require_http_methods` list with POST, or a view
reading `request.POST`) is posted to as compliance, with the ids of real records filled in; each answers 403, 404 or 405
and no row of any table changes. Only the pages about one's own login (account, language, logout) are left out.
"""
import datetime as dt
import inspect

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver

from brokercrm.customers.models import SavedFilter
from brokercrm.customers.tests.factories import CustomerFactory, ProspectFactory, relate
from brokercrm.objects import services as object_services
from brokercrm.objects.models import ObjectType
from brokercrm.platform.services import custom_field_create
from brokercrm.platform.workflow.models import ProcessInstance, WorkTask
from brokercrm.relations import applications
from brokercrm.relations.models import Relation
from brokercrm.servicing.models import ServiceTask
from brokercrm.servicing.tests.factories import ServiceTaskFactory

pytestmark = pytest.mark.django_db
# A user's own things, which a read-only role may change: account, language, notifications, saved/pinned reports.
OWN_ACCOUNT = ("accounts/", "i18n/", "workflow/notifications/read/", "reports/save/", "reports/pin/", "reports/unpin/")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p.callback


def _methods(view) -> tuple[str, ...] | None:
    """The methods a require_http_methods wrapper allows (None: no restriction)."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, (list, tuple)) and value and all(isinstance(m, str) and m.isupper() for m in value):
                return tuple(value)
        view = getattr(view, "__wrapped__", None)
    return None


def _takes_post(view) -> bool:
    methods = _methods(view)
    if methods is not None:
        return "POST" in methods
    return "request.POST" in inspect.getsource(inspect.unwrap(view))


POST_PAGES = sorted(route for route, view in _walk(get_resolver().url_patterns)
                    if not route.startswith(("api/", *OWN_ACCOUNT)) and _takes_post(view))


@pytest.fixture
def ids(org_world):
    """A customer held by broker S0003 with a saved group, a prospect, a custom field, a relation, a service task and a
    pending relation application (its workflow instance and task)."""
    users, staff, b1 = org_world["users"], org_world["staff"], org_world["branches"][0]
    customer = CustomerFactory(customer_no="10000001", branch=b1)
    relate(customer, staff["broker"])
    field = custom_field_create(actor=users["admin"], entity="customer", key="hobby", label="爱好", field_type="text")
    applications.relation_add_apply(actor=users["broker"], customer=CustomerFactory(customer_no="10000002", branch=b1),
                                    staff=staff["broker"], relation_type="development", start_date=dt.date(2024, 5, 6))
    task = ServiceTaskFactory(customer=customer, staff=staff["broker"], kind=ServiceTask.Kind.ALERT)
    group = SavedFilter.objects.create(owner=users["compliance"], name="我的组", query="q=1000")
    complaint = object_services.record_create(actor=users["broker"], object_type=ObjectType.objects.get(code="complaint"), raw={
        "customer": "10000001", "channel": "phone", "summary": "投诉", "received_on": "2026-06-01"})
    return {"customer_no": "10000001", "field": "mobile", "pk": None, "staff_no": "S0003", "code": "none", "name": "none",
            "period": "2026-02", "action": "approve", "file_format": "csv", "indicator": "none",
            "prospect": ProspectFactory(branch=b1, staff=staff["broker"]).pk, "custom_field": field.pk,
            "relation": Relation.objects.get(customer=customer).pk, "task_id": task.pk, "alert_id": task.pk,
            "instance": ProcessInstance.objects.get(key="relation_add").pk,
            "work_task": WorkTask.objects.filter(status="open", instance__key="relation_add").get().pk, "group": group.pk,
            "type_code": "complaint", "number": complaint.number}


def _path(route: str, ids: dict) -> str:
    """The route with every <converter:name> replaced by a real id (by which record the route is about) or a placeholder."""
    by_route = [("prospects/<int:pk>", "prospect"), ("custom-fields/<int:pk>", "custom_field"), ("relations/<int:pk>", "relation"),
                ("instances/<int:pk>", "instance"), ("tasks/<int:pk>", "work_task"), ("groups/<int:pk>", "group")]
    path = route
    for prefix, key in by_route:
        path = path.replace(prefix, prefix.replace("<int:pk>", str(ids[key])))
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        converter, name = path[start + 1:end].split(":")
        value = ids.get(name) if ids.get(name) is not None else (999999 if converter == "int" else "none")
        path = path[:start] + str(value) + path[end + 1:]
    return "/" + path


def _rows() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed and not m._meta.proxy}


def test_the_walk_finds_the_write_pages():
    """The walk finds the pages that take a POST, form pages and POST-only actions alike (so the test below covers them)."""
    assert {"customers/prospects/new/", "customers/prospects/<int:pk>/edit/", "org/staff/new/", "relations/apply/",
            "compensation/runs/calculate/", "compensation/structures/<str:code>/rules/<int:rule_id>/",
            "service/tasks/<int:task_id>/", "workflow/tasks/<int:pk>/decide/"} <= set(POST_PAGES)
    assert len(POST_PAGES) >= 55


@pytest.mark.parametrize("route", POST_PAGES)
def test_compliance_posts_to_a_write_page_and_nothing_changes(client, org_world, ids, route):
    """Given compliance logged in, when it posts (an empty form) to a page that writes, then it answers 403, 404 or 405
    and no row of any table changed."""
    client.force_login(org_world["users"]["compliance"])
    before = _rows()

    response = client.post(_path(route, ids), {})

    assert (response.status_code in (403, 404, 405), _rows()) == (True, before)
