"""The README's quick start: two commands, each safe to run top-down on a fresh machine."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, re.S)


def test_quick_start_is_two_commands_that_install_into_a_virtualenv_first():
    commands = _quick_start()
    assert len(commands) == 2
    for command in commands:
        assert "\n" not in command.strip()
        steps = [step.strip() for step in command.split("&&")]
        install = next(i for i, step in enumerate(steps) if "pip install" in step)
        assert steps[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"] and install == 2
    assert commands[0].endswith("verbinder chat") and commands[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _quick_start()[1] in ci.splitlines()
