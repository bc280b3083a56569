"""`python -m scoring template FILE.xlsx`: an empty input workbook for the desk (issue 9 §5).

One sheet per input table of SPEC §3, named after the table, with its column names in the
first row (what `load_records` reads as the header) and a Vietnamese note on each header cell
(a cell comment, so the header row stays the only header). Dropdowns offer the labels the
criteria accept — every era's ratings and classifications, the bands, the roles, the groups —
and number formats keep years and counts whole, scores with two decimals and ids as text.
A first sheet, "Hướng dẫn", says how to fill it in and lists the accepted values (the
dropdowns read them from there); `load_records` notes it as a sheet of no table and skips it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from .criteria import Criteria
from .scenario import _atomic_write

GUIDE = "Hướng dẫn"
ROWS = 5000  # rows of each sheet that get the dropdowns and checks
# (column, Vietnamese note, kind): kinds "id", "text", "year", "count", "score", or a list name
TABLES = {
    "units": [
        ("unit_id", "Mã cơ quan, đơn vị (duy nhất; dùng ở các trang khác)", "id"),
        ("unit_name", "Tên cơ quan, đơn vị", "text"),
        ("group", "Khối xếp hạng (chọn trong danh sách)", "groups"),
        ("party_org_id", "Mã tổ chức cơ sở đảng của đơn vị (nếu có)", "id"),
    ],
    "reform_results": [
        ("year", "Năm", "year"),
        ("unit_id", "Mã cơ quan, đơn vị", "id"),
        ("score", "Điểm chỉ số cải cách hành chính (%), ví dụ 85,20", "score"),
        ("band", "Xếp loại đã công bố (để trống nếu tính theo điểm)", "bands"),
    ],
    "unit_dossiers": [
        ("year", "Năm", "year"),
        ("unit_id", "Mã cơ quan, đơn vị", "id"),
        ("handled", "Số hồ sơ đã giải quyết trong năm", "count"),
        ("late", "Số hồ sơ trễ hạn", "count"),
    ],
    "officials": [
        ("year", "Năm", "year"),
        ("official_id", "Mã cán bộ, công chức, viên chức (duy nhất)", "id"),
        ("full_name", "Họ và tên", "text"),
        ("unit_id", "Mã cơ quan, đơn vị công tác", "id"),
        ("role", "Chức vụ (chọn trong danh sách)", "roles"),
        ("proposed_rating", "Mức xếp loại đề xuất (chọn trong danh sách)", "ratings"),
    ],
    "official_dossiers": [
        ("year", "Năm", "year"),
        ("official_id", "Mã cán bộ, công chức, viên chức", "id"),
        ("handled", "Số hồ sơ đã giải quyết trong năm", "count"),
        ("late", "Số hồ sơ trễ hạn", "count"),
    ],
    "party_orgs": [
        ("year", "Năm", "year"),
        ("party_org_id", "Mã tổ chức cơ sở đảng", "id"),
        ("unit_id", "Mã cơ quan, đơn vị của tổ chức đảng", "id"),
        ("proposed_classification", "Mức xếp loại đề xuất (chọn trong danh sách)", "classifications"),
    ],
}
REQUIRED = ("units", "reform_results", "officials")
LIST_TITLES = {
    "groups": "Khối",
    "bands": "Xếp loại cải cách hành chính",
    "roles": "Chức vụ",
    "ratings": "Xếp loại cán bộ (mọi thang)",
    "classifications": "Xếp loại tổ chức cơ sở đảng (mọi thang)",
}
FORMATS = {"year": "0", "count": "#,##0", "score": "0.00", "id": "@", "text": "@"}


class TemplateError(ValueError):
    """The template cannot be written where asked (Vietnamese message)."""


def accepted_values(crit: Criteria) -> dict[str, list[str]]:
    """The labels each dropdown offers, from the criteria: every era's, once each, in order."""

    def labels(family: str) -> list[str]:
        eras = crit.scales(family).eras  # level by level, best first, each era's label once
        return list(dict.fromkeys(era.labels[i] for i in range(len(eras[0].labels)) for era in eras))

    roles = [r.get("label") or (r.get("aliases") or [r["key"]])[0] for r in crit.doc["roles"]]
    return {
        "groups": [g["label"] for g in crit.doc.get("groups", [])],
        "bands": list(crit.bands.labels),
        "roles": roles,
        "ratings": labels("cadre"),
        "classifications": labels("party_org"),
    }


