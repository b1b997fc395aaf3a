"""Each path of the shipped relation processes, driven through the apply services and the engine's task decisions."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.org.roles import Role
from brokercrm.org.tests.factories import StaffFactory, category, user_for
from brokercrm.platform.workflow import selectors as wf_selectors
from brokercrm.platform.workflow import services as wf
from brokercrm.platform.workflow.models import Notification, ProcessInstance, WorkTask
from brokercrm.relations import applications
from brokercrm.relations.models import Relation

pytestmark = pytest.mark.django_db
D = dt.date


def _relations(customer) -> list[tuple]:
    return list(Relation.objects.filter(customer=customer).order_by("relation_type", "start_date")
                .values_list("relation_type", "staff__staff_no", "start_date", "end_date", "origin"))


def _decide(user, approved: bool = True, comment: str = "") -> ProcessInstance:
    task = wf_selectors.inbox_tasks(user=user).get()
    return wf.task_decide(actor=user, task=task, approved=approved, comment=comment)


def _history(instance) -> list[tuple]:
    return [(s.actor_label, s.action, s.step, s.comment) for s in instance.steps.all()]


def test_add_relation_approved_by_the_branch_manager_takes_effect_with_history(world):
    """Broker applies → the branch manager's inbox holds one task → approval writes the relation, records each step and notifies."""
    u = world["users"]
    customer = CustomerFactory(customer_no="10000002", name="客户乙", branch=world["branches"][0], open_date=D(2024, 3, 1))

    instance = applications.relation_add_apply(actor=u["broker"], customer=customer, staff=world["staff"]["broker"],
                                               relation_type="development", start_date=D(2024, 5, 6), reason="referred by a friend")
    instance = ProcessInstance.objects.get(pk=instance.id)

    assert instance.status == "running" and _relations(customer) == []
    assert [wf_selectors.inbox_count(user=u[k]) for k in ("branch_manager", "branch_manager_2", "head_office", "broker")] == [1, 0, 0, 0]
    instance = _decide(u["branch_manager"], comment="ok")
    assert instance.status == "completed"
    assert _relations(customer) == [("development", "S0003", D(2024, 5, 6), None, "workflow")]
    assert _history(instance) == [
        ("broker", "applied", "Add a broker relation", "referred by a friend"),
        ("system", "task_created", "Branch manager approves", "Branch manager of the staff member"),
        ("bm", "approved", "Branch manager approves", "ok"),
        ("bm", "handler", "Relation takes effect", ""),
        ("bm", "handler", "Applicant notified", ""),
    ]
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("broker", "completed")]
    assert AuditEntry.objects.filter(object_type="relations.relation", action="create", actor__username="bm").count() == 1
    assert AuditEntry.objects.filter(object_type="workflow.processinstance", action="approve").count() == 1


def test_rejection_needs_a_reason_and_changes_no_relation(world):
    """Rejecting without a reason is refused; with one the application ends rejected, the applicant is told, nothing is written."""
    u = world["users"]
    customer = CustomerFactory(customer_no="10000002", branch=world["branches"][0])
    applications.relation_add_apply(actor=u["broker"], customer=customer, staff=world["staff"]["broker"],
                                    relation_type="development", start_date=D(2024, 5, 6))

    with pytest.raises(DomainError, match="a reason is required to reject"):
        _decide(u["branch_manager"], approved=False, comment="  ")
    instance = _decide(u["branch_manager"], approved=False, comment="the customer was developed by S0004")

    assert instance.status == "rejected" and _relations(customer) == []
    assert _history(instance)[-2:] == [("bm", "rejected", "Branch manager approves", "the customer was developed by S0004"),
                                       ("bm", "handler", "Applicant notified of the rejection", "")]
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("broker", "rejected")]
    assert wf_selectors.inbox_count(user=u["branch_manager"]) == 0


def test_self_approval_is_refused_and_another_candidate_approves(world):
    """A branch manager who applied cannot approve their own application; a second manager of the branch can."""
    u = world["users"]
    deputy = user_for(Role.BRANCH_MANAGER, staff=StaffFactory(staff_no="S0008", category=category("branch_manager"),
                                                              branch=world["branches"][0]), username="deputy")
    customer = CustomerFactory(customer_no="10000002", branch=world["branches"][0])
    instance = applications.relation_add_apply(actor=u["branch_manager"], customer=customer, staff=world["staff"]["broker"],
                                               relation_type="development", start_date=D(2024, 5, 6))
    instance = ProcessInstance.objects.get(pk=instance.id)
    task = instance.tasks.get()
    assert (task.candidate_role, task.candidate_branch.code, task.escalated, task.assignee.username) == ("branch_manager", "0001", False, "deputy")
    assert wf_selectors.inbox_count(user=u["branch_manager"]) == 0

    with pytest.raises(DomainError, match="self-approval is not allowed"):
        wf.task_decide(actor=u["branch_manager"], task=wf_selectors.task_for_action(user=u["branch_manager"], task_id=task.pk), approved=True)
    assert WorkTask.objects.get(pk=task.pk).status == "open"

    assert _decide(deputy).status == "completed"


