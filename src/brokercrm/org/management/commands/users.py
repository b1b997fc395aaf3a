import sys

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.org import access, services
from brokercrm.org.models import User
from brokercrm.org.roles import Role


class Command(BrokercrmCommand):
    help = ("Manage users: `brokercrm users create --username U --role ROLE [--staff STAFF_NO] [--branch CODE] [--password-stdin]`; "
            "`brokercrm users reset-2fa --username U` removes a lost two-factor device.")

    def add_arguments(self, parser):
        def create_args(sp):
            sp.add_argument("--username", required=True)
            sp.add_argument("--role", required=True, choices=Role.values)
            sp.add_argument("--staff", help="staff_no of the staff member this user is")
            sp.add_argument("--branch", help="branch_code (branch managers)")
            sp.add_argument("--email", default="")
            sp.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

        def reset_args(sp):
            sp.add_argument("--username", required=True)

        add_subcommands(self, parser, create=("Create a user with a role.", create_args),
                        **{"reset-2fa": ("Remove a user's two-factor device (a lost phone); they enrol again.", reset_args)})

    def handle(self, *args, **opts):
        if opts["subcommand"] == "reset-2fa":
            user = User.objects.filter(username=opts["username"]).first()
            if user is None:
                raise CommandError(f"unknown user {opts['username']}")
            access.two_factor_reset(user=user)
            self.stdout.write(f"two-factor device of {user.username} removed")
            return
        password = sys.stdin.readline().rstrip("\n") if opts["password_stdin"] else None
        user = services.user_create(username=opts["username"], role=opts["role"], staff_no=opts["staff"],
                                    branch_code=opts["branch"], password=password, email=opts["email"])
        self.stdout.write(f"created user {user.username} ({user.role})")
