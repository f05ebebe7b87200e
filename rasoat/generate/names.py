"""Vietnamese personal names for generated members (Kinh style and Central Highlands style)."""

from __future__ import annotations

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


def kinh_names(rng: np.random.Generator, family: np.ndarray, sex: np.ndarray) -> np.ndarray:
    male = sex == "Nam"
    middle = np.where(male, rng.choice(MIDDLE["Nam"], len(sex)), rng.choice(MIDDLE["Nữ"], len(sex)))
    given = np.where(male, rng.choice(GIVEN["Nam"], len(sex)), rng.choice(GIVEN["Nữ"], len(sex)))
    return np.char.add(np.char.add(np.char.add(family.astype(str), " "), np.char.add(middle, " ")), given)


def highland_names(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    prefix = np.where(sex == "Nam", HIGHLAND_PREFIX["Nam"], HIGHLAND_PREFIX["Nữ"])
    return np.char.add(np.char.add(prefix, " "), rng.choice(HIGHLAND_GIVEN, len(sex)))


def family_names(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(FAMILY, n, p=FAMILY_WEIGHTS / FAMILY_WEIGHTS.sum())
