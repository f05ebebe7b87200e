"""Property tests on random data (Hypothesis).

- The report identities of §6.3 (blocking checks of `expectations/consolidated.json`) hold for any
  round: random districts, sizes, departures and last-year statuses.
- Intake fed random bytes, or a valid workbook or CSV with random damage, either reads the file or
  refuses it with problems; never another exception. Whatever it is, the stored bytes are the bytes
  received.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rasoat.admin_units import communes_of, districts
from rasoat.classifier import classify
from rasoat.consolidation import (
    ConsolidationInput,
    Unit,
    as_units,
    check_tables,
    consolidate,
    departed_frame,
    household_frame,
)
from rasoat.db import init_db, session_scope
from rasoat.db.models import Submission
from rasoat.generate import build_district
from rasoat.intake import SubmissionError, read_submission
from rasoat.movements import compute_movements, previous_round
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.schema import Status
from rasoat.standards import standard_for_year
from rasoat.validation import Severity

YEAR = 2024  # a district round (three-level map)
STANDARD = standard_for_year(YEAR)
STATUSES = [Status.POOR.value, Status.NEAR_POOR.value, Status.NON_POOR.value]
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "468" / "19597.xlsx"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    code=st.sampled_from(["468", "615", "436"]),
    seed=st.integers(0, 100_000),
    households=st.integers(20, 500),
    departed_share=st.floats(0, 0.4),
    changed_share=st.floats(0, 0.6),
    rng=st.randoms(use_true_random=False),
)
def test_report_identities_hold_on_random_rounds(
    code: str, seed: int, households: int, departed_share: float, changed_share: float, rng: random.Random
) -> None:
    hh, members, history, _ = build_district(code, YEAR, seed=seed, households=households)
    # Some of last year's households are gone, and last year's statuses are shuffled at random.
    gone = {h for h in hh["household_id"] if rng.random() < departed_share}
    hh = hh.loc[~hh["household_id"].isin(gone)].reset_index(drop=True)
    members = members.loc[members["household_id"].isin(hh["household_id"])].reset_index(drop=True)
    history = history.copy()
    changed = [rng.random() < changed_share for _ in range(len(history))]
    history.loc[changed, "status"] = [rng.choice(STATUSES) for _ in range(sum(changed))]

    classified = classify(hh, STANDARD)
    previous = previous_round(history, YEAR, STANDARD.first_year).merge(
        history[["household_id", "commune_code"]].drop_duplicates("household_id"), on="household_id"
    )
    current = hh[["household_id", "members"]].assign(status=classified["status"].astype("object"))
    moves = compute_movements(current, previous)
    name = districts().set_index("district_code").loc[code, "district_name"]
    tables = consolidate(
        ConsolidationInput(
            Unit(code, name, "district"),
            as_units(communes_of(code)),
            YEAR,
            household_frame(hh, classified, moves),
            members,
            departed_frame(moves, previous),
        )
    )
    failed = [r.check for r in check_tables(tables) if r.severity is Severity.BLOCKING and not r.success]
    assert failed == []


def _read_or_refuse(content: bytes, name: str) -> None:
    try:
        parsed = read_submission(content, name)
    except SubmissionError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    else:
        assert all(p.message for p in parsed.problems)


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".xls", ".csv", ".xlsm"]))
def test_random_bytes_are_read_or_refused(content: bytes, suffix: str) -> None:
    _read_or_refuse(content, f"19597{suffix}")


def _damage(good: bytes, rng: random.Random, edits: int) -> bytes:
    data = bytearray(good)
    for _ in range(edits):
        at = rng.randrange(len(data))
        action = rng.random()
        if action < 0.5:
            data[at] = rng.randrange(256)
        elif action < 0.75:
            del data[at : at + rng.randint(1, 300)]
        else:
            data[at:at] = rng.randbytes(rng.randint(1, 60))
    return bytes(data)


@settings(max_examples=120, deadline=None)
@given(rng=st.randoms(use_true_random=False), edits=st.integers(1, 12))
def test_damaged_workbooks_are_read_or_refused(rng: random.Random, edits: int) -> None:
    _read_or_refuse(_damage(SAMPLE.read_bytes(), rng, edits), "19597.xlsx")


@settings(max_examples=120, deadline=None)
@given(rng=st.randoms(use_true_random=False), edits=st.integers(1, 12))
def test_damaged_csv_is_read_or_refused(rng: random.Random, edits: int) -> None:
    parsed = read_submission(SAMPLE.read_bytes(), "19597.xlsx")
    good = parsed.households.head(40).to_csv(index=False).encode("utf-8")
    _read_or_refuse(_damage(good, rng, edits), "19597.csv")


_DB = tempfile.TemporaryDirectory(prefix="rasoat-fuzz-")  # one SQLite file for every example


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), edits=st.integers(0, 8), raw=st.booleans())
def test_intake_keeps_the_bytes_received_whatever_they_are(rng: random.Random, edits: int, raw: bool) -> None:
    content = rng.randbytes(rng.randint(0, 2000)) if raw else _damage(SAMPLE.read_bytes(), rng, edits or 1)
    engine = init_db(f"sqlite:///{Path(_DB.name) / 'fuzz.db'}")
    with session_scope(engine) as s:
        received = receive(s, YEAR, STANDARD, identify("19597.xlsx"), "19597.xlsx", content, "fuzz")
    with session_scope(engine) as s:
        assert s.get(Submission, received.submission_id).content == content
    engine.dispose()
