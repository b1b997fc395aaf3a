"""What other apps may use of broker relations: history of a customer, a staff member's book on a day."""
from brokercrm.relations.models import Relation, RelationType  # noqa: F401
from brokercrm.relations.selectors import in_force_q, relation_history, staff_book  # noqa: F401
from brokercrm.relations.applications import relation_add_apply  # noqa: F401,E402
from brokercrm.relations.selectors import unheld_customer  # noqa: F401,E402
# Used by the upper apps: who is responsible for customers on a day (servicing), a staff member's development
# relations over a period (evaluation's drill-down); plain values and frozen dataclasses.
from brokercrm.relations.selectors import (RelationSpan, Responsibility, development_relations_overlapping,  # noqa: F401,E402
                                           relations_of_departed_staff,
                                           responsible_staff)
