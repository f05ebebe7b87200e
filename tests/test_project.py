"""The newcomer's first five minutes stay true: README commands, CI entry, layout."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README must open with a bash block"
    assert text.index(block.group(0)) < text.index("\n## "), "the commands come before any section"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("rasoat demo") and commands[0].startswith("scripts/setup.sh")
    assert "pytest" in commands[1] and commands[1].startswith("scripts/setup.sh --dev")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_layout_and_console_command() -> None:
    for name in ("flows", "tasks", "expectations", "templates", "data", "tests", "prefect.yaml"):
        assert (ROOT / name).exists(), name
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["rasoat"] == "rasoat.cli:app"


def test_constraints_pin_the_stack() -> None:
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    pins = {k.lower().replace("_", "-"): v for k, v in pins.items()}
    assert pins["prefect"] == "3.9.1"
    major, minor, *_ = (int(x) for x in pins["fastapi"].split("."))
    assert (major, minor) < (0, 151)  # newer FastAPI broke Prefect 3.8's server; 3.9.1 runs on 0.150
    assert pins["vietnam-provinces"] == "0.6.0"
    assert pins["great-expectations"] == "1.24.1"
