"""Vietnamese personal names for generated members (Kinh style and Central Highlands style)."""

from __future__ import annotations

from functools import cache

import numpy as np

FAMILY = np.array(
    [
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Võ",
        "Phan",
        "Huỳnh",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Đoàn",
        "Trương",
        "Hà",
        "Lương",
        "Đinh",
    ]
)
FAMILY_WEIGHTS = np.array([38, 11, 9, 7, 5, 4, 4, 3, 3, 3, 3, 3, 2, 1.5, 1, 1, 1, 1, 0.5, 0.5])
MIDDLE = {
    "Nam": np.array(["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh"]),
    "Nữ": np.array(["Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Hồng"]),
}
GIVEN = {
    "Nam": np.array(
        [
            "An",
            "Bình",
            "Cường",
            "Dũng",
            "Hùng",
            "Hải",
            "Hiếu",
            "Hoàng",
            "Khánh",
            "Long",
            "Mạnh",
            "Nam",
            "Phúc",
            "Quân",
            "Sơn",
            "Tài",
            "Thắng",
            "Thành",
            "Toàn",
            "Trung",
            "Tuấn",
            "Việt",
            "Vinh",
            "Bảo",
            "Đạt",
            "Định",
            "Lộc",
            "Lợi",
            "Nghĩa",
            "Phong",
        ]
    ),
    "Nữ": np.array(
        [
            "Anh",
            "Bích",
            "Chi",
            "Dung",
            "Giang",
            "Hà",
            "Hạnh",
            "Hằng",
            "Hoa",
            "Hồng",
            "Huệ",
            "Hương",
            "Lan",
            "Liên",
            "Linh",
            "Loan",
            "Mai",
            "Ngọc",
            "Nhung",
            "Oanh",
            "Phương",
            "Quỳnh",
            "Thảo",
            "Thu",
            "Thủy",
            "Trang",
            "Tuyết",
            "Vân",
            "Yến",
            "Xuân",
        ]
    ),
}
# Xơ Đăng, Ba Na, Giẻ Triêng: "A" before men's names, "Y" before women's.
HIGHLAND_PREFIX = {"Nam": "A", "Nữ": "Y"}
HIGHLAND_GIVEN = np.array(
    [
        "Thút",
        "Blăng",
        "Hơn",
        "Kring",
        "Blong",
        "Nhơn",
        "Hiêng",
        "Dai",
        "Vang",
        "Pếch",
        "Ngọk",
        "Rin",
        "Tuyên",
        "Sâm",
        "Đứp",
        "Hlin",
        "Bloan",
        "Lem",
        "Kơ",
        "Xuân",
        "Thoan",
        "Mưn",
        "Phiên",
        "Klưn",
        "Rơ",
        "Nhuấn",
        "Đrim",
        "Hnưng",
    ]
)


# Full names are picked from tables of every combination (family × middle × given, built once) by
# index: no string is built per person, and each person's name is a reference to a table entry.
# The draws are the same as picking each part by name (`rng.choice` of an index or of the array).


@cache
def _kinh_table() -> np.ndarray:
    """[family, sex (0 Nam, 1 Nữ), middle, given] → "Family Middle Given"."""
    table = np.empty((len(FAMILY), 2, len(MIDDLE["Nam"]), len(GIVEN["Nam"])), dtype=object)
    for f, family in enumerate(FAMILY):
        for x, sex in enumerate(("Nam", "Nữ")):
            for m, middle in enumerate(MIDDLE[sex]):
                for g, given in enumerate(GIVEN[sex]):
                    table[f, x, m, g] = f"{family} {middle} {given}"
    return table


@cache
def _highland_table() -> np.ndarray:
    return np.array(
        [[f"{HIGHLAND_PREFIX[sex]} {given}" for given in HIGHLAND_GIVEN] for sex in ("Nam", "Nữ")],
        dtype=object,
    )


def kinh_names(rng: np.random.Generator, family: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """`family`: indices into FAMILY (see `family_indices`)."""
    n = len(sex)
    female = (sex != "Nam").astype(np.intp)
    middle = np.where(female == 0, rng.choice(len(MIDDLE["Nam"]), n), rng.choice(len(MIDDLE["Nữ"]), n))
    given = np.where(female == 0, rng.choice(len(GIVEN["Nam"]), n), rng.choice(len(GIVEN["Nữ"]), n))
    return _kinh_table()[family, female, middle, given]


def highland_names(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    female = (sex != "Nam").astype(np.intp)
    return _highland_table()[female, rng.choice(len(HIGHLAND_GIVEN), len(sex))]


def family_indices(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(len(FAMILY), n, p=FAMILY_WEIGHTS / FAMILY_WEIGHTS.sum())
