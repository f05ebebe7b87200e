"""Tasks of commune intake: identify the commune, keep the file, read it."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task

from rasoat.applied_standard import standard_for_scope
from rasoat.db import session_scope, shared_engine
from rasoat.pipeline.identify import Filing, identify
from rasoat.pipeline.inbox import read_settled
from rasoat.pipeline.intake import Received, receive
from tasks.retrying import TRANSIENT_RETRIES


@task(name="identify-commune")
def identify_commune(
    file: str, commune_code: str | None, scope_code: str | None, year: int | None = None
) -> Filing:
    return identify(Path(file).name, commune_code, scope_code, year)


def keep_and_read(file: str, year: int, filing: Filing, received_by: str) -> Received:
    """Bytes first, in their own transaction: even a file that breaks the reader is kept.

    A plain function, called by the `store-and-read` task and inside a round's per-commune task."""
    path = Path(file)
    # Read before the transaction opens: a file still being copied waits here, not holding a lock.
    content = read_settled(path)
    with session_scope(shared_engine()) as session:
        received = receive(
            session,
            year,
            standard_for_scope(year, filing.scope_code),
            filing,
            path.name,
            content,
            received_by,
        )
    get_run_logger().info(
        "commune %s: submission %s version %s (%s), %s bytes, %s households, %s members, %s reading problems",
        received.commune_code,
        received.submission_id,
        received.version,
        "new" if received.new_version else "same bytes as before",
        len(content),
        received.households,
        received.members,
        received.reading_problems,
    )
    return received


store_and_read = task(name="store-and-read", **TRANSIENT_RETRIES)(keep_and_read)
