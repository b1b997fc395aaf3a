import sys

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.org import services
from brokercrm.org.roles import Role


class Command(BrokercrmCommand):
    help = "Manage users: `brokercrm users create --username U --role ROLE [--staff STAFF_NO] [--branch CODE] [--password-stdin]`."

    def add_arguments(self, parser):
        def create_args(sp):
            sp.add_argument("--username", required=True)
            sp.add_argument("--role", required=True, choices=Role.values)
            sp.add_argument("--staff", help="staff_no of the staff member this user is")
            sp.add_argument("--branch", help="branch_code (branch managers)")
            sp.add_argument("--email", default="")
            sp.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

        add_subcommands(self, parser, create=("Create a user with a role.", create_args))

    def handle(self, *args, **opts):
        password = sys.stdin.readline().rstrip("\n") if opts["password_stdin"] else None
        user = services.user_create(username=opts["username"], role=opts["role"], staff_no=opts["staff"],
                                    branch_code=opts["branch"], password=password, email=opts["email"])
        self.stdout.write(f"created user {user.username} ({user.role})")