def _guide_lines(crit: Criteria) -> list[str]:
    programme = crit.programme.get("short") or crit.programme.get("title", "")
    return [
        "Mẫu nhập số liệu đánh giá cải cách hành chính",
        f"Áp dụng {programme} (bộ tiêu chí {Path(crit.source).name}, phiên bản {crit.version}).",
        "",
        "Cách điền:",
        "1. Mỗi trang là một bảng; dòng 1 là tên cột, không sửa, không xóa, không chèn dòng phía trên.",
        "   Đưa chuột vào ô tên cột để xem ghi chú bằng tiếng Việt.",
        "2. Mỗi dòng một đối tượng của một năm; điền cả các năm trước (xếp loại, người đứng đầu) vì",
        "   quy định về 03 năm, 02 năm liên tục (mục II.4) xét chuỗi năm.",
        "3. Các trang units, reform_results, officials bắt buộc; unit_dossiers, official_dossiers,",
        "   party_orgs không bắt buộc (để trống thì các quy định cần số liệu đó không được áp dụng).",
        "4. Mã (đơn vị, cán bộ, tổ chức đảng) là văn bản, giữ nguyên cách viết ở mọi trang.",
        "5. Điểm là số phần trăm, hai chữ số thập phân (85,20); số hồ sơ là số nguyên.",
        "6. Khối, xếp loại, chức vụ: chọn trong danh sách (bên phải trang này là các giá trị được chấp nhận;",
        "   thang cũ và thang mới đều được, chương trình tự quy đổi theo năm).",
        "7. Kiểm tra và tính: python -m scoring evaluate TỆP.xlsx --year NĂM --out THƯ_MỤC",
        "   (mọi lỗi được liệt kê kèm trang, dòng, cột; không ghi kết quả khi còn lỗi).",
    ]


def template_bytes(crit: Criteria) -> bytes:
    """The empty input workbook: the same criteria give the same bytes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE
    for i, line in enumerate(_guide_lines(crit), start=1):
        guide.cell(i, 1, line)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 100
    lists = accepted_values(crit)
    ranges = {}
    for j, (name, values) in enumerate(lists.items(), start=3):
        col = guide.cell(1, j).column_letter
        guide.cell(1, j, LIST_TITLES[name]).font = Font(bold=True)
        for i, v in enumerate(values, start=2):
            guide.cell(i, j, v)
        guide.column_dimensions[col].width = max(len(v) for v in [LIST_TITLES[name], *values]) + 2
        ranges[name] = f"'{GUIDE}'!${col}$2:${col}${len(values) + 1}"
    for table, columns in TABLES.items():
        ws = wb.create_sheet(table)
        for j, (column, note, kind) in enumerate(columns, start=1):
            cell = ws.cell(1, j, column)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="top")
            required = " Bắt buộc." if table in REQUIRED and kind not in ("bands",) else ""
            cell.comment = Comment(f"{note}.{required}", "scoring", width=260, height=90)
            letter = cell.column_letter
            ws.column_dimensions[letter].width = max(len(column), 14 if kind in FORMATS else 30) + 2
            ws.column_dimensions[letter].number_format = FORMATS.get(kind, "@")
            target = f"{letter}2:{letter}{ROWS + 1}"
            dv = _validation(DataValidation, kind, ranges)
            if dv is not None:
                ws.add_data_validation(dv)
                dv.add(target)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


def _validation(DataValidation, kind: str, ranges: dict[str, str]):
    """The check Excel makes as a cell is typed (load_records checks everything again)."""
    if kind in ranges:
        return DataValidation(
            type="list", formula1=f"={ranges[kind]}", allow_blank=True, showErrorMessage=True,
            errorTitle="Giá trị không có trong danh sách", error="Chọn một giá trị trong danh sách.",
        )  # fmt: skip
    if kind in ("year", "count"):
        low, high = (1900, 2100) if kind == "year" else (0, 10**9)
        return DataValidation(
            type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True,
            showErrorMessage=True, errorTitle="Cần một số nguyên", error=f"Nhập số nguyên từ {low} đến {high}.",
        )  # fmt: skip
    if kind == "score":
        return DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
            showErrorMessage=True, errorTitle="Điểm không hợp lệ", error="Nhập điểm từ 0 đến 100 (ví dụ 85,20).",
        )  # fmt: skip
    return None


def _fixed_zip(data: bytes) -> bytes:
    """The .xlsx with fixed times (zip entries, document dates): equal content, equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", body)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def write_template(path: str | Path, crit: Criteria, force: bool = False) -> Path:
    """Write the template to `path` (a new .xlsx; an existing file only with `force`), atomically."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise TemplateError(f"Tệp mẫu cần đuôi .xlsx: {path}")
    if path.is_dir():
        raise TemplateError(f"{path} là một thư mục, không phải tệp .xlsx")
    if path.exists() and not force:
        raise TemplateError(f"Tệp {path} đã có; dùng --force để ghi đè.")
    body = template_bytes(crit)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, body)  # a complete file or none
    return path
