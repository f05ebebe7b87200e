"""Importing last years' approved lists (a baseline) so the first round in rasoat has movements.

The file is the long form the generator writes as history.csv and a province's database exports:
`household_id, commune_code, year, status, members`, one row per household and year.

By district (`import_baseline`, the old map): every code a commune of the district, stored as is.
By province (`import_province_baseline`, since the July 2025 reform): rows of 2024 and before under
the old codes of that year's map, rows of 2025 on under the new ones; the old rows are re-homed onto
the new units (rasoat.admin.rehome), the totals checked (rasoat.pipeline.baseline_checks), and the
households that cannot be placed queued for the province (rasoat.db.unplaced). All or nothing: a
failed check or a bad row writes nothing, and importing the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from rasoat import unit_codes
from rasoat.admin.maps import AdminMap, NoMapError, admin_map
from rasoat.admin.rehome import (
    ASSIGNMENT_INPUT,
    HISTORY_INPUT,
    OPTIONAL_INPUT,
    REASONS_VI,
    Rehomed,
    RehomeError,
    rehome,
    successor_pairs,
    target_map_for,
    unplaced_summary,
)
from rasoat.admin_units import communes_of
from rasoat.config import home
from rasoat.db import audit
from rasoat.db.history import HISTORY_COLUMNS, replace_history, replace_rehomed_history
from rasoat.db.unplaced import load_unplaced, replace_unplaced
from rasoat.pipeline.baseline_checks import RehomeCheck, run_rehome_checks
from rasoat.pipeline.outputs import province_output_dir
from rasoat.schema import STATUS_ALIASES, Status
from rasoat.text import fold


class BaselineError(ValueError):
    """The baseline file cannot be imported; the message names the file, row and column."""


@dataclass(frozen=True)
class BaselineImport:
    rows: int
    years: list[int]
    communes: int


def read_baseline(path: Path, district_code: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype={"household_id": str, "commune_code": str}, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise BaselineError(f"{path.name}: không đọc được tệp ({type(exc).__name__})") from None
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise BaselineError(f"{path.name}: thiếu cột {', '.join(missing)}")
    frame["commune_code"] = frame["commune_code"].str.zfill(5)
    statuses = {s.value for s in Status}
    checks = (
        ("status", ~frame["status"].isin(statuses), f"cần một trong {', '.join(sorted(statuses))}"),
        ("year", pd.to_numeric(frame["year"], errors="coerce").isna(), "cần năm (số)"),
        ("members", pd.to_numeric(frame["members"], errors="coerce").isna(), "cần số nhân khẩu"),
        (
            "commune_code",
            ~frame["commune_code"].isin({c.code for c in communes_of(district_code)}),
            f"cần mã một xã của huyện {district_code}",
        ),
    )
    for column, bad, expected in checks:
        if bad.any():
            first = int(bad.to_numpy().argmax()) + 2  # header is line 1
            raise BaselineError(
                f"{path.name}, dòng {first}, cột '{column}': {expected} ({int(bad.sum())} dòng sai)"
            )
    frame["year"] = frame["year"].astype(int)
    frame["members"] = frame["members"].astype(int)
    return frame[HISTORY_COLUMNS]


def import_baseline(session: Session, path: Path, district_code: str, actor: str) -> BaselineImport:
    frame = read_baseline(path, district_code)
    rows = replace_history(session, frame, "baseline")
    years = sorted(int(y) for y in frame["year"].unique())
    audit(
        session,
        actor,
        "baseline.imported",
        "district",
        district_code,
        {"file": path.name, "rows": rows, "years": years},
    )
    return BaselineImport(rows=rows, years=years, communes=int(frame["commune_code"].nunique()))


# By province, across the July 2025 reform --------------------------------------------------------

# Vietnamese headers a province's export may use (compared folded: "Mã hộ", "ma_ho", "MA HO").
HEADER_ALIASES: dict[str, str] = {
    "ma ho": "household_id",
    "ma ho gia dinh": "household_id",
    "ma xa": "commune_code",
    "ma xa cu": "commune_code",
    "nam": "year",
    "tinh trang": "status",
    "trang thai": "status",
    "phan loai": "status",
    "nhan khau": "members",
    "so nhan khau": "members",
    "so thanh vien": "members",
    "ma xa moi": "new_commune_code",
    "thon": "village",
    "thon xom": "village",
    "ten thon": "village",
    "ma ho cu": "former_household_id",
}
QUEUE_FILE = "ho-chua-xep-xa-moi-{province}.csv"


class BaselineCheckError(BaselineError):
    """The re-homed lists do not reconcile with the lists as recorded: nothing was written."""

    def __init__(self, message: str, check: RehomeCheck) -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True)
class ProvinceBaselineImport:
    province_code: str
    sha256: str
    rows: int  # statuses written to status_history
    years: list[int]
    communes: int  # new units that received rows
    unplaced_households: int
    unplaced_rows: int
    unplaced: (
        pd.DataFrame
    )  # per old commune and reason: households, rows (rasoat.admin.rehome.unplaced_summary)
    stored_copy: Path
    queue_file: Path | None  # the province's whole queue after this import; None when it is empty
    messages_vi: list[str] = field(default_factory=list)  # what the officer reads, no personal data


def _canonical_headers(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename known headers (English as written by rasoat, or their Vietnamese aliases) to canonical
    names; returns the frame and canonical → header as written, for messages."""
    known = {*HISTORY_INPUT, *OPTIONAL_INPUT}
    written: dict[str, str] = {}
    renames: dict[str, str] = {}
    for header in frame.columns:
        key = str(header).strip()
        canonical = key if key in known else HEADER_ALIASES.get(fold(key))
        if canonical is None:
            continue
        if canonical in written:
            raise BaselineError(f"{name}: hai cột cùng là '{canonical}' ('{written[canonical]}' và '{key}')")
        written[canonical] = key
        renames[header] = canonical
    return frame.rename(columns=renames), written


