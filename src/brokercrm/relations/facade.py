"""What other apps may use of broker relations: history of a customer, a staff member's book on a day."""
from brokercrm.relations.models import Relation, RelationType  # noqa: F401
from brokercrm.relations.selectors import in_force_q, relation_history, staff_book  # noqa: F401
from brokercrm.relations.applications import relation_add_apply  # noqa: F401,E402
from brokercrm.relations.selectors import unheld_customer  # noqa: F401,E402


def development_relation_rows() -> list[tuple]:
    """Every development relation (开发关系) as (customer_no, staff_no, start_date, end_date), for the warehouse."""
    return list(Relation.objects.filter(relation_type=RelationType.DEVELOPMENT).values_list(
        "customer__customer_no", "staff__staff_no", "start_date", "end_date"))
