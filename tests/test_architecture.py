"""Architecture: the layers of the house hold, and the core never depends on a chat platform.

The import contracts live in pyproject.toml ([tool.importlinter]); this runs them on every test run.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"slack_bolt", "slack_sdk", "telegram"}
CORE_PACKAGES = ("bot", "knowledge_base", "ingest", "storage")


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _modules(package: str) -> list[Path]:
    root = Path(importlib.import_module(package).__file__).parent
    return sorted(root.rglob("*.py"))


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_core_does_not_import_chat_platforms(package):
    files = _modules(package)
    assert files
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        bad = {m for m in _imports(tree) if m.split(".")[0] in FORBIDDEN}
        if bad:
            offenders.append(f"{path}: {sorted(bad)}")
    assert offenders == []


def test_the_checker_sees_imports():
    tree = ast.parse(
        "import slack_bolt\nfrom telegram.ext import Application\n"
        "import importlib\nimportlib.import_module('slack_sdk.web')\n"
    )
    assert {m.split(".")[0] for m in _imports(tree)} == FORBIDDEN | {"importlib"}


def test_the_import_contracts_hold():
    # In a process of its own: import-linter reconfigures logging, which would silence our loggers.
    config = str(ROOT / "pyproject.toml")
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={config!r}, no_cache=True, no_logo=True))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_the_message_model_loads_nothing_else():
    """Every renderer imports bot.messages: it must not drag in the knowledge base or a database."""
    code = (
        "import json, sys; import bot.messages; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = set(json.loads(out.stdout))
    heavy = {"chromadb", "sqlalchemy", "numpy", "knowledge_base", "storage", "app", "adapters"}
    assert loaded & heavy == set()
