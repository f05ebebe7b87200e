"""Bad input never crashes the reader: each corpus file is either read, with precise problems
(code, sheet, row as Excel shows it, column), or refused with one clear Vietnamese problem.

The corpus is tests/corpus/, made by tests/corpus/make_corpus.py (its README lists the decisions).
Large files are generated here into a temporary directory.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import random
import resource
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from rasoat.intake import SubmissionError, containers, read_submission, read_submission_path
from rasoat.intake.problems import MASK
from rasoat.schema import HOUSEHOLD_COLUMNS

CORPUS = Path(__file__).parent / "corpus"
_spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
assert _spec is not None and _spec.loader is not None
make_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_corpus)

HH_HEADERS = [c.header_vi for c in HOUSEHOLD_COLUMNS]


def read(name: str, members: str | None = None):
    content = (CORPUS / name).read_bytes()
    return read_submission(content, name, (CORPUS / members).read_bytes() if members else None)


def refused(name: str) -> SubmissionError:
    with pytest.raises(SubmissionError) as info:
        read(name)
    return info.value


def located(parsed) -> list[tuple[str, str | None, int | None, str | None]]:
    return [(p.code, p.sheet, p.row, p.column) for p in parsed.problems]


# ------------------------------------------------------------------------------- the corpus itself


def test_corpus_is_what_the_script_makes() -> None:
    built = make_corpus.build()
    committed = {p.name for p in CORPUS.iterdir() if p.suffix in {".xlsx", ".xls", ".csv", ".txt"}}
    assert committed == set(built)
    for name, data in built.items():
        if not data.startswith(b"PK"):  # zip bytes depend on the zlib build; text must match exactly
            assert (CORPUS / name).read_bytes() == data, name
    assert all(len(data) < 20_000 for data in built.values())  # small files only


# ------------------------------------------------------------------------- files refused as a whole

REFUSED = [
    # (file, code, fragments the Vietnamese message must contain)
    ("empty.xlsx", "empty_file", ["tệp rỗng"]),
    ("empty.csv", "empty_file", ["tệp rỗng"]),
    ("random_bytes.xlsx", "unreadable_workbook", ["không phải tệp Excel hợp lệ"]),
    ("zip_garbage.xlsx", "unreadable_workbook", ["không đọc được tệp Excel", "lưu lại dạng .xlsx"]),
    ("damaged_sheet.xlsx", "unreadable_sheet", ["không đọc được sheet"]),
    ("truncated.xlsx", "unreadable_workbook", ["chưa tải lên hết"]),
    ("zip_not_excel.xlsx", "wrong_format", ["tệp nén .zip"]),
    ("word_renamed.xlsx", "wrong_format", ["văn bản Word"]),
    ("pdf_renamed.xlsx", "wrong_format", ["PDF", "không phải bảng tính"]),
    ("legacy_ole.xlsx", "unreadable_workbook", ["không đọc được tệp Excel"]),
    ("web_page.xls", "wrong_format", ["trang web"]),
    ("photo.xlsx", "wrong_format", ["ảnh JPEG"]),
    ("no_ho_sheet.xlsx", "missing_sheet", ["thiếu sheet 'ho'", "'Sheet1', 'Sheet2'"]),
    ("two_household_sheets.xlsx", "ambiguous_sheet", ["'Hộ', 'HO'"]),
    ("empty_ho_sheet.xlsx", "empty_sheet", ["sheet 'ho' không có dữ liệu"]),
    (
        "missing_columns.csv",
        "missing_column",
        ["'Mã xã' (commune_code)", "'Số nhân khẩu' (members)", "'Chỉ số thiếu hụt 5' (d05)"],
    ),
    ("tcvn3_like.csv", "no_header", ["không tìm thấy dòng tiêu đề", "TCVN3/VNI"]),
]


@pytest.mark.parametrize(("name", "code", "fragments"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_one_clear_problem(name: str, code: str, fragments: list[str]) -> None:
    error = refused(name)
    assert [p.code for p in error.problems] == [code]
    problem = error.problems[0]
    assert problem.file == name and name in str(error)
    for fragment in fragments:
        assert fragment in problem.message
    assert "Error" not in problem.message and "Traceback" not in str(error)  # no exception names


def test_missing_column_row_is_the_header_row() -> None:
    problem = refused("missing_columns.csv").problems[0]
    assert (problem.row, problem.sheet) == (1, None)


# --------------------------------------------------------------------------------- sheets and layout


@pytest.mark.parametrize("name", ["sheet_named_Ho.xlsx", "sheet_named_HO.xlsx"])
def test_household_sheet_name_folds(name: str) -> None:
    parsed = read(name)
    assert parsed.problems == []
    assert list(parsed.households["source_row"]) == [2, 3, 4]
    if name == "sheet_named_Ho.xlsx":  # "Thành viên" folds to thanh_vien
        assert parsed.members is not None and len(parsed.members) == 6


@pytest.mark.parametrize("name", ["header_only.xlsx", "blank_rows_only.xlsx"])
def test_no_household_rows_is_a_problem_not_a_crash(name: str) -> None:
    parsed = read(name)
    assert parsed.households.empty
    assert located(parsed) == [("no_households", "ho", None, None)]


def test_official_layout_title_merged_two_row_header_numbers_and_repeated_block() -> None:
    parsed = read("official_layout.xlsx")
    assert parsed.problems == []
    hh = parsed.households
    # Title rows 1–3, header rows 4–5, column numbers in row 6, households 7–9; the whole block is
    # pasted again in rows 10–15 ("DANH SÁCH…", subtitle, blank, header, sub-header, numbers).
    assert list(hh["source_row"]) == [7, 8, 9, 16, 17]
    assert list(hh["household_id"]) == [f"19600-01-{n:05d}" for n in (1, 2, 3, 4, 5)]
    assert [(s.row, s.reason) for s in parsed.skipped_rows] == [
        (6, "column_numbers"),
        (10, "repeated_header"),
        (11, "repeated_header"),
        (13, "repeated_header"),
        (14, "repeated_header"),
        (15, "repeated_header"),
    ]
    # "Chỉ số thiếu hụt" merged over sub-headers 1 … 12 gives d01 … d12.
    assert hh.loc[0, [f"d{i:02d}" for i in range(1, 13)]].tolist() == make_corpus.FLAGS
    # The village merged down rows 7–9 holds for each of them.
    assert list(hh["village"]) == ["Thôn 1", "Thôn 1", "Thôn 1", "Thôn 2", "Thôn 2"]
    assert parsed.extra_columns == []


def test_merged_village_does_not_make_blank_rows_households(tmp_path: Path) -> None:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet("ho")
    ws.write_row(0, 0, HH_HEADERS)
    ws.write_row(1, 0, make_corpus.household(1))
    ws.merge_range(1, 2, 5, 2, "Thôn 1")  # merged further down than the households go
    book.close()
    parsed = read_submission(buf.getvalue(), "x.xlsx")
    assert parsed.problems == [] and list(parsed.households["source_row"]) == [2]


# ------------------------------------------------------------------------------------------ formulas


def test_formulas_with_cached_values_are_read() -> None:
    parsed = read("formulas_cached.xlsx")
    assert parsed.problems == []
    assert list(parsed.households["b2_score"]) == [30, 0, 30]


def test_formulas_without_cached_values_are_reported_not_read_as_zero() -> None:
    parsed = read("formulas_no_cache.xlsx")
    assert located(parsed) == [
        ("formula_no_value", "ho", 2, "b2_score"),
        ("formula_no_value", "ho", 3, "b2_score"),
        ("formula_error", "ho", 3, "meeting_agree_pct"),
        ("formula_no_value", "ho", 4, "b2_score"),
    ]
    first = parsed.problems[0]
    assert first.value == "=10*SUM(K2:V2)" and first.header == "Điểm B2"
    assert "chưa có giá trị" in first.message
    assert parsed.problems[2].value == "#DIV/0!"
    # Rows 5–6 of the template hold only a formula: blank rows, not households.
    assert list(parsed.households["source_row"]) == [2, 3, 4]
    assert parsed.households["b2_score"].isna().all()


# ------------------------------------------------------------------------------------- birth dates


def test_birth_dates_in_every_spelling() -> None:
    parsed = read("birth_dates.xlsx")
    assert located(parsed) == [
        ("bad_date", "thanh_vien", 9, "birth_date"),  # 31/02/1990
        ("bad_date", "thanh_vien", 10, "birth_date"),  # 05/01/60: two-digit year
        ("bad_date", "thanh_vien", 11, "birth_date"),  # "không rõ"
    ]
    assert [p.value for p in parsed.problems] == ["31/02/1990", "05/01/60", "không rõ"]
    assert "dd/mm/yyyy" in parsed.problems[0].message
    m = parsed.members
    assert m is not None
    dates = [None if pd.isna(d) else d.date() for d in m["birth_date"]]
    assert dates[:8] == [
        dt.date(1990, 1, 1),  # serial 32874
        dt.date(1962, 2, 3),  # date cell
        dt.date(1990, 1, 5),  # dd/mm/yyyy
        dt.date(1990, 1, 5),  # ISO
        None,  # "1971": a year, no invented 1 January
        None,  # 1985 as a number
        dt.date(2090, 1, 1),  # in the future: read; validation judges it against the round's year
        None,
    ]
    assert list(m["birth_year"][:7]) == [1990, 1962, 1990, 1990, 1971, 1985, 2090]


# ---------------------------------------------------------------------------------------- numbers


def test_text_in_number_columns() -> None:
    parsed = read("numbers_as_text.xlsx")
    assert located(parsed) == [
        ("bad_int", "ho", 2, "income_per_capita"),  # "1,5 triệu"
        ("bad_int", "ho", 3, "income_per_capita"),  # "không"
        ("bad_int", "ho", 8, "members"),  # "ba"
        ("bad_int", "ho", 9, "members"),  # TRUE is not a count
        ("bad_int", "ho", 10, "b1_score"),  # 1e30
        ("bad_flag", "ho", 11, "d02"),  # "không"
    ]
    assert parsed.problems[0].value == "1,5 triệu" and "triệu" in parsed.problems[0].message
    assert parsed.problems[0].header == "Thu nhập bình quân (đồng/người/tháng)"
    hh = parsed.households.set_index("source_row")
    assert hh.loc[4, "income_per_capita"] == 1_500_000  # "1.500.000"
    assert hh.loc[5, "income_per_capita"] == 500_000  # "500.000" is not 500
    assert hh.loc[6, "income_per_capita"] == 1_500_000  # "1.500.000 đ"
    assert hh.loc[7, "income_per_capita"] == 1_500_000  # "1 500 000"
    assert hh.loc[12, "d03"] == 1  # TRUE in a 0/1 column
    assert hh.loc[13, "meeting_agree_pct"] == 75.5  # "75,5"
    assert pd.isna(hh.loc[2, "income_per_capita"]) and pd.isna(hh.loc[10, "b1_score"])


# ------------------------------------------------------------------------------------------- CCCD


def test_cccd_stored_as_number_is_reported_masked() -> None:
    parsed = read("cccd_as_number.xlsx")
    assert located(parsed) == [
        ("id_as_number", "ho", 2, "head_id_number"),  # 45090001234: leading zero lost
        ("id_as_number", "ho", 3, "head_id_number"),  # 1.2345678901E+11 number cell
        ("id_as_number", "thanh_vien", 2, "id_number"),  # "1.2345678901E+11" as text
        ("id_as_number", "thanh_vien", 3, "id_number"),  # "45162005678.0"
    ]
    for problem in parsed.problems:
        assert problem.value == MASK and "12 chữ số" in problem.message
        for digits in ("45090001234", "123456789010", "1.2345678901", "45162005678"):
            assert digits not in str(problem)
    assert parsed.households["head_id_number"].tolist()[2] == "045071009012"
    assert parsed.households["head_id_number"][:2].isna().all()


def test_cccd_in_scientific_notation_in_csv() -> None:
    parsed = read("cccd_scientific.csv")
    assert located(parsed) == [("id_as_number", None, 2, "head_id_number")]
    # Eleven digits as text: the reader cannot tell; validation's 12-digit rule reports it.
    assert parsed.households["head_id_number"].iloc[1] == "45090001234"


# ---------------------------------------------------------------------------------------- columns


def test_extra_columns_are_kept_without_problems() -> None:
    parsed = read("extra_columns.csv")
    assert parsed.problems == []
    assert parsed.extra_columns == ["Ghi chú", "Người rà soát", "Ghi chú (2)"]
    hh = parsed.households
    assert list(hh["extra:Ghi chú"]) == ["ghi chú 0", "ghi chú 1", "ghi chú 2"]
    assert list(hh["extra:Người rà soát"]) == ["Cán bộ A"] * 3
    assert hh["extra:Ghi chú (2)"].isna().all()


# -------------------------------------------------------------------------------------- CSV shapes


def test_truncated_csv_reports_the_cut_row_only() -> None:
    parsed = read("truncated.csv")  # cut inside the "ô" of "Thôn": also broken UTF-8
    assert parsed.encoding == "utf-8"
    assert located(parsed) == [("ragged_row", None, 5, None)]
    assert "bị cắt ngang" in parsed.problems[0].message
    assert list(parsed.households["source_row"]) == [2, 3, 4, 5]


def test_more_fields_than_headers_reports_the_row_and_shows_no_shifted_value() -> None:
    parsed = read("more_fields.csv")
    assert located(parsed) == [("ragged_row", None, 3, None)]
    assert "30 ô" in parsed.problems[0].message and "29 cột" in parsed.problems[0].message
    assert parsed.problems[0].value is None


def test_empty_trailing_fields_are_not_a_problem() -> None:
    parsed = read("trailing_empty_fields.csv")
    assert parsed.problems == [] and len(parsed.households) == 3


@pytest.mark.parametrize("name", ["mixed_line_endings.csv", "semicolon_sep_hint.csv", "csv_named.xlsx"])
def test_csv_variants_are_read(name: str) -> None:
    parsed = read(name)
    assert parsed.problems == []
    assert list(parsed.households["source_row"]) == [2, 3, 4]  # as Excel numbers them
    assert list(parsed.households["village"]) == ["Thôn 1"] * 3


# -------------------------------------------------------------------------------------- encodings


def reference_households() -> pd.DataFrame:
    return read("utf8_bom.csv").households


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf8_bom.csv", "utf-8-sig"),
        ("cp1258.csv", "cp1258"),
        ("utf16le_bom.txt", "utf-16"),
        ("utf16le_no_bom.txt", "utf-16-le"),
    ],
)
def test_encodings_read_the_same_households(name: str, encoding: str) -> None:
    parsed = read(name)
    assert parsed.problems == [] and parsed.encoding == encoding
    pd.testing.assert_frame_equal(parsed.households, reference_households())
    assert parsed.households["head_name"].iloc[0] == make_corpus.NAMES[1]  # composed (NFC) again


def test_cp1258_members_file() -> None:
    parsed = read("cp1258.csv", members="cp1258_members.csv")
    assert parsed.problems == []
    m = parsed.members
    assert m is not None and len(m) == 6
    assert m["relation"].iloc[0] == "Chủ hộ" and m["sex"].iloc[1] == "Nữ"


def test_decomposed_unicode_in_a_workbook_is_composed() -> None:
    parsed = read("decomposed_unicode.xlsx")
    assert parsed.problems == []
    assert list(parsed.households["village"]) == ["Thôn 1"] * 3  # NFC, comparable
    assert parsed.households["head_name"].iloc[0] == make_corpus.NAMES[1]
    assert parsed.members is not None and parsed.members["sex"].iloc[1] == "Nữ"


# ------------------------------------------------------------------------------------ personal data


def test_no_personal_value_in_any_message() -> None:
    personal = [*make_corpus.NAMES, *make_corpus.CCCDS, *make_corpus.CCCD_DIGITS]
    personal += [n.split()[-1] for n in make_corpus.NAMES]  # a given name alone (shifted CSV cells)
    seen = 0
    for path in sorted(CORPUS.iterdir()):
        if path.suffix == ".py" or path.name == "README.md":
            continue
        try:
            problems = read(path.name).problems
        except SubmissionError as exc:
            problems = exc.problems
            assert all(p not in str(exc) for p in personal), path.name
        for problem in problems:
            seen += 1
            text = f"{problem} {problem.value} {problem.header} {problem.message}"
            assert all(p not in text for p in personal), (path.name, problem.code, problem.row)
    assert seen > 30


# ---------------------------------------------------------------------------------------- fuzzing


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_damaged_bytes_never_crash(kind: str) -> None:
    """Seeded byte damage (flips, cuts, insertions) of good files: read or refused, nothing else."""
    if kind == "xlsx":
        good = make_corpus.good_workbook()
    else:
        good = make_corpus.csv_text([HH_HEADERS, *make_corpus.HOUSEHOLDS]).encode()
    rng = random.Random(2024)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            action, at = rng.random(), rng.randrange(len(data))
            if action < 0.5:
                data[at] = rng.randrange(256)
            elif action < 0.75:
                del data[at : at + rng.randint(1, 200)]
            else:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 50)))
        try:
            parsed = read_submission(bytes(data), f"damaged.{kind}")
            outcomes["read"] += 1
            assert all(p.message for p in parsed.problems)
        except SubmissionError as exc:
            outcomes["refused"] += 1
            assert exc.problems and all(p.message for p in exc.problems)
    assert outcomes["refused"] > 0


# ------------------------------------------------------------------------------------ large files


def big_csv(path: Path, target_bytes: int) -> int:
    """A households.csv of about target_bytes (≈ 300,000 households for 50 MB)."""
    template = make_corpus.household(1)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HH_HEADERS)
    header = buf.getvalue()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["" if v is None else v for v in template])
    line = buf.getvalue()
    n = target_bytes // len(line.encode())
    prefix = "19600-01-00001"
    assert line.startswith(prefix)
    rest = line[len(prefix) :]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        for start in range(0, n, 10_000):
            out.write(
                "".join(
                    f"19600-{i // 100_000:02d}-{i % 100_000:05d}{rest}"
                    for i in range(start, min(n, start + 10_000))
                )
            )
    return n


@pytest.mark.e2e  # a large input: 50 MB, 250,000 households
def test_fifty_megabyte_csv_is_read_in_bounded_time(tmp_path: Path, record_property) -> None:
    path = tmp_path / "households.csv"
    n = big_csv(path, 50 * 1024 * 1024)
    size = path.stat().st_size
    start = time.perf_counter()
    parsed = read_submission_path(path)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    record_property("households", n)
    record_property("seconds", round(elapsed, 2))
    print(
        f"\n50 MB CSV: {size / 1e6:.1f} MB, {n} households read in {elapsed:.2f} s, peak RSS {peak_mb:.0f} MB"
    )
    assert parsed.problems == []
    assert len(parsed.households) == n and n > 250_000
    assert parsed.households["source_row"].iloc[-1] == n + 1


def test_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    with path.open("wb") as f:  # sparse: no disk, and reading it would take 200 MB of memory
        f.truncate(containers.MAX_SUBMISSION_BYTES + 1)
    with pytest.raises(SubmissionError) as info:
        read_submission_path(path)
    assert [p.code for p in info.value.problems] == ["too_large"]
    assert "giới hạn là 200 MB" in info.value.problems[0].message


def test_size_limit_applies_to_bytes_and_to_unpacked_workbooks(monkeypatch: pytest.MonkeyPatch) -> None:
    content = (CORPUS / "utf8_bom.csv").read_bytes()
    monkeypatch.setattr(containers, "MAX_SUBMISSION_BYTES", len(content) - 1)
    with pytest.raises(SubmissionError) as info:
        read_submission(content, "households.csv")
    assert [p.code for p in info.value.problems] == ["too_large"]
    monkeypatch.undo()
    workbook = make_corpus.good_workbook()
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(workbook)).infolist())
    monkeypatch.setattr(containers, "MAX_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(SubmissionError) as info:
        read_submission(workbook, "x.xlsx")
    assert [p.code for p in info.value.problems] == ["too_large"]
    assert "giải nén" in info.value.problems[0].message


def test_formula_cells_in_prefixed_and_shared_formula_xml() -> None:
    """Writers using a namespace prefix (x:c, x:f) and Excel's shared formulas are understood."""
    xml = (
        b'<x:worksheet xmlns:x="main"><x:sheetData><x:row r="2">'
        b'<x:c r="W2"><x:f t="shared" ref="W2:W3" si="0">10*SUM(K2:V2)</x:f><x:v>30</x:v></x:c>'
        b'<x:c r="AC2" t="e"><x:v>#N/A</x:v></x:c>'
        b'</x:row><x:row r="3"><x:c r="W3"><x:f t="shared" si="0"/></x:c>'
        b'<x:c r="X3" t="str"><x:f>IF(A3="","",A3)</x:f><x:v></x:v></x:c>'
        b"</x:row></x:sheetData></x:worksheet>"
    )
    assert containers.formula_cells(xml) == {
        (1, 22): None,  # W2: cached 30
        (1, 28): ("formula_error", "#N/A"),  # AC2: an error value pasted without its formula
        (2, 22): ("formula_no_value", "(công thức dùng chung)"),  # W3: shared formula, no value
        (2, 23): None,  # X3: a formula whose cached result is the empty string
    }
    assert containers.formula_cells(b"<worksheet><sheetData><row/></sheetData></worksheet>") == {}