def test_an_application_concerning_the_only_branch_manager_is_escalated_to_head_office(world):
    """The branch manager applying for a relation of their own goes to head office, since nobody approves for themselves."""
    u = world["users"]
    customer = CustomerFactory(customer_no="10000002", branch=world["branches"][0])
    instance = applications.relation_add_apply(actor=u["branch_manager"], customer=customer, staff=world["staff"]["manager"],
                                               relation_type="development", start_date=D(2024, 5, 6))
    instance = ProcessInstance.objects.get(pk=instance.id)

    task = instance.tasks.get()
    assert (task.candidate_role, task.candidate_branch, task.escalated) == ("head_office", None, True)
    assert _history(instance)[1] == ("system", "escalated", "Branch manager approves",
                                     "no branch_manager other than the people concerned; escalated to head_office")
    assert _decide(u["head_office"]).status == "completed"
    assert _relations(customer) == [("development", "S0001", D(2024, 5, 6), None, "workflow")]


def test_a_second_application_for_the_same_relation_waits_for_the_first(world):
    """While an application for a customer's development relation is pending, another is refused naming the first."""
    u = world["users"]
    customer = CustomerFactory(customer_no="10000002", name="客户乙", branch=world["branches"][0])
    first = applications.relation_add_apply(actor=u["broker"], customer=customer, staff=world["staff"]["broker"],
                                            relation_type="development", start_date=D(2024, 5, 6))
    first = ProcessInstance.objects.get(pk=first.id)

    with pytest.raises(DomainError, match=f"application #{first.pk} .* is still pending"):
        applications.relation_add_apply(actor=u["team_leader"], customer=customer, staff=world["staff"]["colleague"],
                                        relation_type="development", start_date=D(2024, 5, 6))
    wf.process_withdraw(actor=u["broker"], instance=first)
    assert WorkTask.objects.get().status == "cancelled"
    second = applications.relation_add_apply(actor=u["team_leader"], customer=customer, staff=world["staff"]["colleague"],
                                             relation_type="development", start_date=D(2024, 5, 6))
    second = ProcessInstance.objects.get(pk=second.id)
    assert (ProcessInstance.objects.get(pk=first.pk).status, second.status) == ("withdrawn", "running")


def test_applications_are_checked_before_they_reach_an_approver(world):
    """Overlapping development relations, dates before the account opened and other brokers' staff are refused at once."""
    u, s = world["users"], world["staff"]
    customer = world["customer"]
    with pytest.raises(DomainError, match="already has a development relation with S0003"):
        applications.relation_add_apply(actor=u["team_leader"], customer=customer, staff=s["colleague"], relation_type="development",
                                        start_date=D(2024, 6, 3))
    with pytest.raises(DomainError, match=r"before the account opened \(2024-01-02\)"):
        applications.relation_add_apply(actor=u["broker"], customer=customer, staff=s["broker"], relation_type="service",
                                        start_date=D(2023, 12, 29))
    with pytest.raises(DomainError, match="S0004 is outside your scope"):
        applications.relation_add_apply(actor=u["broker"], customer=customer, staff=s["colleague"], relation_type="service",
                                        start_date=D(2024, 6, 3))
    assert ProcessInstance.objects.count() == 0


def test_an_effect_that_became_impossible_is_refused_and_the_task_stays_open(world):
    """If a clashing relation was stored after the application, approval fails with the rule's message and nothing moves."""
    u = world["users"]
    customer = CustomerFactory(customer_no="10000002", branch=world["branches"][0])
    applications.relation_add_apply(actor=u["broker"], customer=customer, staff=world["staff"]["broker"],
                                    relation_type="development", start_date=D(2024, 5, 6))
    relate(customer, world["staff"]["colleague"], start=D(2024, 1, 2))

    with pytest.raises(DomainError, match="already has a development relation with S0004"):
        _decide(u["branch_manager"])

    instance = ProcessInstance.objects.get()
    assert instance.status == "running" and instance.tasks.get().status == "open"
    assert _relations(customer) == [("development", "S0004", D(2024, 1, 2), None, "workflow")]


