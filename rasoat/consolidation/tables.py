"""District (and province) consolidation: the official tables from the communes' households.

    tables = consolidate(ConsolidationInput(unit, communes, year, households, members, departed))
    tables["r1"]                      # one DataFrame per table key, see spec.TABLES
    province = consolidate_province([tables_468, tables_469], Unit("45", "Tỉnh Quảng Trị", "province"))

Every count is a `np.bincount` over the households' commune positions (or a groupby in
`movement_table`): no Python loop touches a household; the loops run over communes, tables and
columns. The top row of a table is the unit's total (as in the provincial layouts: the district row
above its communes); total rows are sums of the rows under them and their rates are recomputed from
the summed counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rasoat.ages import CHILD_AGE, INSURANCE_AGE, SCHOOL_AGES
from rasoat.consolidation.inputs import (
    ConsolidationInput,
    ConsolidationInputError,
    Unit,
    ages_at_reference,
    validate_input,
)
from rasoat.consolidation.spec import (
    CAUSE_KEYS,
    CAUSE_NOT_STATED,
    ID_COLUMNS,
    MOVEMENT_KEYS,
    TABLES,
    UNITS,
    TableSpec,
    headers_vi,
)
from rasoat.movements import Movement, movement_table
from rasoat.schema import (
    ETHNIC_ALIASES,
    ETHNIC_MAJORITY,
    INDICATOR_COLUMNS,
    POVERTY_CAUSE_ALIASES,
    POVERTY_CAUSES,
    Status,
)
from rasoat.standards import standard_for_year
from rasoat.text import fold, fold_compact

MOVEMENT_GROUPS = {"r2": "poor", "r3": "near_poor"}


def rate(numerator: np.ndarray | pd.Series, denominator: np.ndarray | pd.Series) -> np.ndarray:
    """numerator / denominator × 100 rounded half up to 2 decimals (as the provinces' spreadsheets'
    ROUND does); NaN (a blank cell) where the denominator is 0.

    Computed as floor(n × 10000 / d + 0.5) / 100 on integer counts: a value exactly halfway (1/800 =
    0.125 %) is a dyadic fraction the division gives exactly, so it rounds up (0.13), where
    `round()` on the binary float would give 0.12."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.floor(num * 10000.0 / den + 0.5) / 100.0
    return np.where(den > 0, out, np.nan)


@dataclass(frozen=True)
class ConsolidatedTables:
    """The consolidated tables of one unit (district, or province) for one review year."""

    unit: Unit
    year: int
    min_deprivations: int
    tables: dict[str, pd.DataFrame]

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.tables[key]

    def __iter__(self):
        return iter(self.tables)

    @staticmethod
    def headers_vi(key: str) -> dict[str, str]:
        return headers_vi(key)

    def with_table(self, key: str, frame: pd.DataFrame) -> ConsolidatedTables:
        """A copy with one table replaced (tests use it to break a cell on purpose)."""
        return ConsolidatedTables(self.unit, self.year, self.min_deprivations, {**self.tables, key: frame})


# ---------------------------------------------------------------------------------------------
# Per-commune counts


class _Counter:
    """Counts per commune position with np.bincount."""

    def __init__(self, positions: np.ndarray, n: int):
        self.positions = positions
        self.n = n

    def __call__(self, mask: np.ndarray | None = None, weights: np.ndarray | None = None) -> np.ndarray:
        pos = self.positions if mask is None else self.positions[mask]
        if weights is None:
            return np.bincount(pos, minlength=self.n).astype(np.int64)
        w = weights if mask is None else weights[mask]
        return np.rint(np.bincount(pos, weights=w, minlength=self.n)).astype(np.int64)


def _positions(codes: pd.Series, communes: Sequence[Unit], what: str) -> np.ndarray:
    pos = pd.Index([c.code for c in communes], dtype="object").get_indexer(codes.astype("object"))
    pos = np.asarray(pos, dtype=np.int64)
    unknown = pos < 0
    if unknown.any():
        bad = sorted(map(str, pd.unique(codes[unknown].astype("object").fillna("(trống)"))))[:5]
        raise ConsolidationInputError(
            f"{what}: {int(unknown.sum())} hộ có mã xã không thuộc đơn vị tổng hợp, ví dụ {', '.join(bad)}"
        )
    return pos


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) == 1.0


