"""Read everything a Prefect server holds through its API, to look for personal data in it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import httpx
import pandas as pd

from rasoat.intake import read_submission

PAGE = 200
FILTERED = (
    "flow_runs",
    "task_runs",
    "logs",
    "artifacts",
    "deployments",
    "flows",
    "variables",
    "automations",
    "block_documents",
    "work_pools",
    "concurrency_limits",
)


def _pages(client: httpx.Client, path: str) -> list[Any]:
    out: list[Any] = []
    while True:
        response = client.post(f"/{path}/filter", json={"limit": PAGE, "offset": len(out)})
        response.raise_for_status()
        page = response.json()
        out += page
        if len(page) < PAGE:
            return out


def _events(client: httpx.Client) -> list[Any]:
    response = client.post("/events/filter", json={"limit": 50})
    response.raise_for_status()
    page = response.json()
    events = list(page["events"])
    while page.get("next_page"):
        response = client.get(page["next_page"])
        response.raise_for_status()
        page = response.json()
        events += page["events"]
    return events


def prefect_api_dump(api_url: str) -> str:
    """Flow and task runs (names, parameters, states and their messages), every log line, artifact,
    deployment, automation, variable, block, event and flow-run input, as one string."""
    held: dict[str, Any] = {}
    with httpx.Client(base_url=api_url.rstrip("/"), timeout=60) as client:
        for path in FILTERED:
            held[path] = _pages(client, path)
        held["events"] = _events(client)
        held["flow_run_inputs"] = [
            client.post(f"/flow_runs/{run['id']}/input/filter", json={"prefix": "", "limit": 1000}).json()
            for run in held["flow_runs"]
        ]
        held["global_concurrency_limits"] = client.post("/v2/concurrency_limits/filter", json={}).json()
    return json.dumps(held, ensure_ascii=False)


def personal_values(files: Iterable[Any]) -> set[str]:
    """Every name and CCCD number in the given workbooks, as the intake reads them."""
    values: set[str] = set()
    for path in files:
        parsed = read_submission(path.read_bytes(), path.name)
        frames = [(parsed.households, ("head_name", "head_id_number"))]
        if parsed.members is not None:
            frames.append((parsed.members, ("full_name", "id_number")))
        for frame, columns in frames:
            for column in columns:
                if column in frame:
                    values |= {str(v) for v in frame[column] if pd.notna(v) and str(v).strip()}
    return values


def _unescape(text: str) -> str:
    """JSON stored inside JSON keeps non-ASCII letters as \\uXXXX escapes: turn them back."""
    return re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def leaked(dump: str, values: set[str]) -> list[str]:
    """Values found in the dump. Names are matched as whole runs of 1–5 words and CCCD numbers as
    whole digit runs, by set lookups: scanning a large dump once per value would take hours."""
    text = _unescape(dump)
    digits = set(re.findall(r"\d+", text))
    words = re.findall(r"\w+", text)
    runs: set[str] = set()
    for n in range(1, 6):
        runs |= {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
    return sorted(v for v in values if (v in digits if v.isdigit() else " ".join(v.split()) in runs))
