from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.platform.workflow import registry, selectors, services


class Command(BrokercrmCommand):
    help = "Process definitions: `brokercrm workflow check|load FILE.bpmn`, `brokercrm workflow list`, `brokercrm workflow export KEY --out FILE`."

    def add_arguments(self, parser):
        def export(sp):
            sp.add_argument("key")
            sp.add_argument("--out", required=True)

        add_subcommands(self, parser, **{
            "check": ("Check a BPMN file as `load` would, without storing it.", lambda sp: sp.add_argument("file")),
            "load": ("Check a BPMN file and store it as the next active version of its process.", lambda sp: sp.add_argument("file")),
            "list": ("List process definitions (every version; * marks the active one).", lambda sp: None),
            "export": ("Write the active definition of a process to a file.", export),
        })

    def _read(self, name: str) -> bytes:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        return path.read_bytes()

    def handle(self, *args, **opts):
        sub = opts["subcommand"]
        if sub == "check":
            parsed = services.definition_parse(data=self._read(opts["file"]), file_name=opts["file"])
            self.stdout.write(f"{opts['file']}: process {parsed.key} is valid ({len(parsed.approvals)} approval step(s), "
                              f"{len(parsed.handlers)} handler step(s))")
        elif sub == "load":
            definition, changed = services.definition_load(actor=None, data=self._read(opts["file"]), file_name=opts["file"])
            state = "loaded as version" if changed else "unchanged, active version"
            self.stdout.write(f"{definition.key}: {state} {definition.version}")
        elif sub == "list":
            for kind in registry.kinds():
                services.definition_active(kind.key)
            for d in selectors.definition_list():
                self.stdout.write(f"{'*' if d.is_active else ' '} {d.key} v{d.version} {d.checksum[:12]} {d.file_name} {d.loaded_at:%Y-%m-%d %H:%M}")
        else:
            definition = services.definition_active(opts["key"])
            Path(opts["out"]).write_text(definition.bpmn, encoding="utf-8")
            self.stdout.write(f"{definition.key} v{definition.version} written to {opts['out']}")