def _status_masks(status: pd.Series) -> dict[str, np.ndarray]:
    values = [s.value for s in Status]
    codes = pd.Index(values, dtype="object").get_indexer(status.astype("object"))
    return {s: codes == i for i, s in enumerate(values)}


def _canonical_causes(causes: pd.Series) -> np.ndarray:
    """Cause code per household ("" when not stated). Codes and Vietnamese labels are both accepted
    (intake gives codes, the generator labels); any other stated cause counts as "other" (Khác)."""
    obj = causes.astype("object")
    uniques = pd.unique(obj.dropna())
    mapping: dict[object, str] = {}
    for value in uniques:
        text = str(value).strip()
        if not text:
            mapping[value] = ""
        elif text in POVERTY_CAUSES:
            mapping[value] = text
        else:
            mapping[value] = POVERTY_CAUSE_ALIASES.get(fold(text), "other")
    return obj.map(mapping).astype("object").fillna("").to_numpy(dtype=object)


def _is_kinh(ethnicity: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(Kinh, ethnic minority) masks; a household with no ethnicity is in neither."""
    obj = ethnicity.astype("object")
    uniques = pd.unique(obj.dropna())
    canonical = {v: ETHNIC_ALIASES.get(fold_compact(str(v)), str(v).strip()) for v in uniques}
    mapped = obj.map(canonical)
    known = mapped.notna() & mapped.astype("object").ne("")
    kinh = (mapped == ETHNIC_MAJORITY).to_numpy(dtype=bool)
    return kinh, known.to_numpy(dtype=bool) & ~kinh


def _movement_counts(inp: ConsolidationInput, codes: list[str]) -> dict[str, pd.DataFrame]:
    hh = inp.households
    frame = pd.DataFrame(
        {
            "commune_code": hh["commune_code"].astype("object").to_numpy(),
            "members": pd.to_numeric(hh["members"], errors="coerce").fillna(0).astype("int64").to_numpy(),
            "previous_members": pd.to_numeric(hh["previous_members"], errors="coerce")
            .fillna(0)
            .astype("int64")
            .to_numpy(),
            "poor_movement": hh["poor_movement"].astype("object").to_numpy(),
            "near_poor_movement": hh["near_poor_movement"].astype("object").to_numpy(),
        }
    )
    if inp.departed is not None and len(inp.departed):
        gone = inp.departed
        _positions(gone["commune_code"], inp.communes, "bảng hộ ra khỏi danh sách")
        prev = gone["previous_status"].astype("object")
        departed = pd.DataFrame(
            {
                "commune_code": gone["commune_code"].astype("object").to_numpy(),
                "members": 0,
                "previous_members": pd.to_numeric(gone["previous_members"], errors="coerce")
                .fillna(0)
                .astype("int64")
                .to_numpy(),
                **{
                    f"{group}_movement": np.where(
                        prev.to_numpy() == group, Movement.OTHER_DECREASE.value, Movement.NONE.value
                    )
                    for group in ("poor", "near_poor")
                },
            }
        )
        frame = pd.concat([frame, departed], ignore_index=True)

    out: dict[str, pd.DataFrame] = {}
    for key, group in MOVEMENT_GROUPS.items():
        table = movement_table(frame, group, by="commune_code")
        wide = {}
        for unit in UNITS:
            part = table.loc[table["unit"] == unit].set_index("commune_code")[list(MOVEMENT_KEYS)]
            part = part.reindex(codes, fill_value=0).astype("int64")
            for column in MOVEMENT_KEYS:
                wide[f"{unit}.{column}"] = part[column].to_numpy()
        out[key] = pd.DataFrame(wide)
    return out


def _children_counts(
    inp: ConsolidationInput, count_hh: _Counter, masks: dict[str, np.ndarray]
) -> pd.DataFrame:
    spec = TABLES["r11"]
    n = count_hh.n
    if inp.members is None or not len(inp.members):
        return pd.DataFrame({k: np.zeros(n, dtype=np.int64) for k in spec.count_keys})
    m = inp.members
    owner = pd.Index(inp.households["household_id"]).get_indexer(m["household_id"])
    known = owner >= 0  # members of households outside the accepted submissions are not counted
    owner = owner[known]
    age = ages_at_reference(m, inp.year)[known]
    child = (age >= 0) & (age < CHILD_AGE)
    insured = pd.to_numeric(m["has_health_insurance"], errors="coerce").to_numpy("float64", na_value=np.nan)
    in_school = pd.to_numeric(m["in_school"], errors="coerce").to_numpy("float64", na_value=np.nan)
    d03 = _flag(inp.households, "d03")[owner]
    measures = {
        "children": child,
        # Indicator 4 counts members aged 6 or older only (children under 6 are insured by the State).
        "children_no_insurance": child & (age >= INSURANCE_AGE) & (insured[known] == 0),
        # No per-child nutrition field: every child under 16 of a household deprived in d03.
        "children_malnourished": child & d03,
        # Indicator 6: aged 3 to under 16 and not attending school.
        "children_out_of_school": (age >= SCHOOL_AGES[0]) & (age <= SCHOOL_AGES[1]) & (in_school[known] == 0),
    }
    count = _Counter(count_hh.positions[owner], n)
    out = {}
    for prefix, status in (("poor_", "poor"), ("near_poor_", "near_poor")):
        mine = masks[status][owner]
        for measure, mask in measures.items():
            out[f"{prefix}{measure}"] = count(mine & mask)
    for measure in measures:
        out[measure] = out[f"poor_{measure}"] + out[f"near_poor_{measure}"]
    return pd.DataFrame({k: out[k] for k in spec.count_keys})


def _commune_counts(inp: ConsolidationInput) -> dict[str, pd.DataFrame]:
    """Count columns of every non-derived table, one row per commune (in `inp.communes` order)."""
    hh = inp.households
    codes = [c.code for c in inp.communes]
    count = _Counter(_positions(hh["commune_code"], inp.communes, "bảng hộ"), len(codes))
    masks = _status_masks(hh["status"])
    members = pd.to_numeric(hh["members"], errors="coerce").fillna(0).to_numpy(dtype="float64")
    out: dict[str, pd.DataFrame] = {}

    r1 = {"households": count(), "persons": count(weights=members)}
    for status in ("poor", "near_poor", "mstb"):
        r1[f"{status}_households"] = count(masks[status])
    for status in ("poor", "near_poor", "mstb"):
        r1[f"{status}_persons"] = count(masks[status], members)
    out["r1"] = pd.DataFrame(r1)

    out.update(_movement_counts(inp, codes))

    flags = {code: _flag(hh, code) for code in INDICATOR_COLUMNS}
    depriv = pd.to_numeric(hh["deprivation_count"], errors="coerce").fillna(0).to_numpy(dtype="float64")
    for key, status in (("r4", "poor"), ("r6", "near_poor")):
        mask = masks[status]
        # "Tổng số thiếu hụt" from the classifier's deprivation_count; the checks compare it with the
        # sum of the indicator columns, which cross-checks flags and counts.
        table = {f"{status}_households": count(mask), "total_deprivations": count(mask, depriv)}
        table.update({code: count(mask & flags[code]) for code in INDICATOR_COLUMNS})
        out[key] = pd.DataFrame(table)

    no_labour, merit = _flag(hh, "no_labour_capacity"), _flag(hh, "merit_household")
    r8 = {}
    for status in ("poor", "near_poor"):
        mask = masks[status]
        r8[f"{status}_households"] = count(mask)
        r8[f"{status}_no_labour_capacity"] = count(mask & no_labour)
        r8[f"{status}_merit"] = count(mask & merit)
    out["r8"] = pd.DataFrame(r8)

    kinh, minority = _is_kinh(hh["ethnicity"])
    r9 = {}
    for group, gmask in (("minority", minority), ("kinh", kinh)):
        r9[f"{group}_households"] = count(gmask)
        r9[f"{group}_poor_households"] = count(gmask & masks["poor"])
        r9[f"{group}_near_poor_households"] = count(gmask & masks["near_poor"])
    out["r9"] = pd.DataFrame(r9)

    cause = _canonical_causes(hh["poverty_cause"])
    poor = masks["poor"]
    r10 = {"poor_households": count(poor)}
    r10.update({key: count(poor & (cause == code)) for code, key in CAUSE_KEYS.items()})
    r10[CAUSE_NOT_STATED] = count(poor & (cause == ""))
    out["r10"] = pd.DataFrame(r10)

    out["r11"] = _children_counts(inp, count, masks)
    return out


# ---------------------------------------------------------------------------------------------
# Assembling tables (wide internal form: long tables carry "households.c1" … "persons.c9")


def _wide_count_keys(spec: TableSpec) -> list[str]:
    if spec.long:
        return [f"{u}.{c}" for u in UNITS for c in spec.count_keys]
    return list(spec.count_keys)


def _finish(spec: TableSpec, wide: pd.DataFrame, done: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Add the rate columns, order the columns; for R2/R3 turn the wide rows into Hộ/Nhân khẩu rows."""
    if spec.derived_from:
        source = done[spec.derived_from]
        frame = source.loc[:, [*ID_COLUMNS, *spec.count_keys]].copy()
    else:
        frame = wide.loc[:, [*ID_COLUMNS, *_wide_count_keys(spec)]].copy()
    for column in spec.rate_columns:
        r = column.rate
        numerator = (done[r.numerator_table] if r.numerator_table else frame)[r.numerator]
        frame[column.key] = rate(numerator.to_numpy(), frame[r.denominator].to_numpy())
    if not spec.long:
        return frame.loc[:, [*ID_COLUMNS, *spec.keys]].reset_index(drop=True)
    parts = []
    for order, unit in enumerate(UNITS):
        part = frame.loc[:, list(ID_COLUMNS)].copy()
        part.insert(len(ID_COLUMNS), "unit", unit)
        for c in spec.count_keys:
            part[c] = frame[f"{unit}.{c}"].to_numpy()
        part["_row"] = np.arange(len(frame))
        part["_unit"] = order
        parts.append(part)
    out = pd.concat(parts, ignore_index=True).sort_values(["_row", "_unit"], kind="stable")
    return out.drop(columns=["_row", "_unit"]).reset_index(drop=True)


def to_wide(spec: TableSpec, table: pd.DataFrame) -> pd.DataFrame:
    """A table's identity and count columns, one row per unit of the hierarchy (R2/R3 pivoted)."""
    if not spec.long:
        return table.loc[:, [*ID_COLUMNS, *spec.count_keys]].reset_index(drop=True)
    base = table.loc[table["unit"] == UNITS[0], list(ID_COLUMNS)].reset_index(drop=True)
    for unit in UNITS:
        rows = table.loc[table["unit"] == unit].reset_index(drop=True)
        if len(rows) != len(base) or not rows["code"].equals(base["code"]):
            raise ValueError(f"{spec.key}: rows of '{unit}' do not match the rows of '{UNITS[0]}'")
        for c in spec.count_keys:
            base[f"{unit}.{c}"] = rows[c].to_numpy()
    return base


def _ids(
    level: str, tt: list[str], codes: list[str], names: list[str], parent: str | None, no_data
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": level,
            "tt": tt,
            "code": codes,
            "name": names,
            "parent_code": pd.Series([parent] * len(codes), dtype="object"),
            "no_data": np.asarray(no_data, dtype=bool),
        }
    )


