"""The account pages, under /accounts/ with plain URL names (Django's LOGIN_URL is "login")."""
from django.urls import path

from brokercrm.org import account_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/code/", account_views.login_code_page, name="login_code"),
    path("two-factor/", account_views.two_factor_page, name="two_factor"),
    path("api-tokens/", account_views.api_tokens_page, name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", account_views.api_token_revoke_page, name="api_token_revoke"),
]