def _read_csv(path: Path, data: bytes) -> pd.DataFrame:
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise BaselineError(f"{path.name}: không đọc được tệp ({type(exc).__name__})") from None


def _first_bad(path: Path, frame: pd.DataFrame, bad: pd.Series, header: str, expected: str) -> BaselineError:
    first = int(frame.loc[bad, "line"].iloc[0])
    return BaselineError(f"{path.name}, dòng {first}, cột '{header}': {expected} ({int(bad.sum())} dòng sai)")


def _statuses(values: pd.Series) -> pd.Series:
    """Status values as rasoat writes them (poor, near_poor, …) or in Vietnamese (nghèo, cận nghèo)."""
    folded = values.map(fold)
    return folded.map({k: s.value for k, s in STATUS_ALIASES.items()})


def _years_maps(years: pd.Series) -> dict[int, AdminMap]:
    maps: dict[int, AdminMap] = {}
    for year in sorted(int(y) for y in years.unique()):
        try:
            maps[year] = admin_map(year)
        except NoMapError:
            raise BaselineError(f"năm {year}: không có danh mục đơn vị hành chính cho năm này") from None
    return maps


def read_province_baseline(path: Path, province_code: str, data: bytes | None = None) -> pd.DataFrame:
    """The province's lists, checked row by row: canonical columns (HISTORY_INPUT, the OPTIONAL_INPUT
    present) plus `line` (the file's line number, header = 1). Raises BaselineError naming the file,
    line and column of the first bad row, with how many rows share the problem."""
    province = unit_codes.province_code(province_code)
    raw, written = _canonical_headers(_read_csv(path, path.read_bytes() if data is None else data), path.name)
    missing = [written.get(c, c) for c in HISTORY_INPUT if c not in raw.columns]
    if missing:
        raise BaselineError(f"{path.name}: thiếu cột {', '.join(missing)}")
    frame = raw.loc[:, [c for c in (*HISTORY_INPUT, *OPTIONAL_INPUT) if c in raw.columns]].copy()
    frame = frame.apply(lambda c: c.str.strip())
    frame.insert(0, "line", range(2, len(frame) + 2))
    if frame.empty:
        raise BaselineError(f"{path.name}: tệp không có dòng nào")
    header = {c: written.get(c, c) for c in (*HISTORY_INPUT, *OPTIONAL_INPUT)}

    def fail(bad: pd.Series, column: str, expected: str) -> None:
        if bad.any():
            raise _first_bad(path, frame, bad, header[column], expected)

    fail(frame["household_id"] == "", "household_id", "cần mã hộ")
    status = _statuses(frame["status"])
    fail(
        status.isna(),
        "status",
        f"cần một trong {', '.join(s.value for s in Status)} (hoặc nghèo, cận nghèo…)",
    )
    frame["status"] = status
    year = pd.to_numeric(frame["year"], errors="coerce")
    fail(year.isna() | (year % 1 != 0), "year", "cần năm (số)")
    frame["year"] = year.astype("int64")
    members = pd.to_numeric(frame["members"], errors="coerce")
    fail(members.isna() | (members < 0) | (members % 1 != 0), "members", "cần số nhân khẩu (số nguyên ≥ 0)")
    frame["members"] = members.astype("int64")
    codes = frame["commune_code"]
    fail(~codes.str.fullmatch(r"\d{1,5}"), "commune_code", "cần mã xã (5 chữ số)")
    frame["commune_code"] = codes.str.zfill(5)

    maps = _years_maps(frame["year"])
    try:
        target = target_map_for(frame["year"])
    except RehomeError as exc:
        raise BaselineError(f"{path.name}: {exc}; nhập theo huyện (--district)") from None
    if province not in set(target.units["province_code"]):
        raise BaselineError(
            f"không có tỉnh mã {province} trong danh mục đơn vị hành chính ({target.name_vi})"
        )
    two_tier = frame["year"].map({y: m.is_two_tier for y, m in maps.items()}).astype(bool)
    on_map = pd.Series(False, index=frame.index)
    for year_value, amap in maps.items():
        rows = frame["year"] == year_value
        on_map |= rows & frame["commune_code"].isin(amap.units.index)
    fail(~on_map & ~two_tier, "commune_code", "cần mã xã có trong danh mục đơn vị hành chính cũ của năm đó")
    fail(~on_map & two_tier, "commune_code", "cần mã xã mới (danh mục từ 01/07/2025) cho các năm từ 2025")

    # The province's old communes: those with a successor in it, or — for the few old codes the
    # conversion table gives no successor — those of an old province that went into it.
    pairs = successor_pairs(target)
    pairs["province_code"] = pairs["new_code"].map(target.units["province_code"])
    ours = set(pairs.loc[pairs["province_code"] == province, "old_code"])
    conversion = target.conversion if target.conversion is not None else pd.DataFrame()
    old_provinces = set(conversion.loc[conversion["province_code"] == province, "old_province_code"].dropna())
    legacy_rows = frame.loc[~two_tier]
    old_province = pd.Series(pd.NA, index=frame.index, dtype="string")
    for year_value, amap in maps.items():
        rows = (frame["year"] == year_value) & ~two_tier
        old_province[rows] = frame.loc[rows, "commune_code"].map(amap.units["province_code"])
    orphan = ~frame["commune_code"].isin(set(pairs["old_code"])) & old_province.isin(old_provinces)
    in_province = pd.Series(False, index=frame.index)
    in_province[~two_tier] = legacy_rows["commune_code"].isin(ours) | orphan[~two_tier]
    in_province[two_tier] = frame.loc[two_tier, "commune_code"].map(target.units["province_code"]) == province
    fail(~in_province, "commune_code", f"cần mã một xã (cũ hoặc mới) thuộc tỉnh {province}")

    if "new_commune_code" in frame:
        new = frame["new_commune_code"]
        given = new != ""
        fail(
            given & ~new.str.fullmatch(r"\d{1,5}"),
            "new_commune_code",
            "cần mã xã mới (5 chữ số) hoặc để trống",
        )
        new = new.where(~given, new.str.zfill(5))
        fail(
            given & ~new.isin(target.units.index),
            "new_commune_code",
            "cần mã xã có trong danh mục từ 01/07/2025",
        )
        frame["new_commune_code"] = new.replace("", pd.NA)
    for column in ("village", "former_household_id"):
        if column in frame:
            frame[column] = frame[column].replace("", pd.NA)

    twice = frame.duplicated(["commune_code", "household_id", "year"], keep=False)
    fail(twice, "household_id", "một hộ chỉ có một dòng cho mỗi xã và năm (dòng trùng)")
    return frame


