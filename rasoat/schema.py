"""The canonical submission schema (shared/spec/submission-format.md) and its code sets.

One place for column names, their Vietnamese headers, their kinds and the closed value sets, so the
reader, the generator, the validation suites and the documents agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rasoat.text import fold, fold_compact, fold_header


class Kind(StrEnum):
    TEXT = "text"
    CODE5 = "code5"  # administrative code, digits kept as text
    INT = "int"
    FLAG = "flag"  # 0/1
    NUMBER = "number"  # non-negative, may be fractional (percentages)
    AREA = "area"
    STATUS = "status"
    DATE = "date"
    SEX = "sex"


@dataclass(frozen=True)
class Column:
    name: str
    header_vi: str
    kind: Kind
    required: bool = False
    personal: bool = False  # never echoed in logs, artifacts or error messages
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def header_keys(self) -> set[str]:
        return {fold_header(h) for h in (self.name, self.header_vi, *self.aliases)}


INDICATOR_COLUMNS: tuple[str, ...] = tuple(f"d{i:02d}" for i in range(1, 13))

HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("household_id", "Mã hộ", Kind.TEXT, required=True, aliases=("ma ho gia dinh", "ho id")),
    Column("commune_code", "Mã xã", Kind.CODE5, required=True, aliases=("ma phuong xa", "ma don vi")),
    Column("village", "Thôn/Tổ dân phố", Kind.TEXT, required=True, aliases=("thon", "to dan pho", "thon to")),
    Column("head_name", "Họ tên chủ hộ", Kind.TEXT, required=True, personal=True, aliases=("chu ho",)),
    Column("head_id_number", "Số CCCD chủ hộ", Kind.TEXT, personal=True, aliases=("cccd chu ho",)),
    Column("ethnicity", "Dân tộc", Kind.TEXT, required=True),
    Column("members", "Số nhân khẩu", Kind.INT, required=True, aliases=("nhan khau", "so nguoi")),
    Column("area", "Khu vực", Kind.AREA),
    Column(
        "income_per_capita",
        "Thu nhập bình quân (đồng/người/tháng)",
        Kind.INT,
        aliases=("thu nhap binh quan dau nguoi", "thu nhap"),
    ),
    Column("b1_score", "Điểm B1", Kind.INT, aliases=("b1",)),
    *(
        Column(code, f"Chỉ số thiếu hụt {i}", Kind.FLAG, required=True, aliases=(f"d{i}", f"chi so {i}"))
        for i, code in enumerate(INDICATOR_COLUMNS, start=1)
    ),
    Column("b2_score", "Điểm B2", Kind.INT, aliases=("b2",)),
    Column("agri_household", "Hộ làm NLNDN", Kind.FLAG, aliases=("ho lam nong lam ngu diem nghiep",)),
    Column("no_labour_capacity", "Hộ không có khả năng lao động", Kind.FLAG, aliases=("knld",)),
    Column("merit_household", "Hộ có người có công", Kind.FLAG, aliases=("nguoi co cong",)),
    Column("poverty_cause", "Nguyên nhân nghèo", Kind.TEXT),
    Column("reported_status", "Phân loại hộ (xã đề xuất)", Kind.STATUS, aliases=("phan loai ho",)),
    Column("meeting_agree_pct", "Tỷ lệ đồng ý họp dân (%)", Kind.NUMBER, aliases=("ty le dong y",)),
)

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("household_id", "Mã hộ", Kind.TEXT, required=True),
    Column("full_name", "Họ và tên", Kind.TEXT, required=True, personal=True, aliases=("ho ten",)),
    Column("relation", "Quan hệ với chủ hộ", Kind.TEXT, required=True, aliases=("quan he",)),
    Column("birth_date", "Ngày sinh", Kind.DATE, required=True, aliases=("nam sinh", "ngay thang nam sinh")),
    Column("sex", "Giới tính", Kind.SEX, required=True),
    Column("id_number", "Số CCCD", Kind.TEXT, personal=True, aliases=("cccd", "so dinh danh")),
    Column("has_health_insurance", "Có thẻ BHYT", Kind.FLAG, aliases=("bhyt", "the bhyt")),
    Column("in_school", "Đang đi học", Kind.FLAG, aliases=("di hoc",)),
)

PERSONAL_COLUMNS: frozenset[str] = frozenset(
    c.name for c in (*HOUSEHOLD_COLUMNS, *MEMBER_COLUMNS) if c.personal
)

HOUSEHOLD_SHEET = "ho"
MEMBER_SHEET = "thanh_vien"
HOUSEHOLD_CSV = "households.csv"
MEMBER_CSV = "members.csv"


class Status(StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    MSTB = "mstb"
    NON_POOR = "non_poor"


STATUS_ORDER: tuple[Status, ...] = (Status.POOR, Status.NEAR_POOR, Status.MSTB, Status.NON_POOR)

STATUS_LABELS_VI: dict[Status, str] = {
    Status.POOR: "Hộ nghèo",
    Status.NEAR_POOR: "Hộ cận nghèo",
    Status.MSTB: "Hộ làm NLNDN có mức sống trung bình",
    Status.NON_POOR: "Hộ không nghèo",
}

STATUS_ALIASES: dict[str, Status] = {
    **{fold(s.value): s for s in Status},
    "ngheo": Status.POOR,
    "ho ngheo": Status.POOR,
    "can ngheo": Status.NEAR_POOR,
    "ho can ngheo": Status.NEAR_POOR,
    "mstb": Status.MSTB,
    "muc song trung binh": Status.MSTB,
    "ho co muc song trung binh": Status.MSTB,
    "khong ngheo": Status.NON_POOR,
    "ho khong ngheo": Status.NON_POOR,
}

AREA_ALIASES: dict[str, str] = {
    "rural": "rural",
    "nong thon": "rural",
    "urban": "urban",
    "thanh thi": "urban",
    "do thi": "urban",  # Decree 351/2025 says "đô thị" where Decree 07/2021 said "thành thị"
}

AREA_LABELS_VI: dict[str, str] = {"rural": "Nông thôn", "urban": "Thành thị"}

# The 54 officially recognised ethnic groups (General Statistics Office list), canonical spelling
# first and accepted variants after it. Kinh is the majority; the other 53 are ethnic minorities (DTTS).
ETHNIC_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Kinh", "Việt"),
    ("Tày",),
    ("Thái",),
    ("Hoa", "Hán"),
    ("Khmer", "Khơ-me", "Khơ Me"),
    ("Mường",),
    ("Nùng",),
    ("H'Mông", "Mông", "Hmông", "Mèo"),
    ("Dao",),
    ("Gia Rai", "Gia-rai", "Jrai"),
    ("Ngái",),
    ("Ê Đê", "Ê-đê", "Rhade"),
    ("Ba Na", "Ba-na", "Bahnar"),
    ("Xơ Đăng", "Xơ-đăng", "Sedang"),
    ("Sán Chay", "Cao Lan", "Sán Chỉ"),
    ("Cơ Ho", "Cơ-ho", "K'Ho"),
    ("Chăm", "Chàm"),
    ("Sán Dìu",),
    ("Hrê", "H'rê"),
    ("Mnông", "M'Nông"),
    ("Raglai", "Ra-glai"),
    ("Xtiêng", "X'tiêng", "Stiêng"),
    ("Bru - Vân Kiều", "Bru-Vân Kiều", "Vân Kiều", "Bru"),
    ("Thổ",),
    ("Giáy",),
    ("Cơ Tu", "Cơ-tu", "Ka Tu"),
    ("Giẻ Triêng", "Gié-Triêng", "Gié Triêng"),
    ("Mạ",),
    ("Khơ Mú", "Khơ-mú", "Khmu"),
    ("Co",),
    ("Tà Ôi", "Tà-ôi", "Pa Kô", "Pa Cô"),
    ("Chơ Ro", "Chơ-ro"),
    ("Kháng",),
    ("Xinh Mun", "Xinh-mun"),
    ("Hà Nhì",),
    ("Chu Ru", "Chu-ru"),
    ("Lào",),
    ("La Chí",),
    ("La Ha",),
    ("Phù Lá",),
    ("La Hủ",),
    ("Lự",),
    ("Lô Lô",),
    ("Chứt",),
    ("Mảng",),
    ("Pà Thẻn",),
    ("Cờ Lao", "Co Lao"),
    ("Cống",),
    ("Bố Y",),
    ("Si La",),
    ("Pu Péo",),
    ("Brâu",),
    ("Ơ Đu",),
    ("Rơ Măm", "Rơ-măm"),
)
ETHNIC_MAJORITY = "Kinh"
ETHNIC_ALIASES: dict[str, str] = {fold_compact(v): group[0] for group in ETHNIC_GROUPS for v in group}

# Causes of poverty as listed in provincial reports (domain brief §5.6).
POVERTY_CAUSES: dict[str, str] = {
    "land": "Thiếu đất sản xuất",
    "capital": "Thiếu vốn",
    "labour": "Thiếu lao động",
    "means": "Thiếu phương tiện sản xuất",
    "knowledge": "Thiếu kiến thức sản xuất",
    "skills": "Thiếu kỹ năng lao động",
    "illness": "Ốm đau, tai nạn",
    "other": "Khác",
}
POVERTY_CAUSE_ALIASES: dict[str, str] = {
    **{fold(code): code for code in POVERTY_CAUSES},
    **{fold(label): code for code, label in POVERTY_CAUSES.items()},
    "om dau": "illness",
    "tai nan": "illness",
    "om dau benh nang": "illness",
    "om dau tai nan": "illness",
}

HEAD_RELATION = "Chủ hộ"
SEXES: dict[str, str] = {"nam": "Nam", "nu": "Nữ", "male": "Nam", "female": "Nữ"}


def header_index(columns: tuple[Column, ...]) -> dict[str, str]:
    """Folded header → canonical column name."""
    index: dict[str, str] = {}
    for column in columns:
        for key in column.header_keys():
            index.setdefault(key, column.name)
    return index
