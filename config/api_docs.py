"""The API's Swagger UI at /api/docs, served from the vendored files under static/vendor/swagger-ui/."""
from django.shortcuts import render
from ninja.openapi.docs import Swagger


class VendoredSwagger(Swagger):
    """django-ninja's Swagger page, rendered by our template: no CDN, no inline script (the CSP allows neither)."""

    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"swagger_settings": swagger_settings, "api": api})