def read_assignments(path: Path) -> pd.DataFrame:
    """The village assignment table (`commune_code, village, new_commune_code`; Vietnamese headers
    `ma_xa`, `thon`, `ma_xa_moi` accepted) with `line`. Its content is checked by rehome."""
    if not path.is_file():
        raise BaselineError(f"không tìm thấy tệp {path}")
    raw, written = _canonical_headers(_read_csv(path, path.read_bytes()), path.name)
    missing = [written.get(c, c) for c in ASSIGNMENT_INPUT if c not in raw.columns]
    if missing:
        raise BaselineError(f"{path.name}: thiếu cột {', '.join(missing)}")
    table = raw.loc[:, list(ASSIGNMENT_INPUT)].apply(lambda c: c.str.strip()).replace("", pd.NA)
    table.insert(0, "line", range(2, len(table) + 2))
    return table


def _store_original(province: str, sha256: str, data: bytes) -> Path:
    """The file's bytes under RASOAT_HOME/baseline/<province>/<sha256>.csv (written once, atomically):
    what was imported can always be shown again, whatever later imports replace."""
    folder = home() / "baseline" / province
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{sha256}.csv"
    if not target.exists():
        partial = folder / f".{sha256}.partial"
        partial.write_bytes(data)
        os.replace(partial, target)
    return target


