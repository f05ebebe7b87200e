"""Reading submissions: containers, encodings, header variants, typing problems located by row/column."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from rasoat.intake import SubmissionError, read_submission, read_submission_path
from rasoat.intake.compact import compact_text
from rasoat.intake.problems import MASK
from rasoat.schema import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from rasoat.text import to_cp1258

VI_HEADERS = [c.header_vi for c in HOUSEHOLD_COLUMNS]
EN_HEADERS = [c.name for c in HOUSEHOLD_COLUMNS]
FLAGS_3 = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
ROWS = [
    [
        "19600-01-00001",
        "19600",
        "Thôn 1",
        "Nguyễn Văn An",
        "045090001234",
        "Kinh",
        3,
        "nông thôn",
        1_200_000,
        None,
        *FLAGS_3,
        30,
        1,
        0,
        0,
        "Thiếu vốn",
        "poor",
        80,
    ],
    [
        "19600-01-00002",
        "19600",
        "Thôn 1",
        "Hồ Thị Bé",
        None,
        "Vân Kiều",
        2,
        None,
        1_400_000,
        None,
        *[0] * 12,
        0,
        1,
        0,
        0,
        None,
        "near_poor",
        75.5,
    ],
    [
        "19597-02-00003",
        "19597",
        "Tổ dân phố 2",
        "Lê Văn Cường",
        None,
        "Kinh",
        4,
        None,
        None,
        160,
        *FLAGS_3,
        30,
        0,
        0,
        1,
        "Ốm đau, tai nạn",
        "poor",
        None,
    ],
]
MEMBERS = [
    ["19600-01-00001", "Nguyễn Văn An", "Chủ hộ", "05/01/1960", "Nam", "045060001234", 1, None],
    ["19600-01-00001", "Trần Thị Hoa", "Vợ", dt.datetime(1962, 2, 3), "Nữ", "045162001234", 1, None],
    ["19600-01-00001", "Nguyễn Văn Bình", "Con", 2012, "Nam", None, 0, 1],
    ["19600-01-00002", "Hồ Thị Bé", "Chủ hộ", "1950-07-30", "Nữ", None, 1, None],
    ["19600-01-00002", "Hồ Văn Tý", "Cháu", 41000, "Nam", None, 1, 1],  # Excel serial date
    ["19597-02-00003", "Lê Văn Cường", "Chủ hộ", "1971", "Nam", None, 1, None],
]


def workbook(
    households: list[list[object]],
    members: list[list[object]] | None = None,
    title_rows: int = 0,
    sheet: str = "ho",
    headers: list[str] = VI_HEADERS,
) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    if title_rows:
        ws.merge_range(0, 0, 0, 5, "DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM 2024")
    ws.write_row(title_rows, 0, headers)
    for i, row in enumerate(households, start=title_rows + 1):
        for j, value in enumerate(row):
            if value is not None:
                ws.write(i, j, value)
    if members is not None:
        wm = book.add_worksheet("thanh_vien")
        wm.write_row(0, 0, [c.header_vi for c in MEMBER_COLUMNS])
        date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        for i, row in enumerate(members, start=1):
            for j, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    wm.write_datetime(i, j, value, date_format)
                elif value is not None:
                    wm.write(i, j, value)
    book.close()
    return buf.getvalue()


def csv_text(headers: list[str], rows: list[list[object]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buf.getvalue()


def test_workbook_with_title_rows_and_members() -> None:
    parsed = read_submission(workbook(ROWS, MEMBERS, title_rows=2), "19600.xlsx")
    assert parsed.problems == []
    hh = parsed.households
    assert list(hh["household_id"]) == [r[0] for r in ROWS]
    assert list(hh["source_row"]) == [4, 5, 6]  # title, blank, header rows above
    assert list(hh["area"]) == ["rural", "rural", "urban"]  # blank area takes the commune's type
    assert list(hh["ethnicity"]) == ["Kinh", "Bru - Vân Kiều", "Kinh"]
    assert list(hh["poverty_cause"].fillna("")) == ["capital", "", "illness"]
    assert hh["income_per_capita"].tolist()[:2] == [1_200_000, 1_400_000]
    assert pd.isna(hh["income_per_capita"].iloc[2]) and hh["b1_score"].iloc[2] == 160
    assert hh["meeting_agree_pct"].iloc[1] == 75.5
    assert hh["head_id_number"].iloc[0] == "045090001234"
    m = parsed.members
    assert m is not None and len(m) == 6
    assert list(m["birth_year"]) == [1960, 1962, 2012, 1950, 2012, 1971]
    assert m["birth_date"].iloc[0] == pd.Timestamp("1960-01-05")
    assert m["birth_date"].iloc[1] == pd.Timestamp("1962-02-03")
    assert m["birth_date"].iloc[4] == pd.Timestamp("2012-04-01")  # Excel serial 41000
    assert pd.isna(m["birth_date"].iloc[2])  # a bare year has no date
    assert list(m["sex"]) == ["Nam", "Nữ", "Nam", "Nữ", "Nam", "Nam"]


def test_text_cells_are_fresh_objects_one_per_distinct_value() -> None:
    """The frames keep none of the reader's cell objects (their memory goes back as a whole), and a
    value repeated down a column is one object."""
    parsed = read_submission(workbook(ROWS, MEMBERS), "19600.xlsx")
    m = parsed.members
    assert m is not None
    sex = m["sex"].tolist()
    assert sex[0] is sex[2] is sex[4] and sex[1] is sex[3]
    ids = m["household_id"].tolist()
    assert ids[0] is ids[1] is ids[2]
    assert list(m["relation"]) == ["Chủ hộ", "Vợ", "Con", "Chủ hộ", "Cháu", "Chủ hộ"]
    villages = parsed.households["village"].tolist()
    assert villages[0] is villages[1] and villages == ["Thôn 1", "Thôn 1", "Tổ dân phố 2"]


def test_compact_text_keeps_values_types_and_missing_values() -> None:
    shared = "".join(["Thôn", " 1"])
    frame = pd.DataFrame(
        {
            "text": pd.array([shared, None, "Thôn 1", "x\ud800"], dtype="string"),
            "number": [1.0, 2.0, None, 4.0],
            "mixed": pd.Series(["a", 1, None, "a"], dtype=object),
        },
        index=[7, 8, 9, 10],
    )
    before = frame.copy()
    out = compact_text(frame)
    pd.testing.assert_frame_equal(out, before)
    texts = out["text"].tolist()
    assert texts[0] is texts[2] and texts[0] is not shared and pd.isna(texts[1])
    assert out["mixed"].tolist()[0] is before["mixed"].tolist()[0]  # only pandas-string columns


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
@pytest.mark.parametrize("headers", ["vi", "en"])
def test_csv_encodings_and_header_languages(tmp_path: Path, encoding: str, headers: str) -> None:
    text = csv_text(VI_HEADERS if headers == "vi" else EN_HEADERS, ROWS)
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    if encoding == "cp1258":
        assert b"\xcc" in data or b"\xec" in data or b"\xd2" in data  # decomposed tone marks really present
    parsed = read_submission(data, "households.csv")
    assert parsed.problems == []
    reference = read_submission(workbook(ROWS), "ref.xlsx").households
    columns = [
        "household_id",
        "village",
        "ethnicity",
        "members",
        "area",
        "income_per_capita",
        "d01",
        "reported_status",
    ]
    pd.testing.assert_frame_equal(parsed.households[columns], reference[columns], check_dtype=False)
    assert parsed.households["village"].iloc[2] == "Tổ dân phố 2"  # composed again after Windows-1258


def test_header_variants_and_extra_columns() -> None:
    headers = [
        "MA HO",
        "ma_xa",
        "THON/TO DAN PHO",
        "ho ten chu ho",
        "Số CCCD chủ hộ",
        "DAN TOC",
        "so nhan khau",
        "Khu vực",
        "Thu nhập bình quân",
        "Điểm B1",
        *[f"Chỉ số thiếu hụt {i}" for i in range(1, 13)],
        "Điểm B2",
        "Hộ làm NLNDN",
        "Hộ không có khả năng lao động",
        "Hộ có người có công",
        "Nguyên nhân nghèo",
        "Phân loại hộ",
        "Tỷ lệ đồng ý họp dân",
        "Ghi chú của thôn",
    ]
    rows = [[*row, "ghi chú"] for row in ROWS]
    parsed = read_submission(csv_text(headers, rows, delimiter=";").encode(), "households.csv")
    assert parsed.problems == []
    assert parsed.extra_columns == ["Ghi chú của thôn"]
    assert list(parsed.households["extra:Ghi chú của thôn"]) == ["ghi chú"] * 3
    assert parsed.households["members"].tolist() == [3, 2, 4]


def test_numbers_as_excel_writes_them() -> None:
    rows = [list(r) for r in ROWS]
    rows[0][0], rows[0][1], rows[0][4] = 12345, 19600, 45090001234  # ids typed as numbers
    rows[1][8] = "1.400.000"  # Vietnamese thousands separator
    rows[2][10:22] = [1.0, 1.0, 1.0, *[0.0] * 9]
    parsed = read_submission(workbook(rows), "x.xlsx")
    # A CCCD stored as a number has lost its leading zero: the reader reports it (masked), it does
    # not guess the missing digits (tests/test_bad_input.py has the other spellings).
    assert [(p.code, p.row, p.column, p.value) for p in parsed.problems] == [
        ("id_as_number", 2, "head_id_number", MASK)
    ]
    hh = parsed.households
    assert hh["household_id"].iloc[0] == "12345" and hh["commune_code"].iloc[0] == "19600"
    assert pd.isna(hh["head_id_number"].iloc[0])
    assert hh["income_per_capita"].iloc[1] == 1_400_000 and hh["d01"].iloc[2] == 1


def test_typing_problems_name_row_and_column_and_hide_personal_data() -> None:
    rows = [list(r) for r in ROWS]
    rows[0][6] = "ba"  # members
    rows[1][8] = "1,2 triệu"  # income
    rows[2][12] = 2  # d03
    rows[2][4] = "CCCD-12"  # not a type error: text column
    rows[1][3] = 7  # a number as a name is still text
    parsed = read_submission(workbook(rows), "19600.xlsx")
    found = {(p.row, p.column): p for p in parsed.problems}
    assert set(found) == {(2, "members"), (3, "income_per_capita"), (4, "d03")}
    assert found[(3, "income_per_capita")].value == "1,2 triệu"
    assert "dòng 3" in str(found[(3, "income_per_capita")]) and "Thu nhập" in str(
        found[(3, "income_per_capita")]
    )
    assert found[(2, "members")].sheet == "ho"
    with pytest.raises(SubmissionError) as info:
        parsed.raise_for_problems()
    assert "19600.xlsx" in str(info.value)


def test_personal_values_are_masked(tmp_path: Path) -> None:
    members = [list(r) for r in MEMBERS]
    members[0][5] = 45060001234.5  # a CCCD stored as a number: reported, never shown
    members[1][3] = "không rõ"  # bad birth date
    parsed = read_submission(workbook(ROWS, members), "x.xlsx")
    assert [(p.sheet, p.row, p.column) for p in parsed.problems] == [
        ("thanh_vien", 2, "id_number"),
        ("thanh_vien", 3, "birth_date"),
    ]
    assert parsed.problems[0].value == MASK and "45060001234" not in str(parsed.problems[0])
    from rasoat.intake.problems import shown_value

    assert shown_value("full_name", "Nguyễn Văn An") == MASK
    assert shown_value("id_number", "045060001234") == MASK


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.csv", "empty_file"),
        (b"   \n\n", "blank.csv", "empty_file"),
        (bytes(range(256)) * 40, "random.xlsx", "unreadable_workbook"),
        (b"PK\x03\x04" + b"\x00" * 100, "truncated.xlsx", "unreadable_workbook"),
        (bytes(range(256)) * 40, "random.csv", "binary_file"),
        ("Tên,Tuổi\nAn,3\n".encode(), "other.csv", "no_header"),
    ],
)
def test_unreadable_files(content: bytes, name: str, code: str) -> None:
    with pytest.raises(SubmissionError) as info:
        read_submission(content, name)
    assert [p.code for p in info.value.problems] == [code]
    assert name in str(info.value)


def test_workbook_without_households_sheet() -> None:
    with pytest.raises(SubmissionError) as info:
        read_submission(workbook(ROWS, sheet="Sheet1"), "x.xlsx")
    assert info.value.problems[0].code == "missing_sheet"
    assert "Sheet1" in info.value.problems[0].message


def test_missing_required_columns() -> None:
    headers = [h for h in VI_HEADERS if h not in ("Mã xã", "Chỉ số thiếu hụt 5")]
    rows = [[v for h, v in zip(VI_HEADERS, r, strict=True) if h in headers] for r in ROWS]
    with pytest.raises(SubmissionError) as info:
        read_submission(csv_text(headers, rows).encode(), "households.csv")
    message = info.value.problems[0].message
    assert "Mã xã" in message and "Chỉ số thiếu hụt 5" in message


def test_truncated_csv_row_and_repeated_header() -> None:
    text = csv_text(VI_HEADERS, ROWS)
    lines = text.splitlines()
    text = "\n".join([*lines[:3], ",".join(VI_HEADERS), lines[3]]) + "\n19600-01-00009,19600,Thôn"
    parsed = read_submission(text.encode(), "households.csv")
    assert len(parsed.households) == 4
    assert [(p.code, p.row) for p in parsed.problems] == [("ragged_row", 6)]


def test_folder_with_members_csv(tmp_path: Path) -> None:
    (tmp_path / "households.csv").write_text(csv_text(VI_HEADERS, ROWS), encoding="utf-8")
    member_rows = [["" if isinstance(v, dt.datetime) else v for v in row] for row in MEMBERS]
    (tmp_path / "members.csv").write_text(
        csv_text([c.header_vi for c in MEMBER_COLUMNS], member_rows), encoding="utf-8"
    )
    parsed = read_submission_path(tmp_path)
    assert parsed.members is not None and len(parsed.members) == 6


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rasoat", *args], capture_output=True, text=True, timeout=120
    )


def test_classify_command(tmp_path: Path) -> None:
    source = tmp_path / "19600.xlsx"
    source.write_bytes(workbook(ROWS, MEMBERS))
    out = tmp_path / "out.csv"
    result = run_cli("classify", str(source), "--year", "2024", "--out", str(out))
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(out, dtype={"commune_code": str})
    assert list(written["status"]) == ["poor", "near_poor", "poor"]
    assert list(written["deprivation_count"]) == [3, 0, 3]
    assert {"household_id", "status", "deprivation_count", "criterion"} <= set(written.columns)
    assert "Nguyễn" not in out.read_text(encoding="utf-8")  # no personal data in the output
    assert "Tổng" in result.stdout and "19600" in result.stdout


def test_classify_command_bad_file(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][8] = "1,2 triệu"
    source = tmp_path / "bad.xlsx"
    source.write_bytes(workbook(rows))
    result = run_cli("classify", str(source), "--year", "2024", "--out", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert "3" in result.stderr and "Thu nhập" in result.stderr
    assert not (tmp_path / "o.csv").exists()
    random = tmp_path / "random.xlsx"
    random.write_bytes(bytes(range(256)) * 10)
    result = run_cli("classify", str(random), "--year", "2024", "--out", str(tmp_path / "o.csv"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    result = run_cli("classify", str(source), "--year", "2031", "--out", str(tmp_path / "o.csv"))
    assert result.returncode != 0 and "2031" in result.stderr
