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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rasoat.cli_render import movement_summary_table, problems_table, summary_table, verdict_panel
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
        from rasoat.admin_units import UnknownUnitError
        from rasoat.classifier import ClassificationInputError
        from rasoat.db.engine import DatabaseUnavailableError
        from rasoat.generate.profiles import UnknownProfileError
        from rasoat.intake import SubmissionError
        from rasoat.pipeline.baseline import BaselineError
        from rasoat.pipeline.identify import UnidentifiedCommuneError
        from rasoat.standards import NoStandardError

        known = (
            NoStandardError,
            ClassificationInputError,
            DatabaseUnavailableError,
            UnknownProfileError,
            UnknownUnitError,
            UnidentifiedCommuneError,
            BaselineError,
            FileNotFoundError,
            IsADirectoryError,
        )

        try:
            return func(*args, **kwargs)
        except SubmissionError as exc:
            err.print(f"[bold red]Tệp không hợp lệ[/]: {len(exc.problems)} lỗi.")
            err.print(problems_table(exc.problems))
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except known as exc:
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


DEMO_DISTRICT = "468"  # Cam Lộ, Quảng Trị
DEMO_YEAR = 2026  # this autumn's periodic review; Decree 351/2025 keeps the 2022–2025 standard for 2026
DEMO_ACTOR = "demo"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@app.command()
@friendly_errors
def generate(
    district: Annotated[str, typer.Option("--district", "-d", help="District code, e.g. 468 (Cam Lộ).")],
    year: Annotated[int, typer.Option("--year", "-y", help="Review year.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 0,
    households: Annotated[
        int | None, typer.Option(help="Total households (default: the district's profile).")
    ] = None,
    errors: Annotated[float, typer.Option(help="Share of households given realistic mistakes.")] = 0.0,
) -> None:
    """Generate one sample workbook per commune of a district, plus last years' history."""
    result = _generate(district, year, out, seed, households, errors)
    console.print(
        f"{len(result.files)} xã, {result.households:,} hộ, {result.members:,} nhân khẩu → {out}"
        + (f"; {errors:.1%} hộ có lỗi cố ý (xem {result.manifest_path.name})" if errors else "")
    )


def _generate(district: str, year: int, out: Path, seed: int, households: int | None, errors: float):
    from rasoat.admin_units import communes_of
    from rasoat.generate import generate_district

    with _progress() as progress:
        task = progress.add_task(f"Tạo dữ liệu mẫu huyện {district}", total=len(communes_of(district)))
        return generate_district(
            district,
            year,
            out,
            seed=seed,
            households=households,
            error_rate=errors,
            progress=lambda commune, n: progress.advance(task),
        )


@app.command()
@friendly_errors
def demo(
    year: Annotated[int, typer.Option(help="Review year.")] = DEMO_YEAR,
    seed: Annotated[int, typer.Option(help="Random seed of the generated data.")] = 1,
    households: Annotated[int | None, typer.Option(help="Total households (default ≈ 15,000).")] = None,
) -> None:
    """Generate Cam Lộ, store and classify every commune, print the per-commune table."""
    import pandas as pd

    from rasoat.admin_units import communes_of
    from rasoat.commune_review import review_commune_file
    from rasoat.db import get_or_create_round, init_db, session_scope
    from rasoat.movements import movement_table, previous_round
    from rasoat.standards import standard_for_year
    from rasoat.summary import status_summary

    standard = standard_for_year(year)
    out = home() / "demo" / str(year) / DEMO_DISTRICT
    console.print(f"[bold]rasoat demo[/] — huyện Cam Lộ ({DEMO_DISTRICT}), năm {year}, {standard.name_vi}")
    result = _generate(DEMO_DISTRICT, year, out, seed, households, 0.0)
    history = pd.read_csv(result.history_path, dtype={"household_id": str, "commune_code": str})
    previous = previous_round(history, year, standard.first_year).merge(
        history[["household_id", "commune_code"]].drop_duplicates("household_id"),
        on="household_id",
        how="left",
    )

    engine = init_db()
    console.print(f"Cơ sở dữ liệu: {engine.url.render_as_string(hide_password=True)}")
    names = {c.code: c.name for c in communes_of(DEMO_DISTRICT)}
    outcomes = []
    with _progress() as progress:
        task = progress.add_task("Tiếp nhận và phân loại", total=len(result.files))
        for path in result.files:
            with session_scope(engine) as session:  # one transaction per commune: all or nothing
                review_round = get_or_create_round(
                    session, year, "district", DEMO_DISTRICT, standard, DEMO_ACTOR
                )
                outcomes.append(
                    review_commune_file(
                        session, review_round, path, path.stem, standard, previous, DEMO_ACTOR
                    )
                )
            progress.advance(task)

    rejected = [o for o in outcomes if not o.accepted]
    for o in rejected:
        err.print(f"[yellow]Xã {o.commune_code}[/]: {len(o.problems)} lỗi, chưa phân loại")
    accepted = [o for o in outcomes if o.accepted]
    households_all = pd.concat([o.households for o in accepted], ignore_index=True)
    classified_all = pd.concat([o.classified for o in accepted], ignore_index=True)
    console.print(
        summary_table(status_summary(households_all, classified_all), "Kết quả phân loại theo xã", names)
    )
    moves = pd.concat([o.movements for o in accepted], ignore_index=True)
    console.print(movement_summary_table(movement_table(moves, "poor"), movement_table(moves, "near_poor")))
    new = sum(o.new_version for o in outcomes)
    console.print(f"{new} bản nộp mới, {len(outcomes) - new} bản trùng (đã lưu trước đó, không ghi lại).")


EXIT_REJECTED = 1


@app.command()
@friendly_errors
def submit(
    file: Annotated[Path, typer.Argument(help="The commune's file, named by its commune code (19597.xlsx).")],
    year: Annotated[int, typer.Option("--year", "-y", help="Review year.")],
    district: Annotated[
        str | None, typer.Option("--district", "-d", help="The round's district (default: the commune's).")
    ] = None,
    commune: Annotated[
        str | None, typer.Option("--commune", "-c", help="Commune code, when the file name lacks it.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who hands the file in (account or role).")] = "cli",
    data_docs: Annotated[bool, typer.Option(help="Also build Great Expectations Data Docs.")] = True,
) -> None:
    """Hand in a commune's file: intake and validation. Exit 0 when accepted, non-zero otherwise."""
    from rasoat.pipeline.identify import identify
    from rasoat.prefect_settings import configure_prefect
    from rasoat.standards import standard_for_year

    if not file.is_file():
        raise FileNotFoundError(f"không tìm thấy tệp {file}")
    standard_for_year(year)  # a year without a standard fails here, before any flow starts
    filing = identify(file.name, commune, district)  # and so does a file of unknown commune
    configure_prefect()
    from flows.commune_submission import commune_submission

    console.print(f"Tiếp nhận tệp {file.name} của xã {filing.commune_code}, năm {year}…")
    validated = commune_submission(
        str(file.resolve()), year, filing.district_code, filing.commune_code, by, data_docs
    )
    console.print(verdict_panel(validated))
    if not validated.accepted:
        raise typer.Exit(EXIT_BAD_INPUT if validated.verdict == "unreadable" else EXIT_REJECTED)


@app.command()
def standards() -> None:
    """List the configured poverty standards and the years they cover."""
    from rasoat.cli_render import standards_table
    from rasoat.standards import all_standards

    console.print(standards_table(all_standards()))


db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Apply migrations and load the administrative units (idempotent)."""
    from rasoat.db import init_db

    engine = init_db()
    console.print(f"Cơ sở dữ liệu đã cập nhật: {engine.url.render_as_string(hide_password=True)}")


baseline_app = typer.Typer(help="Last years' approved lists (the start of R2/R3).", no_args_is_help=True)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("import")
@friendly_errors
def baseline_import(
    file: Annotated[Path, typer.Argument(help="CSV: household_id, commune_code, year, status, members.")],
    district: Annotated[str, typer.Option("--district", "-d", help="District the lists belong to.")],
    by: Annotated[str, typer.Option("--by", help="Who imports (account or role).")] = "cli",
) -> None:
    """Import approved statuses of earlier years; importing the same years again replaces them."""
    from rasoat.db import session_scope, shared_engine
    from rasoat.pipeline.baseline import import_baseline

    if not file.is_file():
        raise FileNotFoundError(f"không tìm thấy tệp {file}")
    with session_scope(shared_engine()) as session:
        done = import_baseline(session, file, district, by)
    console.print(
        f"Đã nhập {done.rows:,} dòng của {done.communes} xã, các năm {', '.join(map(str, done.years))}."
    )


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
