"""The round overview page on real databases: each commune's state, the figures against R1–R3, the
approval's fingerprint, no personal data, no external address, the same bytes when regenerated, and
the CLI option that writes it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.consolidation.chart_data import change_mark
from rasoat.consolidation.stored import tables_from_json
from rasoat.db import session_scope
from rasoat.db.models import Consolidation, Household, Member
from rasoat.generate import generate_district
from rasoat.pipeline.approval_stage import Decision, build_province_tables, record_decision
from rasoat.pipeline.baseline import import_baseline
from rasoat.pipeline.consolidation_stage import consolidate_round
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.pipeline.overview import overview_path, write_overview
from rasoat.pipeline.validation_stage import validate_stored
from rasoat.standards import standard_for_year

YEAR = 2024  # a district round (three-level map)
MISSING, REJECTED = "19618", "19621"  # never sent; sent with mistakes


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    good = tmp_path_factory.mktemp("camlo-good")
    bad = tmp_path_factory.mktemp("camlo-bad")
    generate_district("468", YEAR, good, seed=5, households=200)
    generate_district("468", YEAR, bad, seed=9, households=200, error_rate=0.05)
    return good, bad


def _submit(engine: Engine, path: Path) -> int:
    with session_scope(engine) as s:
        received = receive(
            s, YEAR, standard_for_year(YEAR), identify(path.name), path.name, path.read_bytes(), "xa"
        )
    with session_scope(engine) as s:
        validate_stored(s, received.submission_id, "xa", data_docs=False)
    return received.round_id


def _round(engine: Engine, files: tuple[Path, Path]) -> int:
    good, bad = files
    with session_scope(engine) as s:
        import_baseline(s, good / "history.csv", "468", "huyen")
    for path in sorted(good.glob("*.xlsx")):
        if path.stem not in (MISSING, REJECTED):
            round_id = _submit(engine, path)
    _submit(engine, bad / f"{REJECTED}.xlsx")
    with session_scope(engine) as s:
        outcome = consolidate_round(s, round_id, "huyen", without_missing=True, reason="thử nghiệm")
    with session_scope(engine) as s:
        prepared = build_province_tables(s, YEAR, "45", "tinh")
        decision = Decision(True, "Lê Văn Duyệt", "Chủ tịch UBND tỉnh", decision_number="9/QĐ-UBND")
        record_decision(s, prepared, decision, "tinh")
    return outcome.consolidation_id


def _cells(page: str, code: str) -> list[str]:
    row = re.search(rf'<tr[^>]*data-code="{code}">(.*?)</tr>', page, re.DOTALL)
    assert row, code
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[1])
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def test_overview_page_shows_the_round_as_recorded(
    engine: Engine, files: tuple[Path, Path], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    consolidation_id = _round(engine, files)
    path = overview_path(YEAR, "45")
    with session_scope(engine) as s:
        sha = write_overview(s, YEAR, path, "45")
        tables = tables_from_json(s.get(Consolidation, consolidation_id).tables)
        fingerprint = s.get(Consolidation, consolidation_id).data_sha256
        people = {
            value
            for column in (Household.head_name, Household.head_id_number, Member.full_name, Member.id_number)
            for value in s.scalars(select(column).distinct())
            if value and len(value) >= 6
        }
    page = path.read_text(encoding="utf-8")

    # each commune's state: accepted with its version, rejected with its blocking problems, missing
    rows = {
        m[1]: m[2] for m in re.finditer(r"<tr><td>(\d{5})</td>(.*?)</tr>", page, re.DOTALL) if m[1] != "468"
    }
    assert len(rows) == 8
    assert "Chưa nộp" in rows[MISSING]
    assert "Bị từ chối" in rows[REJECTED]
    blocking = re.findall(r'<td class="n">(\d+)</td>', rows[REJECTED])
    assert blocking and int(blocking[0]) > 0
    accepted = [code for code, row in rows.items() if "Đã chấp nhận" in row]
    assert len(accepted) == 6 and all(">v1<" in rows[c] for c in accepted)

    # the figures are R1–R3's
    r1 = tables["r1"].set_index("code")
    r2 = tables["r2"].loc[tables["r2"]["unit"] == "households"].set_index("code")
    r3 = tables["r3"].loc[tables["r3"]["unit"] == "households"].set_index("code")
    # A commune without data (left out by the recorded decision) has no figures: its state row says why.
    assert not re.search(rf'data-code="{MISSING}"', page)
    for code in r1.index[~r1["no_data"].astype(bool)]:
        cells = _cells(page, str(code))
        assert cells[0] == r1.loc[code, "name"]
        assert _number(cells[1]) == r1.loc[code, "households"]
        assert _number(cells[2]) == r1.loc[code, "poor_households"]
        assert _number(cells[6]) == r1.loc[code, "near_poor_households"]
        rate = r1.loc[code, "poor_households_rate"]
        assert cells[3] == ("–" if rate != rate else f"{rate:.2f}".replace(".", ","))
        if cells[4] != "–" and rate == rate:
            before = float(cells[4].replace(",", "."))
            assert cells[5] == change_mark(round(rate - before, 2))
        m2, m3 = r2.loc[code], r3.loc[code]
        assert [_number(c) for c in cells[10:15]] == [m2.c1, m2.c2 + m2.c3, m2.c6, m2.c7, m2.c9]
        assert [_number(c) for c in cells[15:20]] == [m3.c1, m3.c2, m3.c6, m3.c7, m3.c9]
    assert fingerprint in page
    assert "Đã phê duyệt: Chủ tịch UBND tỉnh" in page and "9/QĐ-UBND" in page
    assert page.count("<svg") == 2

    # self-contained and without people
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page and "@import" not in page
    for target in re.findall(r'(?:href|src)="([^"#][^"]*)"', page):
        assert "://" not in target and not target.startswith("/"), target
    assert people and not [p for p in people if p in page]
    assert "Lê Văn Duyệt" not in page  # the approver is named by position

    # regenerated: the same bytes; and the CLI writes the same page
    with session_scope(engine) as s:
        assert write_overview(s, YEAR, path, "45") == sha
    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["round", "status", str(YEAR), "--html", str(path), "--province", "45"])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == page


def test_charts_take_last_year_from_the_kept_partials_while_they_are_current(
    engine: Engine, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every commune consolidated: the charts' last year comes from the partials kept with the files,
    the same figures the database counts from the history, without counting; once last years' lists
    are written again (the partials out of date), or for tables a consolidation does not cover, the
    database counts them."""
    from rasoat.pipeline import chart_inputs

    good, _ = files
    with session_scope(engine) as s:
        import_baseline(s, good / "history.csv", "468", "huyen")
    for path in sorted(good.glob("*.xlsx")):
        round_id = _submit(engine, path)
    with session_scope(engine) as s:
        outcome = consolidate_round(s, round_id, "huyen")
    assert outcome.passed and not outcome.missing
    counted_calls: list[int] = []
    count = chart_inputs.status_counts
    monkeypatch.setattr(
        chart_inputs, "status_counts", lambda *a, **k: counted_calls.append(1) or count(*a, **k)
    )
    with session_scope(engine) as s:
        consolidation = s.get(Consolidation, outcome.consolidation_id)
        assert consolidation is not None
        tables = tables_from_json(consolidation.tables)
        counted = chart_inputs.unit_chart(s, tables)
        assert counted_calls == [1] and counted.has_previous
        kept = chart_inputs.unit_chart(s, tables, [consolidation])
        assert counted_calls == [1]
        assert kept.to_json() == counted.to_json()
    with session_scope(engine) as s:  # last years' lists written again: a new revision
        import_baseline(s, good / "history.csv", "468", "huyen")
    with session_scope(engine) as s:
        consolidation = s.get(Consolidation, outcome.consolidation_id)
        assert chart_inputs.unit_chart(s, tables, [consolidation]).to_json() == counted.to_json()
        assert counted_calls == [1, 1]
