"""What other apps may use of broker relations: who holds a customer on a day (responsible staff), the in-force
relations of customers, applications for a new relation.

The convention of every facade: it only re-exports functions (from services and selectors) and frozen dataclasses;
functions take ids and plain values and return frozen dataclasses or plain values.
"""
from brokercrm.relations.applications import relation_add_apply  # noqa: F401
from brokercrm.relations.models import RelationType  # noqa: F401
from brokercrm.relations.responsibility import Responsibility, responsible_staff, responsible_staff_on  # noqa: F401
from brokercrm.relations.selectors import (  # noqa: F401
    RelationSpan, development_relations_overlapping, relations_of_departed_staff,
)
from brokercrm.relations.selectors import development_relation_rows  # noqa: F401
from brokercrm.relations.services import RelationImportResult, relation_import  # noqa: F401
