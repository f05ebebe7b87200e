"""Last years' lists carried across the July 2025 reform: re-homing old commune codes onto the new
units, the queue of households that cannot be placed, the totals check, storage and R2/R3 movements
of a new commune whose history was recorded under its old constituents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from rasoat.admin.maps import Successor, admin_map
from rasoat.admin.rehome import REASONS, RehomeError, rehome
from rasoat.cli import app
from rasoat.consolidation import departed_frame
from rasoat.db import session_scope
from rasoat.db.history import load_history, replace_history, status_counts
from rasoat.db.models import UNPLACED_REASONS, AuditEntry, BaselineUnplaced, StatusHistory
from rasoat.movements import compute_movements, movement_table, previous_round
from rasoat.pipeline import baseline
from rasoat.pipeline.baseline import BaselineCheckError, BaselineError, import_province_baseline
from rasoat.pipeline.baseline_checks import run_rehome_checks

COLUMNS = ["household_id", "commune_code", "year", "status", "members"]
DAI_NAI, THANH_SEN, HA_HUY_TAP, TRAN_PHU = "18082", "18073", "18652", "18100"
CAM_TUYEN, THANH_AN, CAM_THUY, CAM_HIEU, HIEU_GIANG, TT_CAM_LO = (
    "19600",
    "19603",
    "19606",
    "19615",
    "19603",
    "19597",
)


def frame(rows: list[tuple], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*COLUMNS, *extra])


def write_csv(path: Path, table: pd.DataFrame) -> Path:
    table.to_csv(path, index=False, lineterminator="\n")
    return path


# Re-homing (pure) ------------------------------------------------------------------------------------


def test_reasons_match_the_queue_table() -> None:
    assert REASONS == UNPLACED_REASONS


def test_whole_merge_goes_by_code() -> None:
    new_map = admin_map(2025)
    assert new_map.successors(CAM_TUYEN) == [Successor(HIEU_GIANG, "Xã Hiếu Giang", "Nhập toàn bộ")]
    assert CAM_TUYEN not in new_map.divided_codes()
    history = frame(
        [
            ("A", CAM_TUYEN, 2023, "poor", 4),
            ("A", CAM_TUYEN, 2024, "near_poor", 4),
            ("B", THANH_AN, 2024, "poor", 2),  # Thanh An kept its code for Hiếu Giang
            ("C", HIEU_GIANG, 2025, "poor", 3),  # already on the new map
        ]
    )
    out = rehome(history, "44")
    assert out.unplaced.empty
    placed = out.placed.set_index(["household_id", "year"])
    assert set(placed["commune_code"]) == {HIEU_GIANG}
    assert placed.loc[("A", 2023), "recorded_commune_code"] == CAM_TUYEN
    assert placed.loc[("A", 2024), "rule"] == "code"
    assert placed.loc[("C", 2025), "rule"] == "new_map"
    assert placed["members"].tolist() == [4, 4, 2, 3]  # ids and figures unchanged


def test_divided_commune_by_the_households_new_code() -> None:
    assert {s.code for s in admin_map(2025).successors(DAI_NAI)} == {THANH_SEN, HA_HUY_TAP}
    history = frame(
        [
            ("D1", DAI_NAI, 2023, "poor", 3, None),  # the column filled on the latest row only
            ("D1", DAI_NAI, 2024, "poor", 3, HA_HUY_TAP),
            ("D2", DAI_NAI, 2024, "near_poor", 2, THANH_SEN),
            ("D3", DAI_NAI, 2024, "poor", 5, TRAN_PHU),  # Trần Phú took no part of Đại Nài
            ("D4", DAI_NAI, 2024, "poor", 1, None),
        ],
        ("new_commune_code",),
    )
    out = rehome(history, "42")
    placed = out.placed.set_index(["household_id", "year"])["commune_code"]
    assert placed.to_dict() == {("D1", 2023): HA_HUY_TAP, ("D1", 2024): HA_HUY_TAP, ("D2", 2024): THANH_SEN}
    reasons = out.unplaced.set_index("household_id")["reason"].to_dict()
    assert reasons == {"D3": "not_successor", "D4": "divided_no_target"}


def test_divided_commune_by_village_assignment() -> None:
    history = frame(
        [
            ("V1", DAI_NAI, 2024, "poor", 3, "Tổ dân phố 3"),
            ("V2", DAI_NAI, 2024, "poor", 2, "tổ  dân phố 3"),  # case and spacing as typed
            ("V3", DAI_NAI, 2024, "near_poor", 4, "Tổ dân phố 7"),  # village not in the table
        ],
        ("village",),
    )
    assignments = pd.DataFrame(
        {
            "commune_code": [DAI_NAI, DAI_NAI],
            "village": ["Tổ dân phố 3", "Tổ dân phố 5"],
            "new_commune_code": [THANH_SEN, HA_HUY_TAP],
        }
    )
    out = rehome(history, "42", assignments)
    assert out.placed.set_index("household_id")["commune_code"].to_dict() == {
        "V1": THANH_SEN,
        "V2": THANH_SEN,
    }
    assert set(out.placed["rule"]) == {"village"}
    assert out.unplaced.set_index("household_id")["reason"].to_dict() == {"V3": "village_not_assigned"}
    summary = out.unplaced_summary()
    assert summary.to_dict("records") == [
        {"recorded_commune_code": DAI_NAI, "reason": "village_not_assigned", "households": 1, "rows": 1}
    ]


def test_an_assignment_to_a_unit_that_took_no_part_is_refused() -> None:
    history = frame([("V1", DAI_NAI, 2024, "poor", 3, "Tổ dân phố 3")], ("village",))
    wrong = pd.DataFrame(
        {"commune_code": [DAI_NAI], "village": ["Tổ dân phố 3"], "new_commune_code": [TRAN_PHU]}
    )
    with pytest.raises(RehomeError, match="bảng phân bổ thôn, dòng 0, cột 'new_commune_code'"):
        rehome(history, "42", wrong)


def test_former_household_id_links_older_rows_to_the_new_id() -> None:
    history = frame(
        [
            ("OLD-7", DAI_NAI, 2023, "poor", 3, None),
            ("OLD-7", DAI_NAI, 2024, "near_poor", 3, None),
            ("NEW-1", HA_HUY_TAP, 2025, "near_poor", 3, "OLD-7"),  # renumbered by the new ward
        ],
        ("former_household_id",),
    )
    out = rehome(history, "42")
    assert out.unplaced.empty  # the new id's row says where the divided ward's household lives now
    placed = out.placed.set_index("year")
    assert set(placed["household_id"]) == {"NEW-1"} and set(placed["commune_code"]) == {HA_HUY_TAP}
    assert placed.loc[2023, "recorded_household_id"] == "OLD-7"
    assert pd.isna(placed.loc[2025, "recorded_household_id"])


def test_the_same_id_from_two_merged_communes_is_not_merged_into_one_household() -> None:
    history = frame([("7", CAM_TUYEN, 2024, "poor", 3), ("7", CAM_THUY, 2024, "near_poor", 2)])
    out = rehome(history, "44")
    assert out.placed.empty and set(out.unplaced["reason"]) == {"duplicate_id"}


# The totals check --------------------------------------------------------------------------------------


def test_totals_reconcile_with_unplaced_households_as_their_own_bucket() -> None:
    history = frame(
        [
            ("A", CAM_TUYEN, 2024, "poor", 4, None),
            ("D1", DAI_NAI, 2024, "poor", 3, HA_HUY_TAP),
            ("D4", DAI_NAI, 2024, "poor", 2, None),
        ],
        ("new_commune_code",),
    )
    # Both provinces in one frame: the pure check holds per new province.
    out = rehome(history, "42")
    checked = run_rehome_checks(history, out)
    assert checked.passed
    totals = checked.frame.set_index(["province_code", "year", "status"])
    assert totals.loc[
        ("42", 2024, "poor"), ["old_households", "placed_households", "unplaced_households"]
    ].tolist() == [2, 1, 1]
    assert totals.loc[("42", 2024, "poor"), "members_gap"] == 0
    assert {r.check: r.success for r in checked.results}["baseline_rehome.all_placed"] is False  # a warning


def test_totals_check_fails_when_rows_are_lost_or_changed() -> None:
    history = frame([("A", CAM_TUYEN, 2024, "poor", 4), ("B", CAM_THUY, 2024, "poor", 2)])
    out = rehome(history, "44")
    lost = type(out)(out.province_code, out.target_map_id, out.placed.iloc[:1], out.unplaced)
    checked = run_rehome_checks(history, lost)
    assert not checked.passed
    where = "Tỉnh 44, năm 2024, Hộ nghèo: "
    assert checked.blocking_messages() == [
        where + "số hộ của các xã cũ (2) khác số đã chuyển về xã mới (1) cộng số chưa xếp được (0)",
        where + "số nhân khẩu của các xã cũ (6) khác số đã chuyển về xã mới (4) cộng số chưa xếp được (0)",
    ]


# Storage -----------------------------------------------------------------------------------------------


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_import_stores_rehomed_rows_once_and_again_changes_nothing(
    engine: Engine, tmp_path: Path, rasoat_home: Path
) -> None:
    path = write_csv(
        tmp_path / "lists.csv",
        frame(
            [
                ("A", CAM_TUYEN, 2023, "poor", 4),
                ("A", CAM_TUYEN, 2024, "near_poor", 4),
                ("B", TT_CAM_LO, 2024, "poor", 2),
                ("C", HIEU_GIANG, 2025, "poor", 3),
            ]
        ),
    )
    for _ in range(2):
        with session_scope(engine) as s:
            done = import_province_baseline(s, path, "44", "tinh")
        assert done.rows == 4 and done.unplaced_households == 0 and done.queue_file is None
        assert _count(engine, StatusHistory) == 4
    assert done.stored_copy == rasoat_home / "baseline" / "44" / f"{done.sha256}.csv"
    assert done.stored_copy.read_bytes() == path.read_bytes()
    with session_scope(engine) as s:
        new = load_history(s, [HIEU_GIANG, TT_CAM_LO], 2022, 2025)
        stored = s.execute(select(StatusHistory.commune_code, StatusHistory.recorded_commune_code)).all()
        # The old map still reads Cam Tuyền's lists by its own code; Thanh An (19603) has none.
        old = load_history(s, [CAM_TUYEN, THANH_AN], 2022, 2023, map_year=2024)
        assert (
            s.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "baseline.imported")
            )
            == 2
        )
    assert sorted(new["household_id"]) == ["A", "A", "B", "C"]
    assert set(new.loc[new["household_id"] == "A", "commune_code"]) == {HIEU_GIANG}
    assert (HIEU_GIANG, CAM_TUYEN) in stored and (HIEU_GIANG, HIEU_GIANG) in stored
    assert old[["household_id", "commune_code", "year"]].values.tolist() == [["A", CAM_TUYEN, 2023]]


def test_two_tier_rounds_do_not_read_an_old_code_a_new_unit_kept(engine: Engine) -> None:
    """Thị trấn Cam Lộ's lists stored as recorded (old district import) are not Xã Cam Lộ's history."""
    with session_scope(engine) as s:
        replace_history(s, frame([("T", TT_CAM_LO, 2024, "poor", 2)]), "baseline")
    with session_scope(engine) as s:
        assert len(load_history(s, [TT_CAM_LO], 2022, 2024)) == 1  # by code as stored (unchanged)
        assert load_history(s, [TT_CAM_LO], 2022, 2024, map_year=2025).empty
        assert len(load_history(s, [TT_CAM_LO], 2022, 2024, map_year=2024)) == 1
        # Counted by the database (the charts' last year), the same rows are read.
        assert status_counts(s, [TT_CAM_LO], 2024, map_year=2025).empty
        assert status_counts(s, [TT_CAM_LO], 2024, map_year=2024).values.tolist() == [[TT_CAM_LO, "poor", 1]]


def test_unplaced_households_are_queued_and_leave_the_queue_once_placed(
    engine: Engine, tmp_path: Path, rasoat_home: Path
) -> None:
    lists = frame(
        [
            ("D1", DAI_NAI, 2023, "poor", 3, "Tổ dân phố 3"),
            ("D1", DAI_NAI, 2024, "poor", 3, "Tổ dân phố 3"),
            ("D2", DAI_NAI, 2024, "near_poor", 2, "Tổ dân phố 5"),
            ("D3", DAI_NAI, 2024, "poor", 4, ""),
            ("N1", "18085", 2024, "poor", 1, ""),  # old Phường Hà Huy Tập: wholly into Thành Sen
        ],
        ("village",),
    )
    path = write_csv(tmp_path / "ha-tinh.csv", lists)
    with session_scope(engine) as s:
        first = import_province_baseline(s, path, "42", "tinh")
    assert first.rows == 1 and first.unplaced_households == 3 and first.unplaced_rows == 4
    assert _count(engine, BaselineUnplaced) == 4
    text = "\n".join(first.messages_vi)
    assert "Chưa xếp được 3 hộ vào xã mới" in text
    assert "Phường Đại Nài (Thành phố Hà Tĩnh), mã 18082: 2 hộ (3 dòng)" in text
    assert "thôn của hộ chưa có trong bảng phân bổ thôn" in text
    assert "mã 18082: 1 hộ (1 dòng) — xã cũ được chia cho nhiều xã mới; hộ không có mã xã mới" in text
    assert first.queue_file == rasoat_home / "output" / "2025" / "42" / "ho-chua-xep-xa-moi-42.csv"
    assert f"Danh sách: {first.queue_file}" in text
    queue = pd.read_csv(first.queue_file, dtype=str, encoding="utf-8-sig")
    assert sorted(queue["household_id"]) == ["D1", "D1", "D2", "D3"]
    assert set(queue["xa_moi_co_the"]) == {"18073 Phường Thành Sen; 18652 Phường Hà Huy Tập"}

    assignments = write_csv(
        tmp_path / "thon.csv",
        pd.DataFrame(
            {
                "ma_xa": [DAI_NAI, DAI_NAI],
                "thon": ["Tổ dân phố 3", "Tổ dân phố 5"],
                "ma_xa_moi": [THANH_SEN, HA_HUY_TAP],
            }
        ),
    )
    with session_scope(engine) as s:
        second = import_province_baseline(s, path, "42", "tinh", assignments)
    assert second.rows == 4 and second.unplaced_households == 1  # D3 has no village: still waiting
    with session_scope(engine) as s:
        waiting = s.scalars(select(BaselineUnplaced.household_id)).all()
        placed = load_history(s, [THANH_SEN, HA_HUY_TAP], 2022, 2024, map_year=2025)
        counted = status_counts(s, [THANH_SEN, HA_HUY_TAP], 2024, map_year=2025)
    assert waiting == ["D3"]
    assert placed.set_index(["household_id", "year"])["commune_code"].to_dict() == {
        ("D1", 2023): THANH_SEN,
        ("D1", 2024): THANH_SEN,
        ("D2", 2024): HA_HUY_TAP,
        ("N1", 2024): THANH_SEN,  # the old Phường Hà Huy Tập went wholly to Thành Sen, not to Hà Huy Tập
    }
    assert sorted(counted.values.tolist()) == [[THANH_SEN, "poor", 2], [HA_HUY_TAP, "near_poor", 1]]
    assert _count(engine, StatusHistory) == 4  # replaced, not added


def test_a_failing_totals_check_writes_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(
        tmp_path / "lists.csv", frame([("A", CAM_TUYEN, 2024, "poor", 4), ("B", CAM_THUY, 2024, "poor", 2)])
    )

    def losing(*args: object, **kwargs: object):  # a re-homing that drops a row
        out = rehome(*args, **kwargs)  # type: ignore[arg-type]
        return type(out)(out.province_code, out.target_map_id, out.placed.iloc[:1], out.unplaced)

    monkeypatch.setattr(baseline, "rehome", losing)
    with (
        pytest.raises(BaselineCheckError, match="không khớp với danh sách cũ; chưa nhập gì"),
        session_scope(engine) as s,
    ):
        import_province_baseline(s, path, "44", "tinh")
    assert _count(engine, StatusHistory) == 0 and _count(engine, BaselineUnplaced) == 0


def test_bad_rows_name_file_line_and_column(tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad.csv", frame([("A", CAM_TUYEN, 2024, "poor", 4), ("B", "99999", 2024, "poor", 2)])
    )
    with pytest.raises(BaselineError, match=r"bad.csv, dòng 3, cột 'commune_code'"):
        baseline.read_province_baseline(bad, "44")
    other = write_csv(tmp_path / "other.csv", frame([("A", DAI_NAI, 2024, "poor", 4)]))
    with pytest.raises(
        BaselineError, match=r"other.csv, dòng 2, cột 'commune_code': cần mã một xã .* thuộc tỉnh 44"
    ):
        baseline.read_province_baseline(other, "44")
    new_code_in_old_year = write_csv(tmp_path / "x.csv", frame([("A", CAM_TUYEN, 2025, "poor", 4)]))
    with pytest.raises(BaselineError, match=r"dòng 2, cột 'commune_code': cần mã xã mới"):
        baseline.read_province_baseline(new_code_in_old_year, "44")


def test_vietnamese_headers_and_statuses(tmp_path: Path) -> None:
    path = tmp_path / "vi.csv"
    path.write_text(
        "ma_ho,ma_xa,nam,tinh_trang,nhan_khau,thon\nA,19600,2024,Hộ nghèo,4,Thôn 1\n", encoding="utf-8"
    )
    read = baseline.read_province_baseline(path, "44")
    assert read.loc[0, ["household_id", "commune_code", "year", "status", "members", "village"]].tolist() == [
        "A",
        CAM_TUYEN,
        2024,
        "poor",
        4,
        "Thôn 1",
    ]


# R2/R3 across 2024 → 2025 ----------------------------------------------------------------------------------


def test_movements_of_a_new_commune_from_its_old_constituents_lists(engine: Engine, tmp_path: Path) -> None:
    """Xã Hiếu Giang (19603) ← Cam Tuyền, Thanh An, Cam Thủy, Cam Hiếu: last years' statuses under the
    old codes, this year's classification under the new one."""
    lists = frame(
        [
            ("H1", CAM_TUYEN, 2024, "poor", 4),  # → non-poor: escaped poverty
            ("H2", THANH_AN, 2023, "non_poor", 3),
            ("H2", THANH_AN, 2024, "non_poor", 3),  # → poor, never poor before: newly poor
            ("H3", CAM_THUY, 2023, "poor", 5),
            ("H3", CAM_THUY, 2024, "non_poor", 5),  # → poor again: re-poor
            ("H4", CAM_HIEU, 2024, "near_poor", 2),  # not in 2025: departed
            ("H5", CAM_TUYEN, 2024, "poor", 6),  # stays poor
            ("H6", CAM_TUYEN, 2024, "near_poor", 2),  # → poor
            ("H7", TT_CAM_LO, 2024, "poor", 1),  # Xã Cam Lộ's, not Hiếu Giang's
        ]
    )
    with session_scope(engine) as s:
        import_province_baseline(s, write_csv(tmp_path / "quang-tri.csv", lists), "44", "tinh")
    current = pd.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H5", "H6"],
            "status": ["non_poor", "poor", "poor", "poor", "poor"],
            "members": [4, 3, 5, 6, 2],
        }
    )
    with session_scope(engine) as s:
        history = load_history(s, [HIEU_GIANG], 2022, 2024, map_year=2025)
        assert history.equals(load_history(s, [HIEU_GIANG], 2022, 2024))  # only re-homed rows here
    assert set(history["commune_code"]) == {HIEU_GIANG} and "H7" not in set(history["household_id"])

    previous = previous_round(history, 2025, 2022)
    moves = compute_movements(current, previous).set_index("household_id")
    poor = moves["poor_movement"].astype(str).to_dict()
    assert poor == {
        "H1": "escaped",
        "H2": "new",
        "H3": "re_entered",
        "H4": "none",
        "H5": "stayed",
        "H6": "from_sibling",
    }
    assert moves.loc["H4", "near_poor_movement"] == "other_decrease"
    assert moves.loc["H6", "near_poor_movement"] == "to_sibling"

    with_commune = previous.merge(history[["household_id", "commune_code"]].drop_duplicates("household_id"))
    departed = departed_frame(moves.reset_index(), with_commune)
    assert departed[["household_id", "commune_code", "previous_status"]].values.tolist() == [
        ["H4", HIEU_GIANG, "near_poor"]
    ]
    r2 = movement_table(moves.reset_index(), "poor").set_index("unit").loc["households"]
    assert r2[["c1", "c3", "c5", "c6", "c7", "c9"]].tolist() == [2, 1, 1, 1, 1, 4]  # H1,H5 → H2,H3,H5,H6
    r3 = movement_table(moves.reset_index(), "near_poor").set_index("unit").loc["households"]
    assert r3[["c1", "c3", "c4", "c9"]].tolist() == [2, 1, 1, 0]


