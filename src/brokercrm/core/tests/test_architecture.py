"""The walls between the apps: the import contracts of pyproject.toml hold, and they do catch a wrong import."""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
PACKAGE = ROOT / "src" / "brokercrm"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path, *contracts: str) -> subprocess.CompletedProcess:
    chosen = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", *chosen], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PATH": str(Path(sys.executable).parent), "PYTHONPATH": f"{cwd / 'src'}:{cwd}"})


def test_every_import_contract_is_kept():
    """Given the project as it is, when lint-imports checks it, then every contract is kept."""
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "0 broken." in result.stdout  # the summary line always counts the broken


@pytest.fixture
def project_copy(tmp_path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "src" / "brokercrm", ignore=shutil.ignore_patterns("__pycache__", "static", "locale"))
    shutil.copytree(ROOT / "config", tmp_path / "config", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_core_importing_a_domain_model_breaks_the_build(project_copy):
    """Given core imports the Customer model, when lint-imports runs, then it fails naming the core contract."""
    money = project_copy / "src" / "brokercrm" / "core" / "money.py"
    money.write_text(money.read_text() + "\nfrom brokercrm.customers.models import Customer  # noqa: E402,F401\n")

    result = _lint_imports(project_copy, "core", "layers", "facades")

    assert result.returncode == 1
    assert "core is the ground: it imports no app of the project BROKEN" in result.stdout
    assert "brokercrm.core.money -> brokercrm.customers.models" in result.stdout


def test_an_app_bypassing_a_facade_breaks_the_build(project_copy):
    """Given servicing imports customers' selectors directly, when lint-imports runs, then the facade contract fails."""
    selectors = project_copy / "src" / "brokercrm" / "servicing" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nfrom brokercrm.customers import selectors as _s  # noqa: E402,F401\n")

    result = _lint_imports(project_copy, "facades")

    assert result.returncode == 1
    assert "brokercrm.servicing.selectors -> brokercrm.customers.selectors" in result.stdout


def _commented(lines: list[str], index: int) -> bool:
    """A comment on the import's line, or on the line above the block of imports it belongs to."""
    if "#" in lines[index]:
        return True
    while index > 0 and lines[index - 1].strip().startswith(("from ", "import ")):
        index -= 1
    return index > 0 and lines[index - 1].strip().startswith("#")


def _function_level_project_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    lines = path.read_text().splitlines()
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if not node.level else ["brokercrm (relative)"]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.startswith("brokercrm") for name in names) and not _commented(lines, node.lineno - 1):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_function_level_import_of_a_project_module_without_a_reason():
    """Imports inside functions dodge the contracts' view of the layers; one is allowed only with a comment saying why."""
    modules = [p for p in PACKAGE.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]

    offenders = sorted({where for path in modules for where in _function_level_project_imports(path)})

    assert offenders == []
