"""The REST API under /api/: one NinjaAPI, each domain app contributing its router."""
from importlib import import_module

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError as NinjaValidationError
from ninja.security import django_auth

from brokercrm.core.errors import DomainError, InputRejected, RateLimited
from brokercrm.org.api import BearerToken, router as org_router
from config.api_docs import VendoredSwagger

api = NinjaAPI(
    title="brokercrm API",
    version="1",
    description="Customer service platform API for the brokerage's other systems. Every answer is limited to the caller's data scope.",
    auth=[BearerToken(), django_auth],
    openapi_url="/openapi.json",
    docs_url="/docs",
    # validatorUrl None: Swagger UI would otherwise send the document to an external validator.
    docs=VendoredSwagger(settings={"validatorUrl": None}),
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "Permission denied."}, status=403)


@api.exception_handler(InputRejected)
def input_rejected(request, exc: InputRejected):
    errors = [{"field": p.field or p.column, "line": p.line, "message": p.message} for p in exc.problems]
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=400)


@api.exception_handler(RateLimited)
def rate_limited(request, exc: RateLimited):
    return api.create_response(request, {"detail": exc.message, "errors": [{"field": exc.field, "message": exc.message}]}, status=429)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"detail": exc.message, "errors": [{"field": exc.field, "message": exc.message}]}, status=400)


@api.exception_handler(NinjaValidationError)
def invalid_body(request, exc: NinjaValidationError):
    errors = [{"field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None, "message": e.get("msg", "")} for e in exc.errors]
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=400)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Authentication required."}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Ninja's own refusals (a body that does not parse, a failed CSRF check) in the same bodies as ours."""
    body = {"detail": exc.message}
    if exc.status_code == 400:
        body["errors"] = [{"field": None, "message": exc.message}]
    return api.create_response(request, body, status=exc.status_code)


api.add_router("/", org_router)
for _app in ("customers", "relations", "analytics", "servicing", "products", "research", "evaluation", "compensation", "objects", "reports", "platform",
             "platform.workflow"):
    api.add_router("/", import_module(f"brokercrm.{_app}.api").router)
