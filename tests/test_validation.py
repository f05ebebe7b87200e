"""The validation gate, with real Great Expectations on real generated files and small hand-made frames.

1. The suite files: GX's own format, every expectation's meta complete, code sets as in the schema.
2. Clean submissions (the shipped Cam Lộ sample) are accepted without a blocking finding.
3. A generated district with injected mistakes: each mistake is found on its household, files rejected.
4. Each cross-field rule pinned on a hand-made submission.
5. CCCD numbers: format, within the file, across the district round.
6. Nothing personal in reports, Data Docs or log lines; counts and caps; unreadable files.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from rasoat.config import PROJECT_ROOT
from rasoat.generate import generate_district
from rasoat.intake import SubmissionError, read_submission, read_submission_path
from rasoat.intake.coerce import birth
from rasoat.intake.read import ParsedSubmission
from rasoat.schema import (
    ETHNIC_GROUPS,
    HOUSEHOLD_COLUMNS,
    INDICATOR_COLUMNS,
    MEMBER_COLUMNS,
    POVERTY_CAUSES,
    Kind,
    Status,
)
from rasoat.standards import standard_for_year
from rasoat.validation import (
    Severity,
    ValidationContext,
    ValidationReport,
    Verdict,
    unreadable_report,
    validate_submission,
)
from rasoat.validation import results as results_module
from rasoat.validation.suites import SUITE_NAMES, check_specs, raw_suites, specs_by_check

YEAR = 2024  # a district round (three-level map)
STANDARD = standard_for_year(YEAR)
SAMPLE = PROJECT_ROOT / "data" / "sample" / "468"
COMMUNE = "19597"  # Thị trấn Cam Lộ (urban), district 468


def context(commune: str = COMMUNE, other: frozenset[str] = frozenset(), **changes) -> ValidationContext:
    return ValidationContext(YEAR, "468", commune, changes.pop("standard", STANDARD), other, **changes)


def checks_failed(report: ValidationReport) -> dict[str, int]:
    return {c.check: c.failed for c in report.checks if not c.success}


def fired(report: ValidationReport, check: str) -> list:
    return [f for f in report.findings if f.check == check]


# Hand-made submissions ------------------------------------------------------------------------------

_DTYPES = {Kind.INT: "Int64", Kind.FLAG: "Int8", Kind.NUMBER: "Float64"}


def _household(**values) -> dict:
    row = {c.name: None for c in HOUSEHOLD_COLUMNS}
    row.update({c: 0 for c in INDICATOR_COLUMNS})
    row.update(commune_code=COMMUNE, village="Tổ dân phố 1", ethnicity="Kinh", area="urban")
    row.update(agri_household=0, no_labour_capacity=0, merit_household=0, b2_score=0)
    row.update(values)
    return row


def _member(household_id: str, name: str, relation: str, born: str, sex: str, id_number=None, **more) -> dict:
    row = {"household_id": household_id, "full_name": name, "relation": relation, "birth_date": born}
    row.update(sex=sex, id_number=id_number, has_health_insurance=1, in_school=None)
    row.update(more)
    return row


def base_households() -> list[dict]:
    return [
        _household(  # poor: 1.2 M ≤ 2 M (urban) and 3 deprivations
            household_id="19597-01-00001",
            head_name="Nguyễn Văn An",
            head_id_number="045080000001",
            members=4,
            income_per_capita=1_200_000,
            d01=1,
            d03=1,
            d06=1,
            b2_score=30,
            poverty_cause="capital",
            reported_status="poor",
            meeting_agree_pct=80.0,
        ),
        _household(  # non-poor
            household_id="19597-01-00002",
            head_name="Lê Văn Em",
            head_id_number="045075000003",
            members=2,
            income_per_capita=5_000_000,
            reported_status="non_poor",
        ),
        _household(  # MSTB: agricultural, 2.0 M < 2.5 M ≤ 3.0 M (urban band)
            household_id="19597-02-00003",
            village="Tổ dân phố 2",
            head_name="Hoàng Thị Hoa",
            head_id_number="045160000005",
            members=1,
            income_per_capita=2_500_000,
            agri_household=1,
            reported_status="mstb",
        ),
    ]


def base_members() -> list[dict]:
    h1, h2, h3 = "19597-01-00001", "19597-01-00002", "19597-02-00003"
    return [
        _member(h1, "Nguyễn Văn An", "Chủ hộ", "15/03/1980", "Nam", "045080000001"),
        _member(h1, "Trần Thị Bình", "Vợ", "20/07/1982", "Nữ", "045182000002"),
        _member(h1, "Nguyễn Văn Cường", "Con", "05/05/2014", "Nam", in_school=0),  # 12, out of school
        _member(h1, "Nguyễn Thị Dung", "Con", "10/10/2021", "Nữ", in_school=1),  # 4
        _member(h2, "Lê Văn Em", "Chủ hộ", "1975", "Nam", "045075000003"),
        _member(h2, "Phạm Thị Gấm", "Vợ", "02/02/1978", "Nữ", "045178000004"),
        _member(h3, "Hoàng Thị Hoa", "Chủ hộ", "1960", "Nữ", "045160000005"),
    ]


def submission(households: list[dict], members: list[dict] | None, file: str = f"{COMMUNE}.xlsx"):
    """Frames typed as the reader types them, rows numbered from 2 (row 1 holds the headers)."""
    hh = pd.DataFrame(households).reindex(columns=[c.name for c in HOUSEHOLD_COLUMNS])
    hh = hh.astype({c.name: _DTYPES.get(c.kind, "string") for c in HOUSEHOLD_COLUMNS})
    hh.insert(0, "source_row", range(2, 2 + len(hh)))
    mm = None
    if members is not None:
        raw = pd.DataFrame(members).reindex(columns=[c.name for c in MEMBER_COLUMNS])
        dates, years, bad = birth(raw["birth_date"].astype(object))
        assert not bad.any()
        mm = raw.drop(columns="birth_date").astype(
            {c.name: _DTYPES.get(c.kind, "string") for c in MEMBER_COLUMNS if c.kind is not Kind.DATE}
        )
        mm.insert(3, "birth_date", dates)
        mm.insert(4, "birth_year", years)
        mm.insert(0, "source_row", range(2, 2 + len(mm)))
    return ParsedSubmission(file=file, households=hh, members=mm)


def validate(households=None, members=..., **ctx) -> ValidationReport:
    households = base_households() if households is None else households
    members = base_members() if members is ... else members
    return validate_submission(submission(households, members), context(**ctx))


def with_changes(rows: list[dict], index: int, **values) -> list[dict]:
    rows[index] = {**rows[index], **values}
    return rows


@pytest.fixture(scope="module")
def clean_report() -> ValidationReport:
    return validate()


# 1. Suite files -------------------------------------------------------------------------------------


def test_suite_files_are_great_expectations_suites_with_complete_meta() -> None:
    from rasoat.gx import gx

    keys = set()
    for name in SUITE_NAMES:
        path = PROJECT_ROOT / "expectations" / f"{name}.json"
        raw = json.loads(path.read_text(encoding="utf-8"))
        suite = gx().ExpectationSuite(**raw)  # GX 1.x's own serialized format
        assert suite.name == name and len(suite.expectations) == len(raw["expectations"]) > 10
        for expectation in suite.expectations:
            meta = expectation.meta
            assert meta["check"].startswith(f"{name}.") and meta["check"] not in keys
            keys.add(meta["check"])
            assert meta["severity"] in ("blocking", "warning")
            for text in (meta["title_vi"], meta["expected_vi"], meta["message_vi"]):
                assert re.search(r"[à-ỹđ]", text.lower()), text  # Vietnamese, with its diacritics
            assert expectation.severity.value == ("critical" if meta["severity"] == "blocking" else "warning")
    assert len(keys) == len(check_specs())


def test_code_sets_in_the_suites_match_the_schema() -> None:
    sets = {
        e["meta"]["check"]: e["kwargs"].get("value_set")
        for suite in raw_suites().values()
        for e in suite["expectations"]
    }
    assert (
        sets["ho.ethnicity_known"] == [g[0] for g in ETHNIC_GROUPS] and len(sets["ho.ethnicity_known"]) == 54
    )
    assert set(sets["ho.poverty_cause_known"]) == set(POVERTY_CAUSES)
    assert set(sets["ho.reported_status_known"]) == {s.value for s in Status}
    assert sets["thanh_vien.sex_known"] == ["Nam", "Nữ"]
    assert sets["thanh_vien.has_health_insurance_binary"] == sets["thanh_vien.in_school_binary"] == [0, 1]
    # The household 0/1 columns: one rule over all of them, on a derived column.
    flags = specs_by_check()["ho.flags_binary"]
    assert flags.columns == (*INDICATOR_COLUMNS, "agri_household", "no_labour_capacity", "merit_household")
    assert specs_by_check()["ho.indicators_required"].columns == INDICATOR_COLUMNS


def test_importing_the_package_does_not_import_great_expectations() -> None:
    code = "import sys, rasoat.validation; assert 'great_expectations' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT)


# 2. Clean submissions -------------------------------------------------------------------------------


@pytest.mark.e2e
def test_clean_sample_communes_are_accepted_without_blocking_findings() -> None:
    expectations = len(check_specs())
    for path in sorted(SAMPLE.glob("*.xlsx")):
        parsed = read_submission_path(path)
        report = validate_submission(parsed, context(path.stem))
        assert report.blocking == [], (path.name, report.blocking[:3])
        assert report.accepted and report.verdict is Verdict.ACCEPTED, checks_failed(report)
        assert len(report.checks) == expectations  # one CheckResult per expectation, no reading problem
        by_key = {c.check: c for c in report.checks}
        assert by_key["ho.household_id_unique"].evaluated == len(parsed.households)
        assert by_key["thanh_vien.sex_known"].evaluated == len(parsed.members)
        assert by_key["doi_chieu.member_rows_match"].evaluated == len(parsed.households)
        # Only poor and near-poor households carry a meeting result: the rule looks at those rows only.
        meeting = parsed.households["meeting_agree_pct"].notna().sum()
        assert 0 < by_key["ho.meeting_approved"].evaluated == meeting < len(parsed.households)


def test_hand_made_base_submission_is_clean(clean_report: ValidationReport) -> None:
    assert clean_report.findings == [] and clean_report.verdict is Verdict.ACCEPTED
    by_key = {c.check: c for c in clean_report.checks}
    assert by_key["doi_chieu.reported_status_matches"].evaluated == 3
    assert by_key["doi_chieu.mstb_only_agricultural"].evaluated == 1  # only the MSTB household
    assert by_key["doi_chieu.d03_has_child"].evaluated == 1  # only where indicator 3 is deprived


# 3. A generated district with injected mistakes ----------------------------------------------------

# The check each injected kind must trigger on its household (any of the set).
EXPECTED_CHECK: dict[str, set[str]] = {
    "b2_mismatch": {"doi_chieu.b2_matches_deprivations"},
    "flag_not_binary": {"doc_tep.bad_flag"},
    "negative_income": {"ho.income_non_negative"},
    "text_in_number": {"doc_tep.bad_int"},
    "missing_village": {"ho.village_required"},
    # The household's id was overwritten by its neighbour's: its members now point to no household.
    "duplicate_household_id": {"doi_chieu.member_household_exists"},
    "members_count_mismatch": {"doi_chieu.member_rows_match"},
    "two_heads": {"doi_chieu.one_head_per_household"},
    "no_head": {"doi_chieu.one_head_per_household"},
    "mstb_not_agricultural": {"doi_chieu.mstb_only_agricultural"},
    "reported_status_disagrees": {"doi_chieu.reported_status_matches"},
    "commune_outside_district": {"doi_chieu.commune_in_district"},
    "cccd_leading_zero_lost": {"thanh_vien.id_number_format"},
    "meeting_below_half": {"ho.meeting_approved"},
    # The copied number belongs to someone in the same commune or in another one of the round.
    "duplicate_cccd": {"thanh_vien.id_number_unique", "doi_chieu.member_id_unique_in_round"},
}


@pytest.fixture(scope="module")
def erroneous_district(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("district_with_errors")
    generate_district("468", YEAR, out, seed=3, households=2000, error_rate=0.03)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    parsed = {p.stem: read_submission_path(p) for p in sorted(out.glob("*.xlsx"))}
    ids = {
        code: set(p.households["head_id_number"].dropna()) | set(p.members["id_number"].dropna())
        for code, p in parsed.items()
    }
    reports = {}
    for code, p in parsed.items():
        others = frozenset().union(*(v for k, v in ids.items() if k != code))
        reports[code] = validate_submission(p, context(code, others))
    return manifest, parsed, reports


@pytest.mark.e2e
def test_every_injected_error_is_found_on_its_household(erroneous_district) -> None:
    manifest, _, reports = erroneous_district
    records = manifest["injected_errors"]
    assert {r["kind"] for r in records} == set(EXPECTED_CHECK)  # seed 3 injects every kind
    for record in records:
        report = reports[record["commune_code"]]
        found = {f.check for f in report.findings if f.household_id == record["household_id"]}
        assert EXPECTED_CHECK[record["kind"]] & found, (record, sorted(found))
        if record["kind"] == "duplicate_household_id":
            assert fired(report, "ho.household_id_unique")
        if record["kind"] == "commune_outside_district":
            assert "doi_chieu.commune_is_filed_commune" in found


@pytest.mark.e2e
def test_submissions_with_injected_errors_are_rejected(erroneous_district) -> None:
    manifest, _, reports = erroneous_district
    blocking_kinds = set(EXPECTED_CHECK) - {"reported_status_disagrees"}
    with_errors = {r["commune_code"] for r in manifest["injected_errors"] if r["kind"] in blocking_kinds}
    assert with_errors == set(reports)
    for code in with_errors:
        report = reports[code]
        assert report.verdict is Verdict.REJECTED and not report.accepted
        for check in report.checks:  # one finding per failed row (per bad cell of it), all counted
            if check.suite == "doc_tep":
                continue
            if specs_by_check()[check.check].columns:
                assert len(fired(report, check.check)) >= check.failed
            else:
                assert len(fired(report, check.check)) == check.failed


@pytest.mark.e2e
def test_reported_status_disagreement_is_only_a_warning(erroneous_district) -> None:
    manifest, _, reports = erroneous_district
    records = [r for r in manifest["injected_errors"] if r["kind"] == "reported_status_disagrees"]
    for record in records:
        found = [
            f
            for f in fired(reports[record["commune_code"]], "doi_chieu.reported_status_matches")
            if f.household_id == record["household_id"]
        ]
        assert [f.severity for f in found] == [Severity.WARNING]
        assert found[0].value in {"poor", "near_poor", "non_poor"}
        assert "theo chuẩn nghèo hộ là" in found[0].message


@pytest.mark.e2e
def test_reader_problems_become_blocking_findings_with_row_and_household(erroneous_district) -> None:
    manifest, parsed, reports = erroneous_district
    typed = [r for r in manifest["injected_errors"] if r["kind"] in ("text_in_number", "flag_not_binary")]
    for record in typed:
        report = reports[record["commune_code"]]
        found = [
            f
            for f in report.findings
            if f.check.startswith("doc_tep.") and f.household_id == record["household_id"]
        ]
        assert len(found) == 1
        finding = found[0]
        assert (
            finding.severity is Severity.BLOCKING
            and finding.sheet == "ho"
            and finding.column == record["column"]
        )
        rows = parsed[record["commune_code"]].households.set_index("source_row")["household_id"]
        assert rows[finding.row] == record["household_id"]
        result = next(c for c in report.checks if c.check == finding.check and c.column == finding.column)
        assert result.failed >= 1 and result.suite == "doc_tep"


# 4. Cross-field rules on hand-made submissions -----------------------------------------------------


def test_b2_must_be_the_standards_points_times_deprivations() -> None:
    report = validate(with_changes(base_households(), 0, b2_score=20))
    [finding] = fired(report, "doi_chieu.b2_matches_deprivations")
    assert (finding.row, finding.household_id, finding.value, finding.column) == (
        2,
        "19597-01-00001",
        "20",
        "b2_score",
    )
    assert finding.expected == "Điểm B2 = 10 × số chỉ số thiếu hụt"
    assert "3 chỉ số thiếu hụt × 10 = 30" in finding.message
    assert report.verdict is Verdict.REJECTED

    # The multiplier comes from the standard, and an absent B2 score is not checked.
    five = dataclasses.replace(STANDARD, b2_points_per_indicator=5)
    report = validate(with_changes(base_households(), 0, b2_score=15), standard=five)
    assert not fired(report, "doi_chieu.b2_matches_deprivations")
    report = validate(with_changes(base_households(), 0, b2_score=None))
    check = next(c for c in report.checks if c.check == "doi_chieu.b2_matches_deprivations")
    assert (check.evaluated, check.failed) == (2, 0)


def test_member_rows_must_equal_members() -> None:
    report = validate(with_changes(base_households(), 1, members=3))
    [finding] = fired(report, "doi_chieu.member_rows_match")
    assert (finding.row, finding.value) == (3, "3")
    assert "sheet thành viên có 2 người" in finding.message


def test_exactly_one_head_per_household() -> None:
    two = with_changes(base_members(), 1, relation="Chủ hộ")
    [finding] = fired(validate(members=two), "doi_chieu.one_head_per_household")
    # Located at the household's first row in the members sheet, where the commune fixes it.
    assert (finding.sheet, finding.row, finding.column, finding.value) == ("thanh_vien", 2, "relation", "2")
    none = with_changes(base_members(), 4, relation="Con")
    [finding] = fired(validate(members=none), "doi_chieu.one_head_per_household")
    assert (finding.household_id, finding.row, finding.value) == ("19597-01-00002", 6, "0")


def test_members_must_belong_to_a_listed_household() -> None:
    members = with_changes(base_members(), 6, household_id="19597-09-99999")
    report = validate(members=members)
    [finding] = fired(report, "doi_chieu.member_household_exists")
    assert (finding.sheet, finding.row, finding.value) == ("thanh_vien", 8, "19597-09-99999")
    assert fired(report, "doi_chieu.member_rows_match")  # the household lost its only member row


def test_mstb_only_for_agricultural_households() -> None:
    report = validate(with_changes(base_households(), 2, agri_household=0))
    [finding] = fired(report, "doi_chieu.mstb_only_agricultural")
    assert (finding.household_id, finding.value, finding.severity) == (
        "19597-02-00003",
        "mstb",
        Severity.BLOCKING,
    )
    # No longer agricultural, the system classes it non-poor: the commune's proposal is a warning on top.
    assert [f.severity for f in fired(report, "doi_chieu.reported_status_matches")] == [Severity.WARNING]


def test_commune_code_is_the_filed_commune_of_the_round_district() -> None:
    report = validate(with_changes(base_households(), 1, commune_code="19600"))  # Cam Lộ, another commune
    assert [f.value for f in fired(report, "doi_chieu.commune_is_filed_commune")] == ["19600"]
    assert not fired(report, "doi_chieu.commune_in_district")
    report = validate(with_changes(base_households(), 1, commune_code="00001"))  # Hà Nội
    assert [f.value for f in fired(report, "doi_chieu.commune_in_district")] == ["00001"]
    assert fired(report, "doi_chieu.commune_is_filed_commune")[0].expected == "Mã xã 19597"


def test_meeting_below_half_means_not_approved() -> None:
    report = validate(with_changes(base_households(), 0, meeting_agree_pct=45.0))
    [finding] = fired(report, "ho.meeting_approved")
    assert (finding.value, finding.severity) == ("45", Severity.BLOCKING)
    assert report.verdict is Verdict.REJECTED
    report = validate(with_changes(base_households(), 0, meeting_agree_pct=50.0))
    assert report.verdict is Verdict.ACCEPTED
    report = validate(with_changes(base_households(), 0, meeting_agree_pct=120.0))
    assert fired(report, "ho.meeting_pct_range") and not fired(report, "ho.meeting_approved")


def _h2_with(member: dict | None = None, **flags) -> ValidationReport:
    households = base_households()
    members = base_members()
    count = 2 + (member is not None)
    b2 = 10 * sum(flags.values())
    with_changes(households, 1, members=count, b2_score=b2, **flags)
    if member is not None:
        members.insert(6, member)
    return validate(households, members)


def test_child_indicators_need_children_of_the_right_age() -> None:
    report = _h2_with(d03=1)  # nutrition deprived, nobody under 16
    assert [f.household_id for f in fired(report, "doi_chieu.d03_has_child")] == ["19597-01-00002"]
    assert report.verdict is Verdict.REJECTED
    report = _h2_with(d06=1)  # school attendance deprived, no child aged 3 to under 16
    assert [f.column for f in fired(report, "doi_chieu.d06_has_school_age_child")] == ["d06"]
    report = _h2_with(d02=1)  # dependents: may be a disabled adult on allowance → only a warning
    assert [f.severity for f in fired(report, "doi_chieu.d02_has_dependent")] == [Severity.WARNING]
    assert report.verdict is Verdict.ACCEPTED_WITH_WARNINGS


def test_ages_are_taken_on_1_september_of_the_review_year() -> None:
    fifteen = _member("19597-01-00002", "Lê Thị Hằng", "Con", "02/09/2008", "Nữ")  # 15 on 01/09/2024
    assert not fired(_h2_with(fifteen, d03=1), "doi_chieu.d03_has_child")
    sixteen = _member("19597-01-00002", "Lê Thị Hằng", "Con", "01/09/2008", "Nữ")  # 16 that day
    assert fired(_h2_with(sixteen, d03=1), "doi_chieu.d03_has_child")
    # A birth year alone gives the benefit of the doubt (born 2010: 15 or 16).
    year_only = _member("19597-01-00002", "Lê Thị Hằng", "Con", "2010", "Nữ")
    assert not fired(_h2_with(year_only, d03=1), "doi_chieu.d03_has_child")


def test_indicators_4_and_6_against_the_members_columns_are_warnings() -> None:
    members = with_changes(base_members(), 1, has_health_insurance=0)  # an adult uninsured, d04 = 0
    report = validate(members=members)
    [finding] = fired(report, "doi_chieu.d04_matches_insurance")
    assert (finding.household_id, finding.value, finding.severity) == (
        "19597-01-00001",
        "0",
        Severity.WARNING,
    )
    members = with_changes(base_members(), 2, in_school=1)  # d06 = 1 but every child at school
    report = validate(members=members)
    assert [f.value for f in fired(report, "doi_chieu.d06_matches_schooling")] == ["1"]
    assert report.verdict is Verdict.ACCEPTED_WITH_WARNINGS


def test_reported_status_is_compared_with_the_computed_class() -> None:
    report = validate(with_changes(base_households(), 1, reported_status="near_poor"))
    [finding] = fired(report, "doi_chieu.reported_status_matches")
    assert finding.severity is Severity.WARNING and finding.value == "near_poor"
    assert "'Hộ cận nghèo'" in finding.message and "'Hộ không nghèo'" in finding.message
    assert report.verdict is Verdict.ACCEPTED_WITH_WARNINGS


def test_ranges_and_birth_dates() -> None:
    households = with_changes(base_households(), 1, income_per_capita=-5, members=31)
    report = validate(households)
    assert [f.value for f in fired(report, "ho.income_non_negative")] == ["-5"]
    assert [f.value for f in fired(report, "ho.members_range")] == ["31"]
    members = with_changes(base_members(), 5, birth_date="03/01/2027")
    with_changes(members, 6, birth_date="1900")
    report = validate(members=members)
    assert [(f.row, f.value) for f in fired(report, "thanh_vien.birth_not_in_future")] == [(7, "2027")]
    assert [(f.row, f.value) for f in fired(report, "thanh_vien.age_at_most_120")] == [(8, "1900")]
    assert fired(report, "thanh_vien.age_at_most_120")[0].column == "birth_date"


def test_code_sets_and_required_values() -> None:
    households = with_changes(base_households(), 0, ethnicity="Xyz", poverty_cause="thiếu nước", village=None)
    report = validate(households)
    assert [f.value for f in fired(report, "ho.ethnicity_known")] == ["Xyz"]
    assert [f.value for f in fired(report, "ho.poverty_cause_known")] == ["thiếu nước"]
    [finding] = fired(report, "ho.village_required")
    assert (finding.row, finding.header) == (2, "Thôn/Tổ dân phố")
    report = validate(members=with_changes(base_members(), 0, sex="X", relation=None))
    assert [f.value for f in fired(report, "thanh_vien.sex_known")] == ["X"]
    assert [f.row for f in fired(report, "thanh_vien.relation_required")] == [2]


def test_zero_one_columns_and_indicators_are_checked_cell_by_cell() -> None:
    households = with_changes(base_households(), 1, d05=2, agri_household=3)  # H2, a hand-made frame
    with_changes(households, 2, d07=None, d09=None)
    report = validate(households)
    check = {c.check: c for c in report.checks}
    assert (check["ho.flags_binary"].evaluated, check["ho.flags_binary"].failed) == (3, 1)
    assert [(f.row, f.column, f.value) for f in fired(report, "ho.flags_binary")] == [
        (3, "d05", "2"),
        (3, "agri_household", "3"),
    ]
    assert fired(report, "ho.flags_binary")[0].message == "'Chỉ số thiếu hụt 5' ghi 2, không phải 0 hoặc 1"
    assert (check["ho.indicators_required"].evaluated, check["ho.indicators_required"].failed) == (3, 1)
    assert [(f.row, f.column) for f in fired(report, "ho.indicators_required")] == [(4, "d07"), (4, "d09")]


def test_without_members_sheet_member_rules_do_not_apply() -> None:
    report = validate(members=None)
    assert report.verdict is Verdict.ACCEPTED
    by_key = {c.check: c for c in report.checks}
    for key in ("doi_chieu.member_rows_match", "doi_chieu.one_head_per_household", "thanh_vien.sex_known"):
        assert (by_key[key].evaluated, by_key[key].failed) == (0, 0)
    assert len(report.checks) == len(check_specs())


def test_missing_column_and_wrong_type_are_reported_not_crashed() -> None:
    parsed = submission(base_households(), base_members())
    parsed.households = parsed.households.drop(columns=["village"])
    parsed.households["income_per_capita"] = parsed.households["income_per_capita"].astype("float64")
    report = validate_submission(parsed, context())
    [missing] = fired(report, "ho.columns_present")
    assert "'Thôn/Tổ dân phố' (village)" in missing.message and missing.row is None
    assert next(c for c in report.checks if c.check == "ho.village_required").evaluated == 0
    [typed] = fired(report, "ho.income_per_capita_type")
    assert typed.column == "income_per_capita" and "float64" in typed.message
    assert report.verdict is Verdict.REJECTED


# 5. CCCD numbers -------------------------------------------------------------------------------------


def test_cccd_must_have_12_digits() -> None:
    # Stored as a number, the leading zero is gone: 11 digits.
    households = with_changes(base_households(), 0, head_id_number="45080000001")
    members = with_changes(base_members(), 1, id_number="45182000002")
    report = validate(households, members)
    [head] = fired(report, "ho.head_id_format")
    [member] = fired(report, "thanh_vien.id_number_format")
    assert (head.row, member.row) == (2, 3)
    assert head.value == member.value == "(ẩn: dữ liệu cá nhân)"
    # The head's own row in the members sheet still has the full number: the two disagree.
    assert fired(report, "doi_chieu.head_id_matches_head_member")


def test_cccd_unique_within_the_file() -> None:
    members = with_changes(base_members(), 5, id_number="045182000002")  # H2's wife gets H1's wife's number
    report = validate(members=members)
    assert [f.row for f in fired(report, "thanh_vien.id_number_unique")] == [3, 7]
    households = with_changes(base_households(), 1, head_id_number="045182000002")  # H2's head: H1's wife's
    report = validate(households)
    assert [f.household_id for f in fired(report, "doi_chieu.head_id_not_other_household")] == [
        "19597-01-00002"
    ]
    assert [f.household_id for f in fired(report, "doi_chieu.head_id_matches_head_member")] == [
        "19597-01-00002"
    ]
    households = with_changes(base_households(), 1, head_id_number="045080000001")
    report = validate(households)
    assert [f.row for f in fired(report, "ho.head_id_unique")] == [2, 3]


def test_cccd_already_accepted_in_another_commune_of_the_round() -> None:
    others = frozenset({"045075000003", "045178000004", "099999999999"})  # H2's head and wife elsewhere
    report = validate(other=others)
    assert [f.household_id for f in fired(report, "doi_chieu.head_id_unique_in_round")] == ["19597-01-00002"]
    assert [f.row for f in fired(report, "doi_chieu.member_id_unique_in_round")] == [6, 7]
    assert report.verdict is Verdict.REJECTED
    assert "045075000003" not in json.dumps(dataclasses.asdict(report), ensure_ascii=False)


# 6. Privacy, caps, unreadable files, Data Docs -------------------------------------------------------


def _personal_values(parsed: ParsedSubmission) -> set[str]:
    values = set(parsed.households["head_name"].dropna()) | set(parsed.households["head_id_number"].dropna())
    if parsed.members is not None:
        values |= set(parsed.members["full_name"].dropna()) | set(parsed.members["id_number"].dropna())
    return {str(v) for v in values}


def _serialised(report: ValidationReport) -> str:
    return json.dumps(dataclasses.asdict(report), ensure_ascii=False, default=str)


@pytest.mark.e2e
def test_no_personal_value_anywhere_in_the_reports(erroneous_district) -> None:
    _, parsed, reports = erroneous_district
    for code, report in reports.items():
        text = _serialised(report)
        leaked = [v for v in _personal_values(parsed[code]) if v in text]
        assert leaked == [], (code, len(leaked))
        assert not re.search(r"(?<!\d)\d{9,12}(?!\d)", text)  # no CCCD-like number at all


@pytest.mark.e2e
def test_no_personal_value_in_data_docs_or_log_lines(
    erroneous_district, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manifest, parsed, _ = erroneous_district
    code = next(r["commune_code"] for r in manifest["injected_errors"] if r["kind"] == "duplicate_cccd")
    caplog.set_level(logging.DEBUG)
    report = validate_submission(parsed[code], context(code), data_docs_dir=tmp_path / "docs")
    assert report.data_docs == str((tmp_path / "docs" / "index.html").resolve())
    pages = [p for p in (tmp_path / "docs").rglob("*") if p.suffix in (".html", ".json")]
    assert any("validations" in p.parts for p in pages) and any("expectations" in p.parts for p in pages)
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in pages)
    assert "Mã hộ không trùng trong xã" in text  # the Vietnamese descriptions are rendered
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "validated" in logs
    personal = _personal_values(parsed[code])
    assert [v for v in personal if v in text] == []
    assert [v for v in personal if v in logs] == []


def test_a_name_typed_into_another_column_is_masked_too() -> None:
    households = with_changes(base_households(), 1, ethnicity="Trần Thị Bình")  # a member's name, shifted
    report = validate(households)
    [finding] = fired(report, "ho.ethnicity_known")
    assert finding.value == "(ẩn: dữ liệu cá nhân)" and finding.row == 3
    assert "Trần Thị Bình" not in _serialised(report)


def test_findings_are_capped_but_counts_are_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results_module, "MAX_FINDINGS_PER_CHECK", 2)
    households = base_households()
    for i in range(3):
        with_changes(households, i, village=None)
    report = validate(households)
    check = next(c for c in report.checks if c.check == "ho.village_required")
    assert (check.evaluated, check.failed) == (3, 3)
    assert len(fired(report, "ho.village_required")) == 2


def test_unreadable_file_gives_an_unreadable_report() -> None:
    with pytest.raises(SubmissionError) as caught:
        read_submission(b"%PDF-1.7 not a spreadsheet", "19597.pdf")
    report = unreadable_report("19597.pdf", caught.value.problems)
    assert report.verdict is Verdict.UNREADABLE and not report.accepted and not report.readable
    assert report.findings and all(f.severity is Severity.BLOCKING for f in report.findings)
    assert [c.suite for c in report.checks] == ["doc_tep"] * len(report.checks)
    assert report.checks[0].check == f"doc_tep.{caught.value.problems[0].code}"


@pytest.mark.e2e
def test_configuration_memo_changes_no_result(erroneous_district, monkeypatch: pytest.MonkeyPatch) -> None:
    """rasoat.gx.memo reuses each expectation's configuration within one validation:
    every check, count, row and finding is the same as with Great Expectations left alone."""
    import contextlib

    from rasoat.gx import runner

    _, parsed, reports = erroneous_district
    monkeypatch.setattr(runner, "memo_scope", contextlib.nullcontext)
    codes = sorted(reports)[:3]
    ids = {
        code: set(p.households["head_id_number"].dropna()) | set(p.members["id_number"].dropna())
        for code, p in parsed.items()
    }
    for code in codes:
        others = frozenset().union(*(v for k, v in ids.items() if k != code))
        plain = validate_submission(parsed[code], context(code, others))
        assert plain.checks == reports[code].checks
        assert plain.findings == reports[code].findings
        assert any(not c.success for c in plain.checks)  # the comparison covers failures too
