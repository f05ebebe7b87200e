"""The habits of the people who fill in the official forms: income in another unit, the rows below
the list (totals, place and date, signatures), tick marks and "Có"/"Không" in 0/1 columns.

Read from the corpus files of these habits (tests/corpus/README.md) and from small workbooks built
here; validated and written as feedback as a commune would receive it."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from rasoat.classifier import classify
from rasoat.config import data_dir
from rasoat.feedback import write_feedback
from rasoat.intake import ParsedSubmission, SubmissionError, read_submission, read_submission_path, units
from rasoat.standards import all_standards, standard_for_year
from rasoat.validation import Severity, ValidationReport
from rasoat.validation.validate import ValidationContext, validate_submission

CORPUS = Path(__file__).parent / "corpus"
sys.path.insert(0, str(CORPUS))
from make_corpus import (  # noqa: E402
    CCCDS,
    COL,
    HH_HEADERS,
    NAMES,
    SIGNERS,
    csv_text,
    household,
    with_income_header,
    xlsx,
)

YEAR = 2024
CONTEXT = ValidationContext(YEAR, "468", "19600", standard_for_year(YEAR))
PERSONAL = [*NAMES, *SIGNERS, *CCCDS]
# Words that would show a message half in English.
ENGLISH = re.compile(r"\b(the|is|not|error|value|column|row|missing|invalid|expected|none|nan)\b", re.I)


def read(name: str) -> ParsedSubmission:
    return read_submission_path(CORPUS / name)


def validate(parsed: ParsedSubmission) -> ValidationReport:
    return validate_submission(parsed, CONTEXT)


def shown_texts(report: ValidationReport) -> list[str]:
    return [
        str(v)
        for f in report.findings
        for v in (f.message, f.expected, f.value, f.household_id, f.header)
        if v is not None
    ] + report.notes


def assert_vietnamese_and_masked(report: ValidationReport) -> None:
    for text in shown_texts(report):
        assert not [p for p in PERSONAL if p in text], text
    for f in report.findings:
        assert not ENGLISH.search(f.message) and not ENGLISH.search(f.expected), f


# ----------------------------------------------------------------------------------------- units


def test_thousands_convert_exactly() -> None:
    parsed = read("income_thousands.xlsx")
    assert parsed.problems == []
    assert parsed.income_unit is not None and parsed.income_unit.label_vi == "nghìn đồng/người/tháng"
    assert parsed.households["income_per_capita"].tolist() == [1_300_000, 2_809_000, 1_450_000, 2_100_000]
    assert str(parsed.households["income_per_capita"].dtype) == "Int64"


def test_yearly_income_is_divided_by_the_months_of_the_standard_rounding_up() -> None:
    parsed = read("income_yearly.xlsx")
    assert parsed.problems == []
    # 18,000,005 a year is 1,500,000.42 a month: above the rural ceiling, and stays above it.
    assert parsed.households["income_per_capita"].tolist() == [1_300_000, 2_809_000, 1_450_000, 1_500_001]
    result = classify(parsed.households, standard_for_year(YEAR))
    assert result["status"].iloc[3] != "poor" and result["status"].iloc[3] != "near_poor"
    assert result["status"].iloc[0] in ("poor", "near_poor")  # 1,300,000 a month: under the ceiling


def test_thousands_per_year_in_an_excel_vn_csv() -> None:
    parsed = read("income_thousands_yearly.csv")  # ";" and "15.600" (dot thousands)
    assert parsed.problems == []
    assert parsed.income_unit is not None and parsed.income_unit.label_vi == "nghìn đồng/người/năm"
    assert parsed.households["income_per_capita"].tolist() == [1_300_000, 2_809_000, 1_450_000, 2_100_000]


def test_months_per_year_come_from_the_standards_data(monkeypatch: pytest.MonkeyPatch) -> None:
    for path in sorted((data_dir() / "standards").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "extends" not in raw:  # a provincial standard inherits the rule from its national one
            assert raw["income_months_per_year"] == 12
    assert {s.income_months_per_year for s in all_standards()} == {12}
    monkeypatch.setattr(units, "income_months_per_year", lambda: 10)  # as if the data said 10
    assert read("income_yearly.xlsx").households["income_per_capita"].iloc[0] == 1_560_000


@pytest.mark.parametrize(
    ("name", "stated"),
    [
        ("income_millions.xlsx", "triệu đồng/người/tháng"),
        ("income_per_household.csv", "đồng/hộ/tháng"),
    ],
)
def test_a_unit_not_understood_refuses_the_file_naming_the_column(name: str, stated: str) -> None:
    with pytest.raises(SubmissionError) as caught:
        read(name)
    [problem] = caught.value.problems
    assert (problem.code, problem.row, problem.column) == ("unknown_unit", 1, "income_per_capita")
    assert problem.header == f"Thu nhập bình quân ({stated})" and problem.value == stated
    assert "nghìn đồng/người/tháng" in problem.message and "đồng/người/năm" in problem.message
    assert not ENGLISH.search(problem.message)


@pytest.mark.parametrize(
    ("header", "label", "income"),
    [
        ("Thu nhập bình quân", "đồng/người/tháng", 2_809_000),
        ("THU NHẬP BÌNH QUÂN (Nghìn đồng/người/tháng)", "nghìn đồng/người/tháng", 2_809),
        ("Thu nhập bình quân (ngàn đồng)", "nghìn đồng/người/tháng", 2_809),
        ("Thu nhập (VNĐ/người/năm)", "đồng/người/năm", 2_809_000 * 12),
        ("Thu nhập bình quân\n(1000đ/người/tháng)", "nghìn đồng/người/tháng", 2_809),
        ("Thu nhập bình quân (1.000 đồng/tháng/người)", "nghìn đồng/người/tháng", 2_809),
        ("Thu nhập bình quân (đồng/người/12 tháng)", "đồng/người/năm", 2_809_000 * 12),
    ],
)
def test_unit_spellings(header: str, label: str, income: int) -> None:
    rows = with_income_header(header, [household(1, income_per_capita=income)])
    parsed = read_submission(xlsx({"ho": rows}), "units.xlsx")
    assert parsed.problems == [] and parsed.income_unit is not None
    assert parsed.income_unit.label_vi == label
    assert parsed.households["income_per_capita"].tolist() == [2_809_000]


def test_an_unreadable_amount_is_reported_in_the_unit_of_the_header() -> None:
    rows = with_income_header(
        "Thu nhập bình quân (nghìn đồng/người/tháng)", [household(1, income_per_capita="2,8 triệu")]
    )
    parsed = read_submission(xlsx({"ho": rows}), "units.xlsx")
    [problem] = parsed.problems
    assert (problem.code, problem.row, problem.column, problem.value) == (
        "bad_int",
        2,
        "income_per_capita",
        "2,8 triệu",
    )
    assert "(nghìn đồng/người/tháng)" in problem.message


def test_thousands_under_the_contracts_header_are_blocked_asking_about_the_unit() -> None:
    parsed = read("income_thousands_unlabelled.xlsx")
    assert parsed.problems == []  # read as đồng: only the plausibility check can tell
    report = validate(parsed)
    assert not report.accepted
    [finding] = [f for f in report.findings if f.check == "ho.income_plausible"]
    assert finding.severity is Severity.BLOCKING and finding.column == "income_per_capita"
    assert "1.775" in finding.message and "nghìn đồng" in finding.message
    assert "'đồng/người/tháng'" in finding.message


def test_thousands_read_from_the_header_pass_the_plausibility_check() -> None:
    report = validate(read("income_thousands.xlsx"))
    assert report.accepted
    assert [c.failed for c in report.checks if c.check == "ho.income_plausible"] == [0]


def test_a_list_scored_with_b1_only_is_not_judged_on_income() -> None:
    rows = [household(n, income_per_capita=None, b1_score=120, head_id_number=None) for n in (1, 2, 3)]
    report = validate(read_submission(csv_text([HH_HEADERS, *rows]).encode(), "b1.csv"))
    assert report.accepted
    [check] = [c for c in report.checks if c.check == "ho.income_plausible"]
    assert (check.evaluated, check.failed) == (0, 0)


# ------------------------------------------------------------------------------ where data ends


@pytest.mark.parametrize(
    "name",
    ["official_list_signatures.xlsx", "official_list_signatures.csv", "official_list_signatures_left.xlsx"],
)
def test_total_place_date_and_signatures_below_the_list_are_not_households(name: str) -> None:
    parsed = read(name)
    assert parsed.problems == []
    assert parsed.households["household_id"].tolist() == [f"19600-01-{n:05d}" for n in (1, 2, 3, 4, 5)]
    assert parsed.households["source_row"].tolist() == [6, 7, 8, 9, 10]
    end = [(s.row, s.detail) for s in parsed.skipped_rows if s.reason == "table_end"]
    assert end[0] == (11, "total_row") and (13, "place_date") in end and (14, "signature") in end
    assert end[-1] == (20, "note") and (19, "below_table") in end  # the signers' names
    frame_text = [str(v) for v in parsed.households.to_numpy().ravel().tolist()]
    assert not [s for s in SIGNERS if any(s in cell for cell in frame_text)]
    report = validate(parsed)
    assert report.accepted, [f.message for f in report.blocking]
    assert_vietnamese_and_masked(report)
    assert any("hộ cuối cùng ở dòng 10; dòng 11, 13–" in n for n in report.notes), report.notes


def test_the_members_list_ends_at_its_last_member_too() -> None:
    parsed = read("official_list_members.xlsx")
    assert parsed.problems == [] and parsed.members is not None
    assert len(parsed.households) == 3 and len(parsed.members) == 6
    assert [(s.row, s.detail) for s in parsed.skipped_rows if s.table == "thanh_vien"] == [
        (8, "total_row"),  # "Tổng cộng: 6 nhân khẩu"
        (10, "place_date"),
        (11, "signature"),
        (12, "below_table"),  # the signer's name, in the "Mã hộ" column
    ]
    report = validate(parsed)
    assert_vietnamese_and_masked(report)
    assert not [f for f in report.findings if f.check == "doi_chieu.member_household_exists"]
    expected = "Sheet 'Thành viên': thành viên cuối cùng ở dòng 7; dòng 8, 10–12"
    assert any(n.startswith(expected) for n in report.notes), report.notes


def test_village_totals_in_the_middle_are_skipped_and_villages_named_cong_stay() -> None:
    parsed = read("official_list_village_totals.xlsx")
    assert parsed.problems == []
    hh = parsed.households
    assert hh["village"].tolist() == ["Thôn 1"] * 3 + ["Thôn 2"] * 2 + ["Cộng Hòa", "Thôn Cộng Lạc"]
    assert [s.row for s in parsed.skipped_rows if s.reason == "total_row"] == [9, 12]
    assert [(s.row, s.detail) for s in parsed.skipped_rows if s.reason == "table_end"][:2] == [
        (15, "total_row"),  # "Cộng thôn Cộng Hòa" after the last village
        (16, "total_row"),  # "Tổng cộng"
    ]
    report = validate(parsed)
    assert report.accepted
    assert any("dòng 9, 12 là dòng cộng" in n for n in report.notes)


def test_a_household_missing_its_id_stays_a_household_even_in_village_cong() -> None:
    rows = [
        household(1),
        household(2, household_id=None, village="Cộng"),  # a head is named: a household, incomplete
        household(4),
        ["Tổng cộng", None, None, None, None, None, 6],
        ["Cam Thành, ngày 15 tháng 11 năm 2024"],
    ]
    parsed = read_submission(xlsx({"ho": [HH_HEADERS, *rows]}), "cong.xlsx")
    assert parsed.households["source_row"].tolist() == [2, 3, 4]
    report = validate(parsed)
    missing = [f for f in report.blocking if f.check == "ho.household_id_required"]
    assert [(f.row, f.column) for f in missing] == [(3, "household_id")]


def test_a_sparse_row_before_the_end_marker_is_kept_for_validation() -> None:
    rows = [household(1), household(2), ["19600-01-00009", None, "Thôn 1"], ["Tổng cộng"]]
    parsed = read_submission(xlsx({"ho": [HH_HEADERS, *rows]}), "sparse.xlsx")
    assert parsed.households["household_id"].tolist()[-1] == "19600-01-00009"
    assert [s.row for s in parsed.skipped_rows] == [5]


def test_without_an_end_marker_only_a_tail_of_words_is_cut() -> None:
    # A signature title drawn in a text box: only the names are in cells, in the id column.
    rows = [household(1), household(2), [SIGNERS[0], None, None, None, None, SIGNERS[1]]]
    parsed = read_submission(xlsx({"ho": [HH_HEADERS, *rows]}), "no_marker.xlsx")
    assert len(parsed.households) == 2
    assert [(s.row, s.detail) for s in parsed.skipped_rows] == [(4, "below_table")]
    # A row with a household id but nothing else: a household the commune must complete.
    rows = [household(1), household(2), ["19600-01-00009"]]
    parsed = read_submission(xlsx({"ho": [HH_HEADERS, *rows]}), "no_marker.xlsx")
    assert len(parsed.households) == 3 and parsed.skipped_rows == []
    report = validate(parsed)
    assert not report.accepted
    assert_vietnamese_and_masked(report)


# --------------------------------------------------------------------------------- tick marks


def test_ticked_indicators_read_tick_1_blank_0_with_a_warning_per_column() -> None:
    parsed = read("ticks.xlsx")
    assert parsed.problems == []
    hh = parsed.households
    assert hh[["d01", "d02", "d03"]].to_numpy().tolist() == [[1, 1, 1], [0, 0, 0], [1, 1, 1], [0, 0, 0]]
    assert (hh[[f"d{i:02d}" for i in range(4, 13)]] == 0).all().all()  # no tick at all: 0
    assert [(n.code, n.column) for n in parsed.notices] == [("tick_marks", f"d{i:02d}") for i in range(1, 13)]
    report = validate(parsed)
    assert report.verdict.value == "accepted_with_warnings"
    ticks = [f for f in report.warnings if f.check == "doc_tep.tick_marks"]
    assert [f.column for f in ticks] == [f"d{i:02d}" for i in range(1, 13)]
    assert "đọc là 1" in ticks[0].message and "để trống cả cột" in ticks[3].message
    result = classify(hh, standard_for_year(YEAR))
    assert result["deprivation_count"].tolist() == [3, 0, 3, 0]


def test_ticks_mixed_with_digits_are_refused_naming_the_cells() -> None:
    parsed = read("ticks_mixed.xlsx")
    assert [(p.code, p.row, p.column, p.value) for p in parsed.problems] == [
        ("bad_flag", 2, "d01", "X"),
        ("bad_flag", 4, "d01", "x"),
    ]
    assert all("vừa có dấu đánh dấu" in p.message for p in parsed.problems)
    report = validate(parsed)
    assert not report.accepted
    assert_vietnamese_and_masked(report)


@pytest.mark.parametrize("mark", ["x", "X", "✓"])
def test_each_tick_mark(mark: str) -> None:
    rows = [household(1, d05=mark), household(2, d05=None)]
    parsed = read_submission(xlsx({"ho": [HH_HEADERS, *rows]}), "tick.xlsx")
    assert parsed.problems == [] and parsed.households["d05"].tolist() == [1, 0]
    assert [n.column for n in parsed.notices] == ["d05"]


def test_yes_no_words_read_as_1_and_0_in_any_case_with_or_without_diacritics() -> None:
    parsed = read("yes_no.xlsx")
    assert parsed.problems == []
    assert parsed.households[["d01", "d04", "agri_household"]].to_numpy().tolist() == [
        [1, 0, 1],
        [0, 0, 1],
        [1, 0, 1],
    ]
    assert parsed.members is not None
    assert parsed.members["has_health_insurance"].tolist() == [0, 1, 0, 1, 0, 1]
    assert parsed.notices == []  # words state both answers: nothing to warn about
    report = validate(parsed)
    assert any("'Có' đọc là 1, 'Không' đọc là 0" in n for n in report.notes)
    spellings = ["Có", "CÓ", "có", "co", "CO", "Không", "KHÔNG", "không", "khong", "KHONG"]
    rows = [household(1, head_id_number=None, agri_household=w) for w in spellings]
    parsed = read_submission(csv_text([HH_HEADERS, *rows]).encode(), "words.csv")
    assert parsed.problems == [] and parsed.households["agri_household"].tolist() == [1] * 5 + [0] * 5


def test_yes_no_mixed_with_digits_is_refused_as_before() -> None:
    parsed = read("yes_no_mixed.csv")
    assert [(p.code, p.row, p.column, p.value) for p in parsed.problems] == [
        ("bad_flag", 2, "agri_household", "Có")
    ]


# ------------------------------------------------------------------------------------ feedback


def test_feedback_says_the_unit_the_conversion_and_the_tables_end(tmp_path: Path) -> None:
    rows = with_income_header(
        "Thu nhập bình quân (nghìn đồng/người/tháng)",
        [household(n, income_per_capita=1_300 + n, head_id_number=None) for n in (1, 2)],
    )
    rows[1][COL["d04"]] = "x"  # one ticked column among digits columns
    rows[2][COL["d04"]] = None
    rows += [["Tổng cộng"], [], ["Người lập biểu", None, None, None, "TM. ỦY BAN NHÂN DÂN"], [SIGNERS[0]]]
    parsed = read_submission(xlsx({"ho": rows}), "19600.xlsx")
    report = validate(parsed)
    files = write_feedback(
        report,
        commune_code="19600",
        commune_name="Xã Cam Thành",
        district_name="Huyện Cam Lộ",
        year=YEAR,
        version=1,
        received_at=dt.datetime(2024, 11, 20, 3, 0, tzinfo=dt.UTC),
        sha256="0" * 64,
        out_dir=tmp_path,
    )
    html = files.html.read_text(encoding="utf-8")
    assert "Cách hệ thống đã đọc tệp" in html
    assert "đọc theo đơn vị nghìn đồng/người/tháng; nhân 1.000 để được đồng/người/tháng" in html
    assert "hộ cuối cùng ở dòng 3; dòng 4, 6–7 bên dưới" in html
    assert "Chỉ số thiếu hụt 4" in html and "được ghi bằng dấu đánh dấu" in html
    assert SIGNERS[0] not in html
    book = pd.read_excel(files.xlsx, sheet_name=None, header=None, engine="openpyxl")
    summary = [str(v) for v in book[next(iter(book))].to_numpy().ravel().tolist()]
    assert any("nhân 1.000" in cell for cell in summary)
