"""The research API (django-ninja), scoped by the caller like every page."""
from ninja import Router

router = Router(tags=["research"])
