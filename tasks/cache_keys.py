"""Cache keys: a task's result is reused only while its data, its rules and the code are unchanged.

Keys name the submission's sha256 (with its row in this database), the standard's version and the
code's version (`rasoat.code_version`), so a rerun after one commune's correction recomputes that
commune and serves every other commune from cache (state "Cached" in the Prefect UI).
"""

from __future__ import annotations

from typing import Any

from prefect.context import TaskRunContext

from rasoat.code_version import code_version


def validation_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    # `inputs` is validation_stage.validation_inputs: file, database row, standard, neighbours' files.
    docs = "docs" if parameters.get("data_docs", True) else "nodocs"
    return f"validate-{parameters['inputs']}-{docs}-{code_version()}"
