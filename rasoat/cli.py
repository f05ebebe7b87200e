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
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rasoat.cli_render import (
    problems_table,
    round_result_table,
    round_status_table,
    summary_table,
    verdict_panel,
)
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
        from rasoat.admin.maps import NoMapError, UnknownUnitError
        from rasoat.admin.scope import ScopeError
        from rasoat.classifier import ClassificationInputError
        from rasoat.db.engine import DatabaseUnavailableError
        from rasoat.generate.profiles import UnknownProfileError
        from rasoat.intake import SubmissionError
        from rasoat.pipeline.approval_stage import NothingToApproveError
        from rasoat.pipeline.baseline import BaselineError
        from rasoat.pipeline.consolidation_stage import MissingCommunesError
        from rasoat.pipeline.identify import UnidentifiedCommuneError
        from rasoat.prefect_server import PrefectUnreachableError
        from rasoat.standards import NoStandardError

        known = (
            NoStandardError,
            ClassificationInputError,
            DatabaseUnavailableError,
            UnknownProfileError,
            UnknownUnitError,
            NoMapError,
            ScopeError,
            UnidentifiedCommuneError,
            BaselineError,
            MissingCommunesError,
            NothingToApproveError,
            PrefectUnreachableError,
            LookupError,  # e.g. no waiting approval for the round named
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
        except (typer.Exit, typer.Abort, typer.BadParameter, KeyboardInterrupt):
            raise  # BadParameter: typer prints the usage error and exits 2
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
    year: Annotated[int, typer.Option("--year", "-y", help="Review year: standard and map.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV, one row per household.")],
    province: Annotated[
        str | None, typer.Option("--province", "-p", help="Province code: its own standard, if any.")
    ] = None,
) -> None:
    """Classify a commune submission under the standard (of the year, and province) and the
    administrative map of the review year."""
    from rasoat.admin.maps import admin_map
    from rasoat.classifier import classify as classify_frame
    from rasoat.intake import read_submission_path
    from rasoat.standards import standard_for, standard_for_year
    from rasoat.summary import status_summary

    standard = standard_for_year(year) if province is None else standard_for(year, province)
    units = admin_map(year)
    if not file.exists():
        raise FileNotFoundError(f"không tìm thấy tệp {file}")
    from rasoat.intake.notes import reading_notes

    parsed = read_submission_path(file, year)
    parsed.raise_for_problems()
    for code in parsed.households["commune_code"].dropna().unique():
        units.commune(code)  # a code not on the year's map stops here, naming its successors
    # How the file was read (unit of the income column, rows taken as the table's end), and the
    # columns read from tick marks: the official checks them before trusting the classes below.
    for note in reading_notes(parsed):
        console.print(f"[dim]Đọc tệp:[/] {escape(note)}")
    for notice in parsed.notices:
        console.print(f"[yellow]Cảnh báo:[/] {escape(str(notice))}")
    result = classify_frame(parsed.households, standard)
    output = parsed.households[["household_id", "commune_code", "village", "area", "members"]].join(result)
    output["reported_status"] = parsed.households["reported_status"]
    out.parent.mkdir(parents=True, exist_ok=True)
    output.to_csv(out, index=False)
    console.print(
        summary_table(status_summary(parsed.households, result), f"{file.name} — {standard.name_vi}")
    )
    console.print(f"{len(output):,} hộ → {out}")


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
    year: Annotated[int, typer.Option("--year", "-y", help="Review year.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    district: Annotated[
        str | None, typer.Option("--district", "-d", help="Legacy district code, e.g. 468 (Cam Lộ).")
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", "-p", help="Province code on the year's map, e.g. 44.")
    ] = None,
    communes: Annotated[
        str | None,
        typer.Option("--communes", "-c", help="With --province: commune codes, e.g. 19597,19603."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 0,
    households: Annotated[
        int | None, typer.Option(help="Total households (default: the district's profile).")
    ] = None,
    errors: Annotated[float, typer.Option(help="Share of households given realistic mistakes.")] = 0.0,
) -> None:
    """Generate one sample workbook per commune (of a legacy district, or chosen units of a
    province on the year's map), plus last years' history."""
    if (district is None) == (province is None):
        raise typer.BadParameter("cần đúng một trong hai: --district (huyện cũ) hoặc --province (tỉnh)")
    if district is not None and communes:
        raise typer.BadParameter("--communes đi với --province: một huyện cũ được tạo đủ các xã")
    if province is not None:
        codes = [c.strip() for c in (communes or "").split(",") if c.strip()]
        if not codes:
            raise typer.BadParameter("cần --communes: mã các xã của tỉnh, cách nhau bởi dấu phẩy")
        result = _generate_communes(province, year, codes, out, seed, households, errors)
    else:
        result = _generate(str(district), year, out, seed, households, errors)
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


def _generate_communes(
    province: str, year: int, communes: list[str], out: Path, seed: int, households: int | None, errors: float
):
    from rasoat.generate import commune_scope, generate_communes

    commune_scope(province, year, communes, seed)  # a refused code is said before the progress bar
    with _progress() as progress:
        task = progress.add_task(f"Tạo dữ liệu mẫu tỉnh {province}", total=len(set(communes)))
        return generate_communes(
            province,
            year,
            communes,
            out,
            seed=seed,
            households=households,
            error_rate=errors,
            progress=lambda commune, n: progress.advance(task),
        )


@app.command()
@friendly_errors
def demo(
    legacy: Annotated[
        bool, typer.Option("--legacy", help="A district round of the three-level map (Cam Lộ, 2024) instead.")
    ] = False,
    year: Annotated[int | None, typer.Option(help="Review year (default 2026; 2024 with --legacy).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the generated data.")] = 1,
    households: Annotated[int | None, typer.Option(help="Total households (default ≈ 15,000).")] = None,
) -> None:
    """A whole review round on generated data, approved by a demo approver: this year's round of two
    communes of the new Quảng Trị (44) on today's map, or with --legacy Cam Lộ district's."""
    from dataclasses import replace

    from rasoat.admin.scope import scope_level
    from rasoat.cli_demo import LEGACY_DEMO, TWO_TIER_DEMO, run_demo

    plan = LEGACY_DEMO if legacy else TWO_TIER_DEMO
    if year is not None:
        if (scope_level(year) == "district") != legacy:
            raise typer.BadParameter(
                "năm này dùng bản đồ ba cấp: thêm --legacy"
                if not legacy
                else "--legacy chỉ dùng cho năm đến 2024"
            )
        plan = replace(plan, year=year)
    run_demo(console, plan, seed, households, _generate)


EXIT_REJECTED = 1


@app.command()
@friendly_errors
def submit(
    file: Annotated[Path, typer.Argument(help="The commune's file, named by its commune code (19597.xlsx).")],
    year: Annotated[int, typer.Option("--year", "-y", help="Review year.")],
    district: Annotated[
        str | None,
        typer.Option("--district", "-d", help="The round's district, up to 2024 (default: the commune's)."),
    ] = None,
    commune: Annotated[
        str | None, typer.Option("--commune", "-c", help="Commune code, when the file name lacks it.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who hands the file in (account or role).")] = "cli",
    data_docs: Annotated[bool, typer.Option(help="Also build Great Expectations Data Docs.")] = True,
    province: Annotated[
        str | None,
        typer.Option("--province", "-p", help="The round's province, from 2025 (default: the commune's)."),
    ] = None,
) -> None:
    """Hand in a commune's file: intake and validation. Exit 0 when accepted, non-zero otherwise."""
    from rasoat.admin.scope import scope_from_options
    from rasoat.pipeline.identify import identify
    from rasoat.prefect_server import prefect_api
    from rasoat.standards import standard_for_year

    if not file.is_file():
        raise FileNotFoundError(f"không tìm thấy tệp {file}")
    standard_for_year(year)  # a year without a standard fails here, before any flow starts
    if district or province:
        scope_from_options(year, district, province)  # a district of a two-tier year: one sentence
    filing = identify(file.name, commune, district or province, year)  # and a code not on the map
    console.print(f"Tiếp nhận tệp {file.name} của xã {filing.commune_code}, năm {year}…")
    with prefect_api():
        from flows.commune_submission import commune_submission

        validated = commune_submission(
            str(file.resolve()), year, filing.scope_code, filing.commune_code, by, data_docs
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


round_app = typer.Typer(help="Review rounds: start, follow.", no_args_is_help=True)
app.add_typer(round_app, name="round")


@round_app.command("start")
@friendly_errors
def round_start(
    year: Annotated[int, typer.Option("--year", "-y", help="Review year.")],
    district: Annotated[
        str | None, typer.Option("--district", "-d", help="A district round (up to 2024).")
    ] = None,
    province: Annotated[
        str | None,
        typer.Option("--province", "-p", help="A province round (its communes from 2025)."),
    ] = None,
    without_missing: Annotated[
        bool, typer.Option(help="Consolidate even if some communes have no accepted data.")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why consolidating without them (recorded).")] = None,
    approve: Annotated[bool, typer.Option(help="Ask for the province's approval at the end.")] = True,
    by: Annotated[str, typer.Option("--by", help="Who starts the round (account or role).")] = "cli",
) -> None:
    """Run a round on the files in RASOAT_HOME/inbox/<year>/<province>/ (from 2025; up to 2024
    inbox/<year>/<district>/), up to the approval."""
    from rasoat.admin.scope import scope_from_options
    from rasoat.prefect_server import prefect_api
    from rasoat.standards import standard_for_year

    standard_for_year(year)
    scope_from_options(year, district, province)  # refused before anything starts, in one sentence
    with prefect_api() as (api_url, temporary):
        from flows.review_round import review_round

        if approve and temporary:
            console.print(
                f"[yellow]Máy chủ Prefect tạm: {api_url.removesuffix('/api')}. Bước phê duyệt sẽ chờ trong "
                "tiến trình này: trả lời trong giao diện Prefect, hoặc từ cửa sổ khác bằng "
                f"`PREFECT_API_URL={api_url} rasoat approve ...`.[/]"
            )
        result = review_round(year, district, province, by, without_missing, reason, approve)
    console.print(round_result_table(result))


@round_app.command("status")
@friendly_errors
def round_status(
    year: Annotated[int | None, typer.Argument(help="Review year (default: every year).")] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write the year's overview page (self-contained HTML: states, rates chart, "
            "R2/R3 movements, approval) to this file; needs YEAR.",
        ),
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", help="With --html: only this province's rounds.")
    ] = None,
) -> None:
    """Where each round stands: communes, consolidation, approval (from the database)."""
    from rasoat.db import session_scope, shared_engine
    from rasoat.pipeline.status import round_statuses

    if html is not None and year is None:
        raise typer.BadParameter("--html cần năm rà soát (YEAR)")
    with session_scope(shared_engine()) as session:
        statuses = round_statuses(session, year)
        if html is not None and year is not None:
            from rasoat.pipeline.overview import write_overview

            write_overview(session, year, html, province)
    if not statuses:
        console.print("Chưa có đợt rà soát nào.")
    for status in statuses:
        console.print(round_status_table(status))
    if html is not None:
        console.print(f"Trang tổng quan: {html}")


@app.command()
@friendly_errors
def approve(
    round_name: Annotated[
        str,
        typer.Argument(
            metavar="ROUND", help="e.g. 2026-44 (year-province); up to 2024 also year-district, 2024-468."
        ),
    ],
    approver: Annotated[str, typer.Option(help="Name of the person deciding.")],
    position: Annotated[str, typer.Option(help="Their position, e.g. 'Chủ tịch UBND tỉnh'.")],
    decision_number: Annotated[str | None, typer.Option(help="Decision number, e.g. 123/QĐ-UBND.")] = None,
    reject: Annotated[
        bool,
        typer.Option("--reject", help="Send the round back (to its communes; up to 2024 its districts)."),
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why (required with --reject).")] = None,
) -> None:
    """Answer a waiting approval, as the form in the Prefect UI does."""
    from rasoat.prefect_settings import configure_prefect

    configure_prefect()
    from rasoat.operations.approval_client import answer_approval, parse_round

    year, province = parse_round(round_name)
    if reject and not (reason or "").strip():
        raise typer.BadParameter("trả lại cần --reason")
    if not reject and not (decision_number or "").strip():
        raise typer.BadParameter("phê duyệt cần --decision-number")
    answer = {
        "decision": "reject" if reject else "approve",
        "approver_name": approver,
        "approver_position": position,
        "decision_number": decision_number,
        "reason": reason,
    }
    run = answer_approval(year, province, answer)
    console.print(f"Đã gửi quyết định cho {run.name}: {'trả lại' if reject else 'phê duyệt'}.")


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
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: household_id, commune_code, year, status, members "
            "(by province also new_commune_code, village, former_household_id)."
        ),
    ],
    district: Annotated[
        str | None, typer.Option("--district", "-d", help="District the lists belong to (old map).")
    ] = None,
    province: Annotated[
        str | None,
        typer.Option(
            "--province",
            "-p",
            help="Province (since July 2025): lists up to 2024 under old codes are moved to the new units.",
        ),
    ] = None,
    assignments: Annotated[
        Path | None,
        typer.Option(
            "--assignments",
            help="With --province: CSV commune_code, village, new_commune_code for divided communes.",
        ),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who imports (account or role).")] = "cli",
) -> None:
    """Import approved statuses of earlier years; importing the same years again replaces them."""
    from rasoat.db import session_scope, shared_engine
    from rasoat.pipeline.baseline import import_baseline, import_province_baseline

    if (district is None) == (province is None):
        raise typer.BadParameter(
            "cần đúng một trong --district (danh mục cũ) hoặc --province (từ 01/07/2025)"
        )
    if assignments is not None and province is None:
        raise typer.BadParameter("--assignments chỉ dùng cùng --province")
    if not file.is_file():
        raise FileNotFoundError(f"không tìm thấy tệp {file}")
    if district is not None:
        with session_scope(shared_engine()) as session:
            done = import_baseline(session, file, district, by)
        console.print(
            f"Đã nhập {done.rows:,} dòng của {done.communes} xã, các năm {', '.join(map(str, done.years))}."
        )
        return
    assert province is not None
    with session_scope(shared_engine()) as session:
        moved = import_province_baseline(session, file, province, by, assignments)
    console.print(
        f"Đã nhập {moved.rows:,} dòng vào {moved.communes} xã mới của tỉnh {moved.province_code}, "
        f"các năm {', '.join(map(str, moved.years))}. Bản gốc của tệp: {moved.stored_copy}"
    )
    for line in moved.messages_vi:
        console.print(line, markup=False)


@app.command()
@friendly_errors
def up(
    host: Annotated[str, typer.Option(help="Address of the Prefect server rasoat starts.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the Prefect server rasoat starts.")] = 4200,
    auth: Annotated[str | None, typer.Option(help="user:password: basic auth for the server.")] = None,
    deploy: Annotated[bool, typer.Option(help="Run `prefect deploy --all` (prefect.yaml).")] = True,
    watch: Annotated[bool, typer.Option(help="Start the inbox watcher.")] = True,
    settle: Annotated[float, typer.Option(help="Seconds a new inbox file must stay unchanged.")] = 2.0,
) -> None:
    """Start (or connect to) the Prefect server, deploy, and run a worker and the inbox watcher."""
    from rasoat.operations.up import UpError, UpOptions
    from rasoat.operations.up import up as run_up

    try:
        code = run_up(UpOptions(host, port, auth, deploy, watch, settle), say=console.print)
    except UpError as exc:
        err.print(f"[bold red]Lỗi[/]: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    raise typer.Exit(code)


@app.command()
@friendly_errors
def down() -> None:
    """Stop a `rasoat up` running in the background, with its server, worker and watcher."""
    from rasoat.operations.up import down as run_down

    if not run_down(say=console.print):
        console.print("rasoat up không chạy.")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
