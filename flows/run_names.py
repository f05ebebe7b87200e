"""Readable flow-run names for the Prefect UI: stage, year and unit, never personal data."""

from __future__ import annotations

from pathlib import Path

from prefect.runtime import flow_run

from rasoat.unit_codes import commune_codes_in


def _commune_hint(parameters: dict[str, object]) -> str:
    code = parameters.get("commune_code")
    if code:
        return str(code)
    found = commune_codes_in(Path(str(parameters.get("file", ""))).name)
    return found[0] if found else "unknown"


def intake_run_name() -> str:
    p = flow_run.parameters
    return f"intake-{p.get('year')}-commune-{_commune_hint(p)}"


def submission_run_name() -> str:
    p = flow_run.parameters
    return f"submission-{p.get('year')}-commune-{_commune_hint(p)}"
