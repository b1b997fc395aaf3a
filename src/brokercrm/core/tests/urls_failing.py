"""A URL whose view fails, to see what a server error leaves behind (response header, log line)."""
from django.urls import path


def failing_view(request):
    raise RuntimeError("the view failed")


urlpatterns = [path("failing/", failing_view)]
