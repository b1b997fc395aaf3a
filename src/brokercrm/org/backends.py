"""Django's model backend, loading a session's user with their staff row in the same query."""
from django.contrib.auth.backends import ModelBackend

from brokercrm.org.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = User.objects.select_related("staff").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
