"""The consolidated tables' layouts: stable English column keys, Vietnamese headers, column numbers.

Modelled on the provincial poverty-database reports (domain brief §6.2, report-layouts/report_1..5):
R1 overall results, R2/R3 movements of poor/near-poor households, R4–R7 deprivations of poor and
near-poor households (counts, then rates), R8 target groups, R9 ethnicity, R10 causes of poverty,
R11 children's deprivations.

Every table starts with the row identity columns (`ID_COLUMNS`); R2 and R3 add `unit` (two rows per
unit of the hierarchy, "Hộ" and "Nhân khẩu"). A column is either a count (int64) or a rate (float64,
percent, 2 decimals, NaN = blank when the denominator is 0) described by `Rate`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasoat.schema import INDICATOR_COLUMNS, POVERTY_CAUSES


@dataclass(frozen=True)
class Rate:
    """rate = numerator / denominator × 100; `table` names where the numerator lives (None: here)."""

    numerator: str
    denominator: str
    numerator_table: str | None = None


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    header_vi: str  # the cell under the group header in the official layout
    group_vi: str | None = None  # the merged header above it, if any
    number: str | None = None  # the column-number row of the layout ("4=3/1*100")
    rate: Rate | None = None

    @property
    def full_header_vi(self) -> str:
        return f"{self.group_vi} — {self.header_vi}" if self.group_vi else self.header_vi


@dataclass(frozen=True)
class TableSpec:
    key: str
    title_vi: str
    columns: tuple[ColumnSpec, ...]
    long: bool = False  # R2/R3: one row per (unit of the hierarchy, households|persons)
    derived_from: str | None = None  # R5/R7: counts come from R4/R6, only rates are shown

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def count_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.rate is None)

    @property
    def rate_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.rate is not None)

    def lead_headers(self, unit_level: str) -> list[str]:
        """The identity columns before the figures, as the official layouts head them."""
        lead = ["TT", "Đơn vị" if unit_level == "province" else "Phường/Xã"]
        return [*lead, "Phân tổ"] if self.long else lead

    def column_groups(self) -> list[tuple[str | None, tuple[ColumnSpec, ...]]]:
        """Runs of adjacent columns under one merged group header (None: a column on its own)."""
        runs: list[tuple[str | None, tuple[ColumnSpec, ...]]] = []
        for column in self.columns:
            if column.group_vi and runs and runs[-1][0] == column.group_vi:
                runs[-1] = (column.group_vi, (*runs[-1][1], column))
            else:
                runs.append((column.group_vi, (column,)))
        return runs

    def column(self, key: str) -> ColumnSpec:
        return next(c for c in self.columns if c.key == key)


# Row identity. `level`: commune | district | province. `tt`: the layout's TT ("1", "1.1"; the top
# total row has ""). `parent_code`: code of the row this one adds up into (None for the top row).
# `no_data`: a commune listed for the unit that has no household in the accepted submissions (its
# counts are 0 and its rates blank); for a total row, every commune under it has no data.
ID_COLUMNS: tuple[str, ...] = ("level", "tt", "code", "name", "parent_code", "no_data")
ID_HEADERS_VI: dict[str, str] = {
    "level": "Cấp",
    "tt": "TT",
    "code": "Mã đơn vị",
    "name": "Phường/Xã",
    "parent_code": "Thuộc đơn vị",
    "no_data": "Chưa có dữ liệu",
    "unit": "Phân tổ",
}
LEVELS = ("commune", "district", "province")
UNITS: tuple[str, ...] = ("households", "persons")
UNIT_LABELS_VI: dict[str, str] = {"households": "Hộ", "persons": "Nhân khẩu"}

MOVEMENT_KEYS: tuple[str, ...] = tuple(f"c{i}" for i in range(1, 10))
INDICATOR_NUMBERS: dict[str, str] = {code: str(i) for i, code in enumerate(INDICATOR_COLUMNS, start=1)}


def _r1() -> TableSpec:
    hh = "Tổng số hộ dân cư (tại thời điểm rà soát)"
    res_hh = "Kết quả rà soát về hộ (chính thức)"
    res_p = "Kết quả rà soát về khẩu (chính thức)"
    groups = {
        "poor": ("Tổng số hộ nghèo", "Tổng số khẩu nghèo"),
        "near_poor": ("Tổng số hộ cận nghèo", "Tổng số khẩu cận nghèo"),
        "mstb": (
            "Tổng số hộ nông, lâm, ngư nghiệp có mức sống trung bình",
            "Tổng số khẩu nông, lâm, ngư nghiệp có mức sống trung bình",
        ),
    }
    columns = [
        ColumnSpec("households", "Số hộ", hh, "1"),
        ColumnSpec("persons", "Nhân khẩu", hh, "2"),
    ]
    n = 3
    for status, (hh_group, _) in groups.items():
        columns += [
            ColumnSpec(f"{status}_households", "Số hộ", f"{res_hh} — {hh_group}", str(n)),
            ColumnSpec(
                f"{status}_households_rate",
                "Tỷ lệ (%)",
                f"{res_hh} — {hh_group}",
                f"{n + 1}={n}/1*100",
                Rate(f"{status}_households", "households"),
            ),
        ]
        n += 2
    for status, (_, p_group) in groups.items():
        columns += [
            ColumnSpec(f"{status}_persons", "Số khẩu", f"{res_p} — {p_group}", str(n)),
            ColumnSpec(
                f"{status}_persons_rate",
                "Tỷ lệ (%)",
                f"{res_p} — {p_group}",
                f"{n + 1}={n}/2*100",
                Rate(f"{status}_persons", "persons"),
            ),
        ]
        n += 2
    return TableSpec(
        "r1",
        "TỔNG HỢP KẾT QUẢ CHÍNH THỨC RÀ SOÁT HỘ NGHÈO; HỘ CẬN NGHÈO; "
        "HỘ LÀM NÔNG, LÂM, NGƯ NGHIỆP CÓ MỨC SỐNG TRUNG BÌNH",
        tuple(columns),
    )


def _r2() -> TableSpec:
    down = "Diễn biến giảm số hộ nghèo"
    up = "Diễn biến tăng số hộ nghèo"
    return TableSpec(
        "r2",
        "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO",
        (
            ColumnSpec("c1", "Tổng số hộ nghèo đầu kỳ", None, "1"),
            ColumnSpec("c2", "Trở thành hộ cận nghèo", f"{down} — Số hộ thoát nghèo", "2"),
            ColumnSpec("c3", "Vượt chuẩn cận nghèo", f"{down} — Số hộ thoát nghèo", "3"),
            ColumnSpec(
                "c4",
                "Số hộ khác: thay đổi nhân khẩu, hộ nghèo đơn thân chết, chuyển đi nơi khác, tách, …",
                down,
                "4",
            ),
            ColumnSpec("c5", "Số hộ cận nghèo trở thành hộ nghèo", up, "5"),
            ColumnSpec("c6", "Tái nghèo", f"{up} — Số hộ nghèo bổ sung trong năm", "6"),
            ColumnSpec("c7", "Phát sinh mới", f"{up} — Số hộ nghèo bổ sung trong năm", "7"),
            ColumnSpec("c8", "Số hộ khác: thay đổi nhân khẩu, chuyển đến, tách, …", up, "8"),
            ColumnSpec("c9", "Tổng số hộ nghèo cuối kỳ", None, "9=1-2-3-4+5+6+7+8"),
        ),
        long=True,
    )


def _r3() -> TableSpec:
    down = "Diễn biến giảm số hộ cận nghèo"
    up = "Diễn biến tăng số hộ cận nghèo"
    return TableSpec(
        "r3",
        "TỔNG HỢP DIỄN BIẾN HỘ CẬN NGHÈO",
        (
            ColumnSpec("c1", "Tổng số hộ cận nghèo đầu kỳ", None, "1"),
            ColumnSpec("c2", "Số hộ thoát cận nghèo", down, "2"),
            ColumnSpec("c3", "Số hộ cận nghèo trở thành hộ nghèo", down, "3"),
            ColumnSpec(
                "c4",
                "Số hộ khác: thay đổi nhân khẩu, hộ đơn thân chết, chuyển đi nơi khác, tách, "
                "nhập với hộ khác, …",
                down,
                "4",
            ),
            ColumnSpec("c5", "Số hộ nghèo trở thành hộ cận nghèo", up, "5"),
            ColumnSpec("c6", "Tái cận nghèo", f"{up} — Số hộ bổ sung", "6"),
            ColumnSpec("c7", "Phát sinh mới", f"{up} — Số hộ bổ sung", "7"),
            ColumnSpec(
                "c8", "Số hộ khác: thay đổi nhân khẩu, chuyển đến, tách, nhập với hộ khác, …", up, "8"
            ),
            ColumnSpec("c9", "Tổng số hộ cận nghèo cuối kỳ", None, "9=1-2-3-4+5+6+7+8"),
        ),
        long=True,
    )


def _deprivations(key: str, status: str, label: str) -> TableSpec:
    group = f"Chỉ số thiếu hụt dịch vụ xã hội cơ bản của {label}"
    return TableSpec(
        key,
        f"PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA {label.upper()}",
        (
            ColumnSpec(f"{status}_households", f"Tổng số {label}"),
            ColumnSpec("total_deprivations", "Tổng số thiếu hụt"),
            *(ColumnSpec(code, INDICATOR_NUMBERS[code], group) for code in INDICATOR_COLUMNS),
        ),
    )


def _deprivation_rates(key: str, source: str, status: str, label: str) -> TableSpec:
    group = f"Tỷ lệ chỉ số thiếu hụt dịch vụ xã hội cơ bản của {label} (%)"
    return TableSpec(
        key,
        f"PHÂN TÍCH TỶ LỆ CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA {label.upper()}",
        (
            ColumnSpec(f"{status}_households", f"Tổng số {label}"),
            *(
                ColumnSpec(
                    f"{code}_rate",
                    INDICATOR_NUMBERS[code],
                    group,
                    rate=Rate(code, f"{status}_households", numerator_table=source),
                )
                for code in INDICATOR_COLUMNS
            ),
        ),
        derived_from=source,
    )


def _r8() -> TableSpec:
    columns: list[ColumnSpec] = []
    for status, label in (("poor", "Hộ nghèo"), ("near_poor", "Hộ cận nghèo")):
        columns += [
            ColumnSpec(f"{status}_households", "Tổng số hộ", label),
            ColumnSpec(f"{status}_no_labour_capacity", "Hộ không có khả năng lao động", label),
            ColumnSpec(f"{status}_merit", "Hộ có thành viên là người có công với cách mạng", label),
        ]
    return TableSpec("r8", "PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO CÁC NHÓM ĐỐI TƯỢNG", tuple(columns))


def _r9() -> TableSpec:
    columns: list[ColumnSpec] = []
    for group, label in (("minority", "Hộ dân tộc thiểu số (DTTS)"), ("kinh", "Hộ dân tộc Kinh")):
        columns += [
            ColumnSpec(f"{group}_households", "Tổng số hộ", label),
            ColumnSpec(f"{group}_poor_households", "Số hộ nghèo", label),
            ColumnSpec(
                f"{group}_poor_rate",
                "Tỷ lệ hộ nghèo (%)",
                label,
                rate=Rate(f"{group}_poor_households", f"{group}_households"),
            ),
            ColumnSpec(f"{group}_near_poor_households", "Số hộ cận nghèo", label),
            ColumnSpec(
                f"{group}_near_poor_rate",
                "Tỷ lệ hộ cận nghèo (%)",
                label,
                rate=Rate(f"{group}_near_poor_households", f"{group}_households"),
            ),
        ]
    return TableSpec("r9", "PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC", tuple(columns))


CAUSE_KEYS: dict[str, str] = {code: f"cause_{code}" for code in POVERTY_CAUSES}
CAUSE_NOT_STATED = "cause_not_stated"


def _r10() -> TableSpec:
    group = "Nguyên nhân nghèo"
    return TableSpec(
        "r10",
        "PHÂN TÍCH HỘ NGHÈO THEO NGUYÊN NHÂN NGHÈO",
        (
            ColumnSpec("poor_households", "Tổng số hộ nghèo"),
            *(ColumnSpec(CAUSE_KEYS[code], label, group) for code, label in POVERTY_CAUSES.items()),
            ColumnSpec(CAUSE_NOT_STATED, "Chưa ghi nguyên nhân", group),
        ),
    )


CHILD_GROUPS: dict[str, str] = {
    "": "Hộ nghèo và hộ cận nghèo",
    "poor_": "Hộ nghèo",
    "near_poor_": "Hộ cận nghèo",
}
CHILD_MEASURES: dict[str, str] = {
    "children": "Tổng số trẻ em dưới 16 tuổi",
    "children_no_insurance": "Trẻ em thiếu hụt bảo hiểm y tế",
    "children_malnourished": "Trẻ em suy dinh dưỡng",
    "children_out_of_school": "Trẻ em không đi học",
}


def _r11() -> TableSpec:
    return TableSpec(
        "r11",
        "TỔNG HỢP CHỈ TIÊU THIẾU HỤT CỦA TRẺ EM THUỘC HỘ NGHÈO, HỘ CẬN NGHÈO",
        tuple(
            ColumnSpec(f"{prefix}{measure}", label, group)
            for prefix, group in CHILD_GROUPS.items()
            for measure, label in CHILD_MEASURES.items()
        ),
    )


TABLES: dict[str, TableSpec] = {
    spec.key: spec
    for spec in (
        _r1(),
        _r2(),
        _r3(),
        _deprivations("r4", "poor", "hộ nghèo"),
        _deprivation_rates("r5", "r4", "poor", "hộ nghèo"),
        _deprivations("r6", "near_poor", "hộ cận nghèo"),
        _deprivation_rates("r7", "r6", "near_poor", "hộ cận nghèo"),
        _r8(),
        _r9(),
        _r10(),
        _r11(),
    )
}
TABLE_KEYS: tuple[str, ...] = tuple(TABLES)
TITLES_VI: dict[str, str] = {key: spec.title_vi for key, spec in TABLES.items()}


def headers_vi(table: str) -> dict[str, str]:
    """Column key → Vietnamese header (group and cell joined) of one table, identity columns included."""
    spec = TABLES[table]
    ids = {k: ID_HEADERS_VI[k] for k in (*ID_COLUMNS, *(("unit",) if spec.long else ()))}
    return {**ids, **{c.key: c.full_header_vi for c in spec.columns}}


HEADERS_VI: dict[str, dict[str, str]] = {key: headers_vi(key) for key in TABLES}
