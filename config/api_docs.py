"""The API's Swagger UI at /api/docs, served from the vendored files under static/vendor/swagger-ui/."""
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from ninja.openapi.docs import Swagger


class VendoredSwagger(Swagger):
    """django-ninja's Swagger page, rendered by our template: no CDN, no inline script (the CSP allows neither).

    The page needs a login; the OpenAPI document itself stays open to the other systems' developers (ninja's
    docs_decorator would close both).
    """

    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"swagger_settings": swagger_settings, "api": api})