# The command line ------------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_baseline_import_by_province(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)
    path = write_csv(
        tmp_path / "quang-tri.csv",
        frame(
            [
                ("A", CAM_TUYEN, 2023, "poor", 4),
                ("A", CAM_TUYEN, 2024, "poor", 4),
                ("B", TT_CAM_LO, 2024, "near_poor", 2),
            ]
        ),
    )
    first = runner.invoke(app, ["baseline", "import", str(path), "--province", "44"])
    assert first.exit_code == 0, first.output
    assert "Đã nhập 3 dòng vào 2 xã mới của tỉnh 44, các năm 2023, 2024." in first.output
    again = runner.invoke(app, ["baseline", "import", str(path), "--province", "44"])
    assert again.exit_code == 0 and again.output == first.output

    wrong = runner.invoke(app, ["baseline", "import", str(path), "--province", "42"])
    assert wrong.exit_code == 2 and "dòng 2, cột 'commune_code'" in wrong.output
    both = runner.invoke(app, ["baseline", "import", str(path), "--province", "44", "--district", "468"])
    assert both.exit_code == 2 and "--province" in both.output

    divided = write_csv(tmp_path / "ha-tinh.csv", frame([("D", DAI_NAI, 2024, "poor", 3)]))
    queued = runner.invoke(app, ["baseline", "import", str(divided), "--province", "42"])
    assert queued.exit_code == 0, queued.output
    assert "Chưa xếp được 1 hộ vào xã mới" in queued.output and "Phường Đại Nài" in queued.output
    assert "ho-chua-xep-xa-moi-42.csv" in queued.output
