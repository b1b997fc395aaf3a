"""The engine is tested with the processes the relations app ships, on the same small world."""
from brokercrm.relations.tests.conftest import world  # noqa: F401