def _with_total(
    total_ids: pd.DataFrame, rows: pd.DataFrame, summed: pd.DataFrame, keys: list[str]
) -> pd.DataFrame:
    total = total_ids.copy()
    for k in keys:
        total[k] = np.int64(summed[k].sum())
    frame = pd.concat([total, rows], ignore_index=True)
    for k in keys:
        frame[k] = frame[k].astype("int64")
    frame["no_data"] = frame["no_data"].astype(bool)
    return frame


def _min_deprivations(year: int, given: int | None) -> int:
    return int(given) if given is not None else standard_for_year(year).min_deprivations


def count_rows(inp: ConsolidationInput) -> dict[str, pd.DataFrame]:
    """The count columns of every non-derived table, one row per commune of `inp.communes` (in that
    order): what `assemble` turns into tables. A commune's rows depend on its own households only,
    so one commune's rows can be counted alone and kept (`rasoat.consolidation.partial`)."""
    validate_input(inp)
    return _commune_counts(inp)


def assemble(
    unit: Unit,
    communes: Sequence[Unit],
    year: int,
    min_deprivations: int | None,
    counts: dict[str, pd.DataFrame],
) -> ConsolidatedTables:
    """The unit's tables from its communes' count rows (`count_rows`, in `communes` order): its total
    row on top (sums, rates recomputed), then one row per commune."""
    codes = [c.code for c in communes]
    no_data = counts["r1"]["households"].to_numpy() == 0
    commune_ids = _ids(
        "commune",
        [str(i) for i in range(1, len(codes) + 1)],
        codes,
        [c.name for c in communes],
        unit.code,
        no_data,
    )
    if unit.level not in ("district", "province"):
        raise ConsolidationInputError(f"đơn vị tổng hợp phải là huyện hoặc tỉnh, không phải '{unit.level}'")
    total_ids = _ids(unit.level, [""], [unit.code], [unit.name], None, [bool(no_data.all())])
    done: dict[str, pd.DataFrame] = {}
    for key, spec in TABLES.items():
        if spec.derived_from:
            done[key] = _finish(spec, pd.DataFrame(), done)
            continue
        keys = _wide_count_keys(spec)
        rows = pd.concat([commune_ids, counts[key][keys].reset_index(drop=True)], axis=1)
        done[key] = _finish(spec, _with_total(total_ids, rows, counts[key], keys), done)
    return ConsolidatedTables(unit, year, _min_deprivations(year, min_deprivations), done)


