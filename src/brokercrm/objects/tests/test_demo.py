"""The demo's business objects: complaints in flight, overdue ones escalated to the branch manager, a running campaign."""
import datetime as dt

import pytest

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.objects.facade import objects_demo_setup
from brokercrm.objects.models import ObjectRecord, ObjectType
from brokercrm.platform.workflow.selectors import inbox_tasks

pytestmark = pytest.mark.django_db


def test_demo_records_complaints_escalates_the_overdue_and_runs_a_campaign(world):
    """With the demo's logins, the admin adds 答复期限 to 投诉 and lays out its pages for branch managers and brokers; three
    complaints are recorded with a reply deadline 10 days after receipt (the oldest assigned), the two past due are
    escalated into branchmgr's inbox, a campaign runs with participants; a second run adds nothing."""
    b1 = world["branches"][0]
    for n in range(6):
        relate(CustomerFactory(customer_no=f"30{n}", branch=b1), world["staff"]["broker"])
    manager, head_office = world["users"]["branch_manager"], world["users"]["head_office"]
    for user, username in ((manager, "branchmgr"), (head_office, "headoffice")):  # the demo's logins
        user.username = username
        user.save()
    done = objects_demo_setup(today=dt.date(2026, 6, 30))
    complaints = ObjectRecord.objects.filter(object_type__code="complaint").order_by("number")
    assert [(r.state, r.escalated) for r in complaints] == [("assigned", True), ("registered", True), ("registered", False)]
    assert sorted((t.step, t.escalated) for t in inbox_tasks(user=manager)) == [("assign", False), ("assign", True), ("handle", True)]
    assert done[:2] == ["complaint v2: field 答复期限 (reply_deadline) added",
                        "complaint v4: layouts of branch managers and brokers"]
    assert [r.values["reply_deadline"] for r in complaints] == ["2026-06-20", "2026-06-28", "2026-07-09"]
    layout = ObjectType.objects.get(code="complaint").definition
    assert [e["section"] for e in layout["layout"]["detail"]["branch_manager"]] == ["other", "s1", "s2"]
    assert layout["list"]["by_role"] == {"branch_manager": ["customer", "severity", "reply_deadline", "received_on"]}
    campaign = ObjectRecord.objects.get(object_type__code="campaign")
    assert (campaign.state, len(campaign.values["participants"])) == ("running", 4)
    assert done[-1] == "campaign HD00001 running with 4 participants"
    assert objects_demo_setup(today=dt.date(2026, 6, 30)) == []
