"""Menu entries of the relations app."""
from django.utils.translation import gettext_lazy as _

from brokercrm.core import navigation
from brokercrm.org.facade import BULK_TRANSFER_APPLICANTS, RELATION_APPLICANTS, RELATION_READERS

navigation.register(_("Broker relations"), "relations:list", roles=RELATION_READERS, order=30)
navigation.register(_("Apply for a relation"), "relations:apply_add", roles=RELATION_APPLICANTS, order=31)
navigation.register(_("Hand-over of departed staff"), "relations:handover", roles=BULK_TRANSFER_APPLICANTS, order=32)