def _candidates(codes: pd.Series, target: AdminMap) -> pd.Series:
    """Old code → "18073 Phường Thành Sen; 18652 Phường Hà Huy Tập": the units to choose from."""
    pairs = successor_pairs(target)
    pairs = pairs.loc[pairs["old_code"].isin(set(codes))]
    label = pairs["new_code"] + " " + pairs["new_code"].map(target.units["name"]).fillna("")
    return label.groupby(pairs["old_code"]).agg("; ".join)


def _old_names(codes: pd.Series) -> pd.Series:
    """Old code → "Phường Đại Nài (Thành phố Hà Tĩnh)", from the three-level map."""
    legacy = admin_map(2024) if not admin_map(2024).is_two_tier else None
    if legacy is None:
        return pd.Series(dtype=str)
    units = legacy.units.reindex(sorted(set(codes)))
    parents = units["parent_code"].map(legacy.parents["name"])
    return (units["name"] + " (" + parents.fillna("") + ")").fillna("")


def write_queue_file(queue: pd.DataFrame, province: str, year: int, target: AdminMap) -> Path | None:
    """The province's whole queue as CSV for its officers (codes, statuses, villages and reasons; the
    lists carry no names). Removed when the queue is empty, so a stale list is never left behind."""
    path = province_output_dir(year, province) / QUEUE_FILE.format(province=province)
    if queue.empty:
        path.unlink(missing_ok=True)
        return None
    codes = queue["recorded_commune_code"]
    out = pd.DataFrame(
        {
            "household_id": queue["household_id"],
            "recorded_household_id": queue["recorded_household_id"],
            "commune_code": codes,
            "ten_xa_cu": codes.map(_old_names(codes)),
            "year": queue["year"],
            "status": queue["status"],
            "members": queue["members"],
            "village": queue["village"],
            "new_commune_code": queue["new_commune_code"],
            "xa_moi_co_the": codes.map(_candidates(codes, target)),
            "reason": queue["reason"],
            "ly_do": queue["reason"].map(REASONS_VI),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    out.to_csv(partial, index=False, encoding="utf-8-sig", lineterminator="\n")
    os.replace(partial, path)
    return path


def unplaced_messages(
    summary: pd.DataFrame, queue_file: Path | None, households: int | None = None
) -> list[str]:
    """Vietnamese lines for the officer: how many households, of which old unit, why, where the list
    is, and what to do. Codes and unit names only."""
    if summary.empty:
        return []
    names = _old_names(summary["recorded_commune_code"])
    if households is None:  # a household with rows of two reasons is counted once when the caller knows
        households = int(summary["households"].sum())
    lines = [
        f"Chưa xếp được {households:,} hộ vào xã mới; các hộ này chưa được nhập, chờ tỉnh xử lý:".replace(
            ",", "."
        )
    ]
    for row in summary.itertuples():
        name = names.get(row.recorded_commune_code, "") or "xã cũ"
        lines.append(
            f"  - {name}, mã {row.recorded_commune_code}: {row.households} hộ ({row.rows} dòng) — "
            f"{REASONS_VI[row.reason]}"
        )
    if queue_file is not None:
        lines.append(f"Danh sách: {queue_file}")
    lines.append(
        "Ghi mã xã mới vào cột new_commune_code của tệp (hoặc thêm thôn vào bảng --assignments) "
        "rồi nhập lại tệp."
    )
    return lines


def import_province_baseline(
    session: Session,
    path: Path,
    province_code: str,
    actor: str,
    assignments: Path | None = None,
) -> ProvinceBaselineImport:
    """Re-home the province's lists onto the new units, check the totals, store them, queue the
    households that cannot be placed. Raises BaselineError (nothing written) on a bad row, a bad
    assignment table, two lists claiming one household, or totals that do not reconcile."""
    province = unit_codes.province_code(province_code)
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    frame = read_province_baseline(path, province, data)
    table = read_assignments(assignments) if assignments is not None else None
    try:
        rehomed: Rehomed = rehome(frame, province, table)
    except RehomeError as exc:
        where = assignments.name if assignments is not None and "bảng phân bổ" in str(exc) else path.name
        raise BaselineError(f"{where}: {exc}") from None

    check = run_rehome_checks(frame, rehomed)
    if not check.passed:
        raise BaselineCheckError(
            f"{path.name}: tổng số hộ, nhân khẩu sau khi chuyển sang xã mới không khớp với danh sách cũ; "
            "chưa nhập gì. " + " ".join(check.blocking_messages()[:5]),
            check,
        )

    scope = frame.loc[:, ["year", "commune_code"]].drop_duplicates()
    scope = scope.rename(columns={"commune_code": "recorded_commune_code"})
    try:
        rows = replace_rehomed_history(session, rehomed.placed, scope)
    except ValueError as exc:
        raise BaselineError(f"{path.name}: {exc}") from None
    replace_unplaced(session, province, scope, rehomed.unplaced, sha256)
    session.flush()

    target = target_map_for(frame["year"])
    round_year = int(frame["year"].max()) + 1
    queue_file = write_queue_file(load_unplaced(session, province), province, round_year, target)
    summary = unplaced_summary(rehomed.unplaced)
    stored = _store_original(province, sha256, data)
    years = sorted(int(y) for y in frame["year"].unique())
    unplaced_households = int(
        rehomed.unplaced.drop_duplicates(["recorded_commune_code", "household_id"]).shape[0]
    )
    audit(
        session,
        actor,
        "baseline.imported",
        "province",
        province,
        {
            "file": path.name,
            "sha256": sha256,
            "rows": rows,
            "years": years,
            "unplaced_rows": len(rehomed.unplaced),
            "unplaced_by_commune": {
                str(code): int(n)
                for code, n in summary.groupby("recorded_commune_code")["households"].sum().items()
            },
        },
    )
    return ProvinceBaselineImport(
        province_code=province,
        sha256=sha256,
        rows=rows,
        years=years,
        communes=int(rehomed.placed["commune_code"].nunique()),
        unplaced_households=unplaced_households,
        unplaced_rows=len(rehomed.unplaced),
        unplaced=summary,
        stored_copy=stored,
        queue_file=queue_file,
        messages_vi=unplaced_messages(summary, queue_file, unplaced_households),
    )
