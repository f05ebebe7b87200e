"""What every benchmark records beside its figures: the machine, its load, the peak memory, and the
JSON written where the caller asked (the benchmark's own module beside the scripts)."""

from __future__ import annotations

import json
import os
import platform
import resource
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],  # other work on the machine
    }


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def report(results: dict[str, Any], out: Path | None) -> None:
    """Print the results and, when asked, write them as JSON."""
    print(json.dumps(results, indent=2))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
