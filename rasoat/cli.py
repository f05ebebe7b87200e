"""The `rasoat` command line."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from rasoat.cli_render import problems_table, summary_table
from rasoat.config import home

app = typer.Typer(
    help="rasoat: rà soát hộ nghèo, hộ cận nghèo — review of poor and near-poor households.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Known failures become one clear message and a non-zero exit; anything else is logged to
    RASOAT_HOME/logs with its stack (type and frames only: exception text may carry personal data)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from rasoat.classifier import ClassificationInputError
        from rasoat.intake import SubmissionError
        from rasoat.standards import NoStandardError

        try:
            return func(*args, **kwargs)
        except SubmissionError as exc:
            err.print(f"[bold red]Tệp không hợp lệ[/]: {len(exc.problems)} lỗi.")
            err.print(problems_table(exc.problems))
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (NoStandardError, ClassificationInputError, FileNotFoundError, IsADirectoryError) as exc:
            err.print(f"[bold red]Lỗi[/]: {exc}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            log_dir = home() / "logs"
            log_dir.mkdir(exist_ok=True)
            log = log_dir / "cli-errors.log"
            with log.open("a", encoding="utf-8") as fh:
                fh.write(f"{type(exc).__name__} in {func.__name__}\n")
                fh.write("".join(traceback.format_tb(exc.__traceback__)) + "\n")
            err.print(
                f"[bold red]Lỗi không mong đợi[/] ({type(exc).__name__}); chi tiết kỹ thuật ghi tại {log}"
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


@app.command()
@friendly_errors
def classify(
    file: Annotated[Path, typer.Argument(help="Submission: .xlsx workbook, households.csv, or a folder.")],
    year: Annotated[int, typer.Option("--year", "-y", help="Review year (selects the poverty standard).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV, one row per household.")],
) -> None:
    """Classify a commune submission under the standard of the review year."""
    from rasoat.classifier import classify as classify_frame
    from rasoat.intake import read_submission_path
    from rasoat.standards import standard_for_year
    from rasoat.summary import status_summary

    standard = standard_for_year(year)
    if not file.exists():
        raise FileNotFoundError(f"không tìm thấy tệp {file}")
    parsed = read_submission_path(file)
    parsed.raise_for_problems()
    result = classify_frame(parsed.households, standard)
    output = parsed.households[["household_id", "commune_code", "village", "area", "members"]].join(result)
    output["reported_status"] = parsed.households["reported_status"]
    out.parent.mkdir(parents=True, exist_ok=True)
    output.to_csv(out, index=False)
    console.print(
        summary_table(status_summary(parsed.households, result), f"{file.name} — {standard.name_vi}")
    )
    console.print(f"{len(output):,} hộ → {out}")


@app.command()
def standards() -> None:
    """List the configured poverty standards and the years they cover."""
    from rasoat.cli_render import standards_table
    from rasoat.standards import all_standards

    console.print(standards_table(all_standards()))


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
