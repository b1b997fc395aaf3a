"""A contract import-linter lacks: an app is entered only through its `facade.py`.

Used by `[tool.importlinter]` in pyproject.toml. An import from one app into another must name the
other app's facade module; the ground apps (core) are exempt, and so are the importer's modules that
match an exempt pattern (tests, migrations).
"""
import fnmatch

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class FacadeOnlyContract(Contract):
    """Options: `root` (the project package), `ground` (apps anyone may import directly), `exempt`
    (glob patterns of importing modules that are not checked) and `facade` (the module name, `facade`)."""

    type_name = "facade_only"

    root = fields.StringField()
    ground = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    exempt = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    facade = fields.StringField(required=False, default="facade")

    def _app(self, module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == self.root else None

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        broken = []
        for importer in sorted(m for m in graph.modules if self._app(m)):
            if any(fnmatch.fnmatchcase(importer, pattern) for pattern in self.exempt):
                continue
            source_app = self._app(importer)
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target_app = self._app(imported)
                if target_app is None or target_app == source_app or target_app in self.ground:
                    continue
                if imported == f"{self.root}.{target_app}.{self.facade}":
                    continue
                lines = graph.get_import_details(importer=importer, imported=imported)
                broken.append((importer, imported, [d["line_number"] for d in lines]))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(f"{importer} -> {imported} ({where}): go through {self.root}.{self._app(imported)}.{self.facade}")
            output.new_line()