def test_same_branch_transfer_by_the_broker_needs_the_branch_manager_only(world):
    """Within one branch, the branch manager's approval ends the old relation the day before the receiver's begins."""
    u = world["users"]
    instance = applications.relation_transfer_apply(actor=u["broker"], relation=Relation.objects.get(), to_staff=world["staff"]["colleague"],
                                                    effective_date=D(2024, 6, 3), reason="broker moves to wealth team")
    instance = ProcessInstance.objects.get(pk=instance.id)
    assert [t.step for t in instance.tasks.all()] == ["current_manager_approves"]

    assert _decide(u["branch_manager"]).status == "completed"
    assert _relations(world["customer"]) == [("development", "S0003", D(2024, 1, 2), D(2024, 6, 3), "workflow"),
                                             ("development", "S0004", D(2024, 6, 3), None, "workflow")]


def test_cross_branch_transfer_applied_by_the_branch_manager_needs_two_approvals(world):
    """The current manager's application is their consent; the receiving branch manager, then head office approve."""
    u = world["users"]
    instance = applications.relation_transfer_apply(actor=u["branch_manager"], relation=Relation.objects.get(),
                                                    to_staff=world["staff"]["other"], effective_date=D(2024, 6, 3))
    instance = ProcessInstance.objects.get(pk=instance.id)
    counts = lambda: [wf_selectors.inbox_count(user=u[k]) for k in ("branch_manager", "branch_manager_2", "head_office")]  # noqa: E731
    assert counts() == [0, 1, 0]

    assert _decide(u["branch_manager_2"], comment="accepted").status == "running"
    assert counts() == [0, 0, 1] and _relations(world["customer"])[0][3] is None
    instance = _decide(u["head_office"], comment="approved across branches")

    assert instance.status == "completed"
    assert [(t.step, t.completed_by.username, t.comment) for t in instance.tasks.all()] == [
        ("receiving_manager_approves", "bm2", "accepted"), ("head_office_approves", "ho", "approved across branches")]
    assert _relations(world["customer"]) == [("development", "S0003", D(2024, 1, 2), D(2024, 6, 3), "workflow"),
                                             ("development", "S0005", D(2024, 6, 3), None, "workflow")]
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["bm", "broker", "other"]


def test_cross_branch_transfer_applied_by_the_broker_needs_both_managers_and_head_office(world):
    """A broker's cross-branch transfer goes to the current manager, the receiving manager and head office, in that order."""
    u = world["users"]
    instance = applications.relation_transfer_apply(actor=u["broker"], relation=Relation.objects.get(),
                                                    to_staff=world["staff"]["other"], effective_date=D(2024, 6, 3))
    instance = ProcessInstance.objects.get(pk=instance.id)
    for approver in ("branch_manager", "branch_manager_2", "head_office"):
        instance = _decide(u[approver])
    assert [t.step for t in instance.tasks.all()] == ["current_manager_approves", "receiving_manager_approves", "head_office_approves"]
    assert instance.status == "completed"


def test_cross_branch_transfer_rejected_by_head_office_leaves_the_relation_alone(world):
    """A rejection at the last step ends the process rejected; the current relation stays open."""
    u = world["users"]
    applications.relation_transfer_apply(actor=u["branch_manager"], relation=Relation.objects.get(),
                                         to_staff=world["staff"]["other"], effective_date=D(2024, 6, 3))
    _decide(u["branch_manager_2"])
    instance = _decide(u["head_office"], approved=False, comment="customer asked to stay")

    assert instance.status == "rejected"
    assert _relations(world["customer"]) == [("development", "S0003", D(2024, 1, 2), None, "workflow")]


def test_terminate_ends_the_relation_on_the_approved_date(world):
    """Terminating: after approval the relation's end date is the applied one."""
    u = world["users"]
    applications.relation_terminate_apply(actor=u["broker"], relation=Relation.objects.get(), end_date=D(2024, 9, 2), reason="account dormant")
    assert _decide(u["branch_manager"]).status == "completed"
    assert _relations(world["customer"])[0][2:4] == (D(2024, 1, 2), D(2024, 9, 2))