def count_keys(key: str) -> list[str]:
    """The count columns `count_rows` gives for table `key` (wide form; none for a derived table)."""
    spec = TABLES[key]
    return [] if spec.derived_from else _wide_count_keys(spec)


def consolidate(inp: ConsolidationInput) -> ConsolidatedTables:
    """The unit's tables: its total row on top, then one row per commune of `inp.communes`."""
    return assemble(inp.unit, inp.communes, inp.year, inp.min_deprivations, count_rows(inp))


def consolidate_province(
    parts: Sequence[ConsolidatedTables], province: Unit, *, with_communes: bool = True
) -> ConsolidatedTables:
    """The province's tables from its districts' tables: the province row on top (sum of the district
    rows, rates recomputed), then each district row ("1", "2", …) followed, when `with_communes`,
    by its commune rows ("1.1", "1.2", …) as in the provincial layouts."""
    if not parts:
        raise ConsolidationInputError("không có huyện nào để tổng hợp")
    years = {p.year for p in parts}
    minimum = {p.min_deprivations for p in parts}
    if len(years) != 1 or len(minimum) != 1:
        raise ConsolidationInputError("các huyện phải cùng năm rà soát và cùng chuẩn nghèo")
    province = Unit(province.code, province.name, "province")
    done: dict[str, pd.DataFrame] = {}
    for key, spec in TABLES.items():
        if spec.derived_from:
            done[key] = _finish(spec, pd.DataFrame(), done)
            continue
        keys = _wide_count_keys(spec)
        blocks = []
        for i, part in enumerate(parts, start=1):
            wide = to_wide(spec, part[key])
            top = wide.loc[wide["parent_code"].isna()].copy()
            top["level"], top["tt"], top["parent_code"] = "district", str(i), province.code
            blocks.append(top)
            if with_communes:
                under = wide.loc[wide["parent_code"] == part.unit.code].copy()
                under["tt"] = f"{i}." + under["tt"].astype(str)
                blocks.append(under)
        rows = pd.concat(blocks, ignore_index=True)
        districts = rows.loc[rows["level"] == "district"]
        total_ids = _ids(
            "province", [""], [province.code], [province.name], None, [districts["no_data"].all()]
        )
        done[key] = _finish(spec, _with_total(total_ids, rows, districts, keys), done)
    return ConsolidatedTables(province, years.pop(), minimum.pop(), done)


def poor_rates(tables: ConsolidatedTables) -> pd.Series:
    """Poor-household rate (%) per unit code from (last year's) tables, for `check_tables`."""
    r1 = tables["r1"]
    return pd.Series(r1["poor_households_rate"].to_numpy(), index=r1["code"].astype(str))


def roster_poor_rates(roster: pd.DataFrame, total_code: str | None = None) -> pd.Series:
    """Poor-household rate (%) per commune from a roster (`commune_code`, `status`: e.g. last year's
    approved round), plus the whole roster's rate under `total_code` when given."""
    frame = pd.DataFrame(
        {
            "code": roster["commune_code"].astype("object").to_numpy(),
            "poor": (roster["status"].astype("object") == Status.POOR.value).to_numpy(),
        }
    )
    grouped = frame.groupby("code")["poor"].agg(["sum", "size"])
    out = pd.Series(rate(grouped["sum"], grouped["size"]), index=grouped.index.astype(str))
    if total_code is not None:
        out.loc[str(total_code)] = rate(np.array([grouped["sum"].sum()]), np.array([grouped["size"].sum()]))[
            0
        ]
    return out
