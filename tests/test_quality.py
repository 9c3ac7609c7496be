"""The source is formatted by one formatter, passes the linter and type-checks (as CI requires)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("check", [("ruff", "format", "--check", "."), ("ruff", "check", ".")])
def test_ruff(check):
    result = _run(*check)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy():
    result = _run("mypy")  # the files and strictness are in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
