from django.core.management.base import CommandError
from django.utils import timezone

from brokercrm.core.commands import BrokercrmCommand
from brokercrm.org import access
from brokercrm.org.models import User


class Command(BrokercrmCommand):
    help = ("Print a new API token for a user (alone on the last line); use it as `Authorization: Bearer <token>`. "
            "--list shows the user's tokens, --revoke ID ends one.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, help="days until the token expires (default BROKERCRM_API_TOKEN_DAYS)")
        parser.add_argument("--name", default="", help="what the token is for, e.g. the calling system")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--list", action="store_true", help="list the user's tokens instead of making one")
        action.add_argument("--revoke", type=int, metavar="ID", help="revoke the user's token ID instead of making one")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"unknown user {opts['username']}")
        if opts["list"]:
            now = timezone.now()
            self.stdout.write("id\tprefix\tname\tcreated\tlast_used\texpires\tstatus")
            for t in user.api_tokens.all():
                used = timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "-"
                self.stdout.write("\t".join([str(t.id), t.prefix, t.name or "-", _when(t.created_at), used, _when(t.expires_at),
                                             t.status_at(now)]))
            return
        if opts["revoke"] is not None:
            token = user.api_tokens.filter(pk=opts["revoke"]).first()
            if token is None:
                raise CommandError(f"{user.username} has no token {opts['revoke']}")
            access.api_token_revoke(token=token)
            self.stdout.write(f"token {token.id} ({token.prefix}…) of {user.username} revoked")
            return
        if not user.is_active:
            raise CommandError(f"unknown or inactive user {opts['username']}")
        key = access.api_token_create(user=user, name=opts["name"], days=opts["days"])
        expires = user.api_tokens.latest("id").expires_at
        self.stdout.write(f"API token for {user.username}, expires {_when(expires)} (shown once; only its hash is stored):")
        self.stdout.write(key)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
