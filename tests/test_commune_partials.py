"""Each accepted commune's share of the consolidation, counted alone and kept.

1. Pure: the tables assembled from per-commune partials equal the tables consolidated from every
   household at once (a generated district with last year's list, every table, every cell), and a
   partial survives its JSON form; a commune without a partial is a row of zeros.
2. Kept in the database: accepting a file keeps its partial; a consolidation reads it instead of
   counting again; new lists of last years (an import) make it stale and it is counted again from
   the rows; writing this year's statuses (an approval) leaves it valid.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from rasoat.admin_units import communes_of
from rasoat.classifier import classify
from rasoat.consolidation import Unit, as_units, consolidate
from rasoat.consolidation.partial import CommunePartial, assemble_partials, commune_partial
from rasoat.db import session_scope
from rasoat.db.history import history_revision, replace_history
from rasoat.db.models import CommunePartialRecord
from rasoat.generate import build_district
from rasoat.generate.review import generated_review
from rasoat.pipeline import commune_partials
from rasoat.pipeline.baseline import import_baseline
from rasoat.pipeline.commune_partials import partial_for
from rasoat.pipeline.consolidation_stage import consolidate_round
from rasoat.pipeline.validation_stage import validate_stored_concurrently
from rasoat.standards import standard_for_year
from tests.stages import accept, take_in

YEAR = 2024  # a district round on the three-level map
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "468"


def _partials(district: str, seed: int, households: int) -> tuple[dict[str, CommunePartial], object]:
    standard = standard_for_year(YEAR)
    hh, members, history, _ = build_district(district, YEAR, seed=seed, households=households)
    classified = classify(hh, standard)
    hh = hh.assign(
        status=classified["status"].astype("object"), deprivation_count=classified["deprivation_count"]
    )
    unit = Unit(district, "huyện", "district")
    out = {}
    for commune in as_units(communes_of(district)):
        mine = hh.loc[hh["commune_code"] == commune.code].reset_index(drop=True)
        if mine.empty:
            continue
        out[commune.code] = commune_partial(
            unit,
            commune,
            YEAR,
            mine,
            members.loc[members["household_id"].isin(mine["household_id"])],
            history.loc[history["commune_code"] == commune.code],
            period_first_year=standard.first_year,
            min_deprivations=None,
        )
    return out, unit


def test_tables_from_partials_equal_tables_from_every_household() -> None:
    whole = generated_review("468", YEAR, seed=11, households=1200)
    partials, _ = _partials("468", seed=11, households=1200)
    assert len(partials) >= 2
    round_trip = {c: CommunePartial.from_json(p.to_json()) for c, p in partials.items()}
    assembled = assemble_partials(
        whole.input.unit, whole.input.communes, YEAR, whole.input.min_deprivations, round_trip
    )
    direct = consolidate(whole.input)
    assert list(assembled.tables) == list(direct.tables)
    for key in direct.tables:
        pd.testing.assert_frame_equal(assembled[key], direct[key], check_dtype=False, obj=key)
    # R2 column 1 (last year's poor) is not zero: the partials did read last year's list.
    assert assembled["r1"].iloc[0]["households"] == 1200
    assert sum(p.last_roster.poor for p in partials.values() if p.last_roster) > 0


def test_a_commune_without_a_partial_is_a_row_of_zeros() -> None:
    partials, unit = _partials("468", seed=3, households=300)
    communes = as_units(communes_of("468"))
    dropped = sorted(partials)[0]
    kept = {c: p for c, p in partials.items() if c != dropped}
    tables = assemble_partials(unit, communes, YEAR, None, kept)
    row = tables["r1"].set_index("code").loc[dropped]
    assert row["households"] == 0 and bool(row["no_data"])
    assert tables["r1"].iloc[0]["households"] == sum(p.counts["r1"]["households"] for p in kept.values())


def test_a_kept_partial_is_read_while_last_years_lists_are_unchanged(engine: Engine) -> None:
    database = engine
    files = sorted(SAMPLE.glob("*.xlsx"))[:2]
    round_id = accept(database, files, YEAR)  # the stages (a round's task keeps it: test_tasks)
    with session_scope(database) as s:
        before = history_revision(s, 2022, YEAR - 1)
        first = consolidate_round(s, round_id, "huyen", without_missing=True, reason="kiểm thử")
        assert s.scalar(select(func.count()).select_from(CommunePartialRecord)) == 2
    with session_scope(database) as s:
        second = consolidate_round(s, round_id, "huyen", without_missing=True, reason="kiểm thử")
        assert s.scalar(select(func.count()).select_from(CommunePartialRecord)) == 2  # read, not counted
        assert second.data_sha256 == first.data_sha256

    # This year's statuses (an approval writes them) do not touch what the partials read.
    code = files[0].stem
    this_year = pd.DataFrame(
        {"household_id": ["X1"], "commune_code": [code], "year": [YEAR], "status": ["poor"], "members": [3]}
    )
    with session_scope(database) as s:
        replace_history(s, this_year, "round")
    with session_scope(database) as s:
        assert history_revision(s, 2022, YEAR - 1) == before
        again = consolidate_round(s, round_id, "huyen", without_missing=True, reason="kiểm thử")
        assert s.scalar(select(func.count()).select_from(CommunePartialRecord)) == 2
        assert again.data_sha256 == first.data_sha256

    # Last year's list of one commune imported: its partial is counted again, and shows it.
    last_year = pd.DataFrame(
        {
            "household_id": ["NEW-1", "NEW-2"],
            "commune_code": [code, code],
            "year": [YEAR - 1, YEAR - 1],
            "status": ["poor", "near_poor"],
            "members": [4, 2],
        }
    )
    with session_scope(database) as s:
        replace_history(s, last_year, "baseline")
    with session_scope(database) as s:
        assert history_revision(s, 2022, YEAR - 1) > before
        third = consolidate_round(s, round_id, "huyen", without_missing=True, reason="kiểm thử")
        assert s.scalar(select(func.count()).select_from(CommunePartialRecord)) == 4
        assert third.data_sha256 != first.data_sha256
        r2 = third.tables["r2"]
        row = r2.loc[(r2["code"] == code) & (r2["unit"] == "households")].iloc[0]
        assert row["c1"] == 1  # last year's one poor household, from the imported list
        submission_id = third.included[code]
        assert partial_for(s, submission_id).partial.last_roster.households == 2


def test_the_partial_kept_on_acceptance_is_the_one_its_rows_give(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accepting a file counts the rows it has just written, in memory (it reads none of them back);
    counted again from the database, with last year's list, they give the same partial (every count,
    last year's roster, the history's digest)."""
    path = SAMPLE / "19597.xlsx"
    with session_scope(engine) as s:
        import_baseline(s, SAMPLE / "history.csv", "468", "kiểm thử")
    received = take_in(engine, path, YEAR)
    with monkeypatch.context() as m:
        for reader in ("load_households", "load_members"):
            m.setattr(commune_partials, reader, lambda *_a, **_k: pytest.fail("rows read back"))
        assert validate_stored_concurrently(engine, received.submission_id, "xa", data_docs=False).accepted
    with session_scope(engine) as s:
        kept = s.scalars(select(CommunePartialRecord.payload)).all()
        s.execute(delete(CommunePartialRecord))
    assert len(kept) == 1
    with session_scope(engine) as s:
        recounted = partial_for(s, received.submission_id)
    assert recounted.counted_now and recounted.partial.last_roster is not None
    assert CommunePartial.from_json(kept[0]) == recounted.partial
