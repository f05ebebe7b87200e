"""Legal bases ("Căn cứ …") cited by the review documents (brief §7.6), first citations in full."""

from __future__ import annotations

from rasoat.standards import Standard, national_of

LOCAL_GOVERNMENT_LAWS = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số "
    "điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019"
)
DECISION_24 = (
    "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy định quy "
    "trình rà soát hộ nghèo, hộ cận nghèo hằng năm và quy trình xác định hộ làm nông nghiệp, lâm nghiệp, "
    "ngư nghiệp và diêm nghiệp có mức sống trung bình"
)
CIRCULAR_07 = (
    "Căn cứ Thông tư số 07/2021/TT-BLĐTBXH ngày 18 tháng 7 năm 2021 của Bộ trưởng Bộ Lao động - Thương "
    "binh và Xã hội hướng dẫn phương pháp rà soát, phân loại hộ nghèo, hộ cận nghèo; xác định thu nhập "
    "của hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình"
)
STANDARD_DECREES = {
    "ND07_2022_2026": (
        "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn nghèo "
        "đa chiều giai đoạn 2021 - 2025"
    ),
    "ND351_2027_2030": (
        "Căn cứ Nghị định số 351/2025/NĐ-CP ngày 30 tháng 12 năm 2025 của Chính phủ quy định chuẩn nghèo "
        "đa chiều giai đoạn 2026 - 2030"
    ),
}


def _basis(standard: Standard) -> str:
    return STANDARD_DECREES.get(standard.id, f"Căn cứ {standard.legal_basis}")


def standard_bases(standard: Standard) -> list[str]:
    """The standard's legal bases: a provincial standard cites the national decree it sits above,
    then its own resolution."""
    national = national_of(standard)
    return [_basis(national)] if national is standard else [_basis(national), _basis(standard)]


def review_bases(standard: Standard) -> list[str]:
    return [LOCAL_GOVERNMENT_LAWS, *standard_bases(standard), DECISION_24, CIRCULAR_07]
