"""write_feedback: build the view once, render both files, move them into place atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from rasoat.feedback.html import render_html
from rasoat.feedback.view import build_view
from rasoat.feedback.xlsx import write_xlsx
from rasoat.validation import ValidationReport

# The commune code becomes part of a file name: nothing that could leave out_dir.
_SAFE_CODE = re.compile(r"[0-9A-Za-z_-]{1,32}")


@dataclass(frozen=True)
class FeedbackFiles:
    html: Path
    xlsx: Path


def feedback_paths(out_dir: Path, commune_code: str, version: int) -> FeedbackFiles:
    stem = f"phan-hoi-{commune_code}-v{version}"
    return FeedbackFiles(html=out_dir / f"{stem}.html", xlsx=out_dir / f"{stem}.xlsx")


def write_feedback(
    report: ValidationReport,
    *,
    commune_code: str,
    commune_name: str,
    district_name: str,
    year: int,
    version: int,
    received_at: dt.datetime,
    sha256: str,
    out_dir: Path,
) -> FeedbackFiles:
    """Write the commune's feedback for one submitted file version; return the two paths.

    `received_at` is shown in Vietnam time (UTC+7); a naive datetime is taken as UTC. An existing
    feedback for the same commune and version is replaced. Neither file ever exists half-written:
    each is written to a hidden temporary file in `out_dir`, flushed to disk, then renamed.
    """
    if not _SAFE_CODE.fullmatch(commune_code):
        raise ValueError(f"mã xã không hợp lệ cho tên tệp: {commune_code!r}")
    if version < 1:
        raise ValueError(f"phiên bản tệp phải từ 1 trở lên, nhận được {version}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = feedback_paths(out_dir, commune_code, version)
    view = build_view(
        report,
        commune_code=commune_code,
        commune_name=commune_name,
        district_name=district_name,
        year=year,
        version=version,
        received_at=received_at,
        sha256=sha256,
        xlsx_name=paths.xlsx.name,
    )
    html = render_html(view).encode("utf-8")

    temps: list[Path] = []
    try:
        html_tmp = _temp_beside(paths.html)
        temps.append(html_tmp)
        with html_tmp.open("wb") as fh:
            fh.write(html)
            fh.flush()
            os.fsync(fh.fileno())

        xlsx_tmp = _temp_beside(paths.xlsx)
        temps.append(xlsx_tmp)
        write_xlsx(view, xlsx_tmp, created=received_at)
        _fsync_path(xlsx_tmp)

        # Both are complete on disk before either replaces anything.
        os.replace(xlsx_tmp, paths.xlsx)
        os.replace(html_tmp, paths.html)
        temps.clear()
        _fsync_path(out_dir)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return paths


def _temp_beside(target: Path) -> Path:
    """A fresh, hidden, uniquely named file in the target's directory (same filesystem: the rename
    is atomic). Created 0666 minus the umask, like any file the process writes (mkstemp's 0600 would
    hide the feedback from the web server that serves it)."""
    for _ in range(100):
        path = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(f"không tạo được tệp tạm trong {target.parent}")


def _fsync_path(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:  # directories cannot be opened on some platforms; the data is flushed anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
