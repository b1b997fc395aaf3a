"""Shared pieces of the CLI: problems printed as FILE:LINE:COLUMN lines and a non-zero exit."""
import sys

from django.core.management.base import BaseCommand, CommandError

from brokercrm.core.errors import DomainError, InputRejected


class BrokercrmCommand(BaseCommand):
    """A command whose domain errors end the process with a clear message and exit code 1."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except InputRejected as exc:
            for problem in exc.problems:
                self.stdout.write(str(problem))
            self.stderr.write(f"{len(exc.problems)} problem(s); nothing was changed.")
            sys.exit(1)
        except DomainError as exc:
            raise CommandError(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from exc


def add_subcommands(command: BaseCommand, parser, **subcommands):
    """`brokercrm <command> <subcommand> …`: each value is a function(subparser) that adds its arguments."""
    sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{" + ",".join(subcommands) + "}")
    for name, (help_text, add_arguments) in subcommands.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(sp)
    return sub
