from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand
from brokercrm.org import services
from brokercrm.org.models import User


class Command(BrokercrmCommand):
    help = "Print a new API token for a user (alone on the last line); use it as `Authorization: Bearer <token>`."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"unknown or inactive user {opts['username']}")
        self.stdout.write(f"API token for {user.username} (shown once; only its hash is stored):")
        self.stdout.write(services.api_token_create(user=user))
