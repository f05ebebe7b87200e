"""Inbox watcher: a commune's file that has finished arriving in RASOAT_HOME/inbox/<year>/<scope>/ (the
province from 2025, the district up to 2024)
becomes a Prefect event, which the `commune_rerun/inbox` deployment's trigger turns into a run.

The event carries codes and a path only, never personal data:

    event    rasoat.submission.received   (rasoat.submission.corrected for a commune's later file)
    resource prefect.resource.id = rasoat.commune.<5-digit code>
             rasoat.file = <absolute path>, rasoat.year = <year>, rasoat.scope = <province or district code>,
             rasoat.commune = <5-digit code>

Run it with `python -m rasoat.operations.watcher` (`rasoat up` does). Decisions are pure functions
(`candidate`, `decide`) so they are tested without timing races; the watchdog thread only marks
paths as pending and a poll loop settles them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from rasoat.pipeline.inbox import ACCEPTED_SUFFIXES
from rasoat.unit_codes import commune_codes_in

log = logging.getLogger("rasoat.watcher")

RECEIVED = "rasoat.submission.received"
CORRECTED = "rasoat.submission.corrected"
DEFAULT_SETTLE_SECONDS = 2.0

_YEAR = re.compile(r"\d{4}")
_SCOPE = re.compile(r"\d{2,3}")  # the province (2 digits, from 2025) or district (3, up to 2024)

Emit = Callable[..., Any]  # prefect.events.emit_event's signature: emit(event=..., resource=...)


def ignored_name(name: str) -> bool:
    """Hidden, temporary or not a submission: the same rules as rasoat.pipeline.inbox.inbox_files
    (spreadsheets and CSVs only; `.x`, `~$x`, `x.part`, `x.tmp` are not files to take in)."""
    return name.startswith((".", "~$")) or Path(name).suffix.lower() not in ACCEPTED_SUFFIXES


@dataclass(frozen=True)
class Candidate:
    path: Path
    year: str
    scope: str
    commune: str


class Skip(ValueError):
    """A file in the inbox the watcher will not announce; the message says why (logged)."""


def _wrong_level(year: int, folder: str) -> str | None:
    """Why the folder cannot be the inbox of `year`'s round (a district's on the two-tier map, a
    province's on the three-level one, a year without a map), or None. Announcing such a file would
    only start a run that fails on it."""
    from rasoat.admin.maps import NoMapError
    from rasoat.admin.scope import ScopeError, scope, scope_level

    try:
        level = scope_level(year)
        if (level == "province") != (len(folder) == 2):
            wanted = "<province>/ (2 digits)" if level == "province" else "<district>/ (3 digits)"
            return f"a {year} round takes files in inbox/{year}/{wanted}, not this folder"
        scope(year, folder)
    except (NoMapError, ScopeError) as exc:
        return f"no round of {year} for {folder} ({type(exc).__name__})"
    return None


def candidate(path: Path, inbox_root: Path) -> Candidate | None:
    """The file as a submission, None when it is to be ignored silently (hidden, temporary, not a
    spreadsheet); raises Skip when it looks like a submission but cannot be filed (logged)."""
    if ignored_name(path.name):
        return None
    try:
        parts = path.relative_to(inbox_root).parts
    except ValueError:
        return None
    if len(parts) != 3 or not _YEAR.fullmatch(parts[0]) or not _SCOPE.fullmatch(parts[1]):
        raise Skip(
            f"{path}: not in inbox/<year>/<province>/ (e.g. inbox/2026/44/19597.xlsx) nor, "
            "up to 2024, inbox/<year>/<district>/ (inbox/2024/468/19597.xlsx)"
        )
    wrong_level = _wrong_level(int(parts[0]), parts[1])
    if wrong_level:
        raise Skip(f"{path}: {wrong_level}")
    codes = set(commune_codes_in(path.name))
    if len(codes) != 1:
        raise Skip(f"{path.name}: the file name must carry exactly one 5-digit commune code (19597.xlsx)")
    return Candidate(path, parts[0], parts[1], codes.pop())


@dataclass(frozen=True)
class Seen:
    """What the poll loop last saw of a pending file."""

    size: int
    mtime_ns: int
    since: float  # monotonic time when this size and mtime were first seen


class Verdict(Enum):
    WAIT = "wait"  # still arriving (or just seen): look again later
    READY = "ready"  # unchanged for settle seconds: announce it
    GONE = "gone"  # removed or renamed before it settled: forget it


def decide(
    previous: Seen | None, size: int | None, mtime_ns: int | None, now: float, settle: float
) -> tuple[Verdict, Seen | None]:
    """Pure stability rule. `size`/`mtime_ns` are None when the file no longer exists.
    A file is READY when its size and mtime have not changed for `settle` seconds; any change
    restarts the clock. Returns the verdict and what to remember for the next look."""
    if size is None or mtime_ns is None:
        return Verdict.GONE, None
    if previous is None or (previous.size, previous.mtime_ns) != (size, mtime_ns):
        return Verdict.WAIT, Seen(size, mtime_ns, now)
    if now - previous.since >= settle:
        return Verdict.READY, previous
    return Verdict.WAIT, previous


def event_for(found: Candidate, corrected: bool) -> dict[str, Any]:
    """Keyword arguments for prefect.events.emit_event: codes and the path, nothing personal."""
    return {
        "event": CORRECTED if corrected else RECEIVED,
        "resource": {
            "prefect.resource.id": f"rasoat.commune.{found.commune}",
            "rasoat.file": str(found.path),
            "rasoat.year": found.year,
            "rasoat.scope": found.scope,
            "rasoat.commune": found.commune,
        },
    }


def prefect_emit(**event: Any) -> Any:
    from prefect.events import emit_event

    return emit_event(**event)


class InboxWatcher:
    """Watches `inbox_root` recursively and calls `emit(**event_for(...))` once per file that has
    settled. A file rewritten later (new size or mtime) is announced again as corrected, and so is a
    file of a commune already announced in the same folder."""

    def __init__(
        self,
        inbox_root: Path,
        emit: Emit = prefect_emit,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
        poll_interval: float = 0.5,
        ledger: Path | None = None,
    ) -> None:
        self.root = Path(inbox_root)
        self.ledger = ledger
        self.emit = emit
        self.settle = settle_seconds
        self.poll_interval = poll_interval
        self._pending: dict[Path, Seen | None] = {}
        self._announced: dict[Path, tuple[int, int]] = self._load_ledger()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._observer: Any = None
        self._thread: threading.Thread | None = None

    # -- what was announced, kept across restarts ----------------------------------------------
    def _load_ledger(self) -> dict[Path, tuple[int, int]]:
        """Files announced before a restart: not announced again unless they changed, and a
        commune's next file is still a correction."""
        if self.ledger is None or not self.ledger.exists():
            return {}
        try:
            raw = json.loads(self.ledger.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("ledger %s unreadable: files already there are announced again", self.ledger)
            return {}
        return {Path(k): (int(v[0]), int(v[1])) for k, v in raw.items()}

    def _save_ledger(self) -> None:
        if self.ledger is None:
            return
        self.ledger.parent.mkdir(parents=True, exist_ok=True)
        staging = self.ledger.with_suffix(".tmp")
        staging.write_text(
            json.dumps({str(k): list(v) for k, v in self._announced.items()}), encoding="utf-8"
        )
        os.replace(staging, self.ledger)

    def scan_existing(self) -> int:
        """Mark every file already in the inbox: those that arrived while nobody watched are announced
        once they settle; those in the ledger with the same size and time are not."""
        paths = list(self.existing())
        for path in paths:
            self.mark(path)
        return len(paths)

    # -- watchdog side: only marks paths -------------------------------------------------------
    def mark(self, path: str | Path) -> None:
        p = Path(path)
        if ignored_name(p.name):
            return
        with self._lock:
            self._pending.setdefault(p, None)

    def _handler(self) -> Any:
        from watchdog.events import FileSystemEventHandler

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.is_directory or event.event_type in ("opened", "closed_no_write", "deleted"):
                    return
                watcher.mark(event.dest_path if event.event_type == "moved" else event.src_path)

        return Handler()

    # -- poll side: settles and announces -------------------------------------------------------
    def poll_once(self, now: float | None = None) -> list[dict[str, Any]]:
        """One pass over pending files; returns the events emitted."""
        now = time.monotonic() if now is None else now
        with self._lock:
            pending = dict(self._pending)
        emitted = []
        for path, seen in pending.items():
            try:
                st = path.stat()
                size, mtime = st.st_size, st.st_mtime_ns
            except OSError:
                size = mtime = None
            verdict, remember = decide(seen, size, mtime, now, self.settle)
            with self._lock:
                if verdict is Verdict.WAIT:
                    self._pending[path] = remember
                    continue
                self._pending.pop(path, None)
            if verdict is Verdict.READY and size is not None and mtime is not None:
                event = self._announce(path, (size, mtime))
                if event is not None:
                    emitted.append(event)
        return emitted

    def _announce(self, path: Path, signature: tuple[int, int]) -> dict[str, Any] | None:
        if self._announced.get(path) == signature:
            return None  # touched or re-opened, same content: already announced
        try:
            found = candidate(path, self.root)
        except Skip as why:
            log.warning("skipped: %s", why)
            return None
        if found is None:
            return None
        corrected = path in self._announced or any(
            p != path and p.parent == path.parent and commune_codes_in(p.name) == [found.commune]
            for p in self._announced
        )
        event = event_for(found, corrected)
        try:
            self.emit(**event)
        except Exception:  # keep watching; the file is retried on its next change
            log.exception("could not emit %s for commune %s", event["event"], found.commune)
            return None
        self._announced[path] = signature
        self._save_ledger()
        log.info("%s: commune %s, %s/%s, %s", event["event"], found.commune, found.year, found.scope, path)
        return event

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.poll_once()
            except Exception:
                log.exception("poll failed")

    def start(self) -> InboxWatcher:
        from watchdog.observers import Observer

        self.root.mkdir(parents=True, exist_ok=True)
        self._observer = Observer()
        self._observer.schedule(self._handler(), str(self.root), recursive=True)
        self._observer.start()
        self._thread = threading.Thread(target=self._loop, name="inbox-poll", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> InboxWatcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def existing(self) -> Iterator[Path]:
        yield from (p for p in self.root.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    from rasoat.config import home
    from rasoat.prefect_settings import configure_prefect

    parser = argparse.ArgumentParser(description="Watch RASOAT_HOME/inbox and emit Prefect events.")
    parser.add_argument("--inbox", type=Path, default=None, help="default: RASOAT_HOME/inbox")
    parser.add_argument("--settle", type=float, default=DEFAULT_SETTLE_SECONDS, help="seconds unchanged")
    parser.add_argument(
        "--ledger",
        type=Path,
        default=None,
        help="announced files (default: RASOAT_HOME/run/inbox-announced.json)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    configure_prefect()
    root = args.inbox or home() / "inbox"
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    ledger = args.ledger or home() / "run" / "inbox-announced.json"
    watcher = InboxWatcher(root, settle_seconds=args.settle, ledger=ledger)
    with watcher:
        # Files that arrived while the watcher was down (or before it started) are not lost.
        found = watcher.scan_existing()
        log.info("watching %s (settle %.1f s, %s files already there)", root, args.settle, found)
        stop.wait()
    log.info("stopped")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