def test_bulk_transfer_previews_every_customer_and_moves_them_on_one_approval(world):
    """A leaving broker's open relations in force on the date are listed, approved once, and moved with origin bulk_transfer."""
    u, s = world["users"], world["staff"]
    b1 = world["branches"][0]
    c2 = CustomerFactory(customer_no="10000002", name="客户乙", branch=b1)
    c3 = CustomerFactory(customer_no="10000003", name="客户丙", branch=b1)
    relate(c2, s["broker"], start=D(2024, 2, 1))
    relate(c3, s["broker"], relation_type="service", start=D(2024, 3, 1))
    relate(c3, s["colleague"], start=D(2024, 1, 2))
    relate(CustomerFactory(customer_no="10000004", branch=b1), s["broker"], start=D(2024, 1, 2), end=D(2024, 4, 1))

    preview = applications.bulk_transfer_preview(actor=u["head_office"], from_staff=s["broker"], to_staff=s["colleague"],
                                                 effective_date=D(2024, 7, 1), include_service=True)
    assert [(m.customer_no, m.relation_type, m.start_date) for m in preview.moves] == [
        ("10000001", "development", D(2024, 1, 2)), ("10000002", "development", D(2024, 2, 1)), ("10000003", "service", D(2024, 3, 1))]

    instance = applications.relation_bulk_transfer_apply(actor=u["head_office"], from_staff=s["broker"], to_staff=s["colleague"],
                                                         effective_date=D(2024, 7, 1), include_service=True, reason="S0003 leaves")
    instance = ProcessInstance.objects.get(pk=instance.id)
    assert [(t.step, t.candidate_role, t.candidate_branch.code) for t in instance.tasks.all()] == [
        ("branch_manager_approves", "branch_manager", "0001")]
    instance = _decide(u["branch_manager"])

    assert instance.status == "completed" and instance.tasks.count() == 1
    moved = Relation.objects.filter(origin="bulk_transfer").order_by("customer__customer_no", "relation_type")
    assert list(moved.values_list("customer__customer_no", "relation_type", "staff__staff_no", "start_date")) == [
        ("10000001", "development", "S0004", D(2024, 7, 1)), ("10000002", "development", "S0004", D(2024, 7, 1)),
        ("10000003", "service", "S0004", D(2024, 7, 1))]
    assert Relation.objects.filter(staff=s["broker"], end_date__isnull=True).count() == 0


def test_bulk_transfer_across_branches_goes_to_head_office(world):
    """When the receiver works in another branch the single approval is head office's."""
    u, s = world["users"], world["staff"]
    instance = applications.relation_bulk_transfer_apply(actor=u["branch_manager"], from_staff=s["broker"], to_staff=s["other"],
                                                         effective_date=D(2024, 7, 1), include_service=False)
    instance = ProcessInstance.objects.get(pk=instance.id)
    assert [(t.step, t.candidate_role) for t in instance.tasks.all()] == [("head_office_approves", "head_office")]
    assert _decide(u["head_office"]).status == "completed"
    assert _relations(world["customer"])[-1][:3] == ("development", "S0005", D(2024, 7, 1))


def test_bulk_transfer_refuses_brokers_and_an_empty_book(world):
    """Only managers and head office move whole books; a book without open relations has nothing to move."""
    u, s = world["users"], world["staff"]
    with pytest.raises(PermissionDenied):
        applications.bulk_transfer_preview(actor=u["broker"], from_staff=s["broker"], to_staff=s["colleague"],
                                           effective_date=D(2024, 7, 1), include_service=True)
    with pytest.raises(DomainError, match="S0004 holds no open relation on 2024-07-01"):
        applications.bulk_transfer_preview(actor=u["head_office"], from_staff=s["colleague"], to_staff=s["broker"],
                                           effective_date=D(2024, 7, 1), include_service=True)


def test_a_refused_application_for_a_customer_outside_the_scope_names_no_holder_nor_open_date(world):
    """Given customer 10000001 (opened 2024-01-02) developed by S0003, when colleague S0004 — who may apply for a
    customer of the branch but does not see S0003's book — applies from a day S0003 holds it, or before it opened,
    then both refusals say only that the customer cannot be applied for; S0003's own manager still gets the reason."""
    from django.utils import translation

    colleague = user_for(Role.BROKER, staff=world["staff"]["colleague"], username="colleague")
    refusals = []
    with translation.override("en"):
        for day in (D(2024, 5, 6), D(2023, 12, 1)):
            with pytest.raises(DomainError) as exc:
                applications.relation_add_apply(actor=colleague, customer=world["customer"], staff=world["staff"]["colleague"],
                                                relation_type="development", start_date=day)
            refusals.append((exc.value.field, exc.value.message))
        with pytest.raises(DomainError, match="already has a development relation with S0003"):
            applications.relation_add_apply(actor=world["users"]["branch_manager"], customer=world["customer"],
                                            staff=world["staff"]["colleague"], relation_type="development", start_date=D(2024, 5, 6))

    assert refusals == [("customer_no", "this customer cannot be applied for")] * 2
