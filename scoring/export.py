"""Writing the output tables: CSV (UTF-8 with BOM), `decisions.xlsx`, Parquet, a manifest.

Exports are written into a temporary folder beside the target and moved into place only
when every file is complete, so an interrupted run never leaves a half-written table. The
same inputs and criteria give byte-identical files (no timestamps inside, stable order).
Text cells that a spreadsheet would read as a formula are neutralised (SPEC §5).
"""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from . import __version__
from .atomic import publish
from .evaluate import Evaluation
from .workbook import decisions_workbook, output_table
from .xlsx import FORMULA_PATTERN, FORMULA_START

MAX_SPREADSHEET_ROWS = 100_000
EXCEL_MAX_ROWS = 1_048_576  # rows of an Excel sheet, the header row included
LIST_COLUMNS = {"capped_by", "reasons", "streak_years", "streak_bands", "actions"}


def neutralise(text: str) -> str:
    """'=1+1' -> \"'=1+1\": a spreadsheet shows it as text, never runs it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _text_column(s: pd.Series) -> pd.Series:
    s = s.astype(object).where(s.notna(), "")
    s = s.astype(str)
    bad = s.str.startswith(FORMULA_START)
    if bad.any():
        s = s.where(~bad, "'" + s)
    return s


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table as the strings written to CSV: true/false, 2-decimal scores, 6-decimal rates."""
    out = {}
    for c in df.columns:
        s = df[c]
        if s.dtype == bool:
            out[c] = np.where(s.to_numpy(), "true", "false")
        elif c in ("score", "late_rate"):
            out[c] = _arrow_text(s, c)[0].to_pylist()  # one rounding for every dialect
        elif s.dtype.kind in "iu" or str(s.dtype) == "Int64":
            out[c] = s.astype("Int64").astype(str).replace("<NA>", "")
        else:
            out[c] = _text_column(s)
    return pd.DataFrame(out, columns=df.columns)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as CSV (UTF-8 with BOM, CRLF, minimal quoting), formatted in Arrow.

    Same bytes as `csv_frame(df).to_csv(...)`, with no Python object per cell: each column
    becomes an Arrow string array (one pass finds the few cells to quote or guard). When no
    cell needs quotes, Arrow's own CSV writer lays the rows out unquoted (three times faster
    than joining the cells); otherwise a row is the join of its cells, the last one with its
    line end, and the body is the data buffer of the rows.
    """
    header = ",".join(_quote_py(str(c)) for c in df.columns) + "\r\n"
    head = "\ufeff".encode() + header.encode("utf-8")
    if len(df) == 0:
        return head
    cols, quoted = [], False
    for c in df.columns:
        text, q = _arrow_text(df[c], c)
        cols.append(text)
        quoted |= q
    if not quoted:  # no cell holds a quote, comma or line break: Arrow refuses any that does
        buf = io.BytesIO()
        buf.write(head)
        table = pa.table(cols, names=[f"c{i}" for i in range(len(cols))])
        pcsv.write_csv(table, buf, _UNQUOTED)
        return buf.getvalue()
    cols[-1] = pc.binary_join_element_wise(cols[-1], "\r\n", "")  # the line end, on one column
    rows = pc.binary_join_element_wise(*cols, ",") if len(cols) > 1 else cols[-1]
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    width = np.int64 if pa.types.is_large_string(rows.type) else np.int32
    offsets = np.frombuffer(rows.buffers()[1], dtype=width)[rows.offset : rows.offset + len(rows) + 1]
    body = memoryview(rows.buffers()[2])[int(offsets[0]) : int(offsets[-1])]
    return b"".join((head, body))


_UNQUOTED = pcsv.WriteOptions(include_header=False, eol="\r\n", quoting_style="none")


# The CSV dialects: `standard` is the machine contract of SPEC §3 (comma, decimal point);
# `vn` is what Excel reads and writes under Vietnamese regional settings (`;`, decimal comma).
CSV_DIALECTS = ("standard", "vn")


def _csv_bytes_vn(df: pd.DataFrame) -> bytes:
    """The table as a CSV for Excel under Vietnamese regional settings: `;` between fields,
    a decimal comma in scores and rates; UTF-8 with BOM, formula-looking text neutralised."""
    text = csv_frame(df)
    for c in ("score", "late_rate"):
        if c in text:
            text[c] = text[c].str.replace(".", ",", regex=False)
    buf = io.StringIO()
    text.to_csv(buf, sep=";", index=False, lineterminator="\r\n")
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def _quote_py(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in '",\r\n') else text


def _arrow_text(s: pd.Series, name: str) -> tuple[pa.Array, bool]:
    """One column as CSV cells (strings), as `csv_frame` formats them, quoted where needed;
    and whether any cell was quoted."""
    if s.dtype == bool:
        return pc.if_else(pa.array(s.to_numpy()), "true", "false"), False
    if name in ("score", "late_rate"):
        return fixed_text(s, 2 if name == "score" else 6), False
    if s.dtype.kind in "iu" or str(s.dtype) == "Int64":
        ints = s.astype("Int64")
        values = ints.to_numpy(dtype=np.int64, na_value=0)
        if len(values) and (values == values[0]).all():  # a year: one text, repeated
            text = pa.repeat(pa.scalar(str(values[0])), len(values))
        else:
            text = pc.cast(pa.array(values), pa.string())
        missing = ints.isna().to_numpy()
        return (pc.if_else(pa.array(~missing), text, "") if missing.any() else text), False
    if isinstance(s.dtype, pd.CategoricalDtype):
        plain = [neutralise(str(c)) for c in s.cat.categories]
        shown = [_quote_py(c) for c in plain]
        cats = pa.array(shown, type=pa.string())
        codes = s.cat.codes.to_numpy()
        text = cats.take(pa.array(np.maximum(codes, 0)))
        text = pc.if_else(pa.array(codes >= 0), text, "") if (codes < 0).any() else text
        return text, shown != plain
    if isinstance(s.array, pd.arrays.ArrowStringArray):
        arr = pc.fill_null(pa.array(s.array), "")
    else:
        arr = pa.array(s.astype(object).where(s.notna(), "").astype(str).tolist(), type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return _guarded(arr.cast(pa.string()))


def fixed_text(s: pd.Series, decimals: int) -> pa.Array:
    """Numbers as text with `decimals` decimals and a point, rounded by `half_up_scaled`; a
    missing one as ''. Scores, late rates and every share written beside them."""
    v = s.to_numpy(dtype=np.float64, na_value=np.nan)
    ok = ~np.isnan(v)
    scaled = half_up_scaled(np.where(ok, v, 0.0), decimals)
    text = _one_digit_decimals(scaled, decimals)
    if text is None:
        whole = pc.cast(pa.array(scaled // 10**decimals), pa.string())
        frac = pc.utf8_lpad(pc.cast(pa.array(scaled % 10**decimals), pa.string()), decimals, "0")
        text = pc.binary_join_element_wise(whole, frac, ".")
    return text if ok.all() else pc.if_else(pa.array(ok), text, "")


def half_up_scaled(v: np.ndarray, decimals: int) -> np.ndarray:
    """`v` × 10^decimals as integers, rounded half up on each value at 15 significant digits:
    the number a spreadsheet shows, rounded as SPEC §2 rounds scores (84.995 -> 85.00).

    A late rate of 1/400,000 is the double 2.50000000000000010e-06, 7/400,000 the double
    1.74999999999999997e-05: both exact halves at the 7th decimal, which must print 0.000003
    and 0.000018 — in both CSV dialects, whatever side of the half their binary value fell on
    (rounding the binary product half to even gave 0.000002 in one dialect and 0.000003 in the
    other). Only the cells within 10^-6 of a half, where the product's own rounding could
    decide, are rounded again in decimal; the rest is one vectorised floor.
    """
    scaled = v * 10.0**decimals
    out = np.floor(scaled + 0.5)
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6):
        exact = Decimal(f"{v[i]:.15g}").scaleb(decimals)
        out[i] = float(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return out.astype(np.int64)


def _one_digit_decimals(scaled: np.ndarray, decimals: int) -> pa.Array | None:
    """'0.071429' for 71429 at 6 decimals, when every value is under 10 (a rate is at most 1):
    None otherwise.

    One cast of `scaled + 10**(decimals + 1)` gives each text at the same width, a leading
    1 before the digits ('10071429'); in numpy that 1 gives way to the whole digit and the
    point ('0.071429'). Half the work of casting the whole and the fraction apart and
    joining them (a million late rates in the national CSV).
    """
    if not len(scaled) or scaled.min() < 0 or scaled.max() >= 10 ** (decimals + 1):
        return None
    width = decimals + 2
    digits = pc.cast(pa.array(scaled + 10 ** (decimals + 1)), pa.string())
    rows = np.frombuffer(digits.buffers()[2], dtype=np.uint8)[: len(scaled) * width].reshape(-1, width)
    text = np.empty_like(rows)
    text[:, 0] = rows[:, 1]
    text[:, 1] = ord(".")
    text[:, 2:] = rows[:, 2:]
    offsets = np.arange(0, len(scaled) * width + 1, width, dtype=np.int32)
    return pa.StringArray.from_buffers(len(scaled), pa.py_buffer(offsets), pa.py_buffer(text))


_QUOTE_BYTES = np.frombuffer(b'",\r\n', dtype=np.uint8)
_FORMULA_BYTES = np.frombuffer("".join(FORMULA_START).encode(), dtype=np.uint8)


def _guarded(arr: pa.Array) -> tuple[pa.Array, bool]:
    """Neutralise formula-like cells and quote cells that need it: one pass, then the few found;
    and whether any cell was quoted.

    The pass reads the column's UTF-8 bytes as one numpy array (the bytes looked for are
    ASCII, never part of a multi-byte letter): a quote, comma or line break anywhere, or a
    formula character first. The cells found are fixed by Arrow's kernels (an apostrophe
    before a formula, quotes doubled and around): the evidence of the national decisions is a
    different text on almost every row, and fixing each as a Python string cost 55,000 of them.
    """
    special = _special_rows(arr)
    if not special.any():
        return arr, False
    mask = pa.array(special)
    found = arr.filter(mask)
    plain = pc.if_else(
        pc.match_substring_regex(found, FORMULA_PATTERN), pc.binary_join_element_wise("'", found, ""), found
    )
    to_quote = pc.match_substring_regex(plain, '[",\r\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(plain, '"', '""'), '"', "")
    shown = pc.if_else(to_quote, quoted, plain)
    return pc.replace_with_mask(arr, mask, shown), pc.any(to_quote).as_py() or False


def _special_rows(arr: pa.Array) -> np.ndarray:
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    if arr.buffers()[2] is None or offsets[-1] == offsets[0]:
        return np.zeros(len(arr), dtype=bool)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[: offsets[-1]]
    hits = _positions_of(data[offsets[0] :], _QUOTE_BYTES)
    special = np.zeros(len(arr), dtype=bool)
    special[np.searchsorted(offsets, hits + offsets[0], side="right") - 1] = True
    starts = offsets[:-1]
    filled = starts < offsets[1:]
    special[filled] |= np.isin(data[starts[filled]], _FORMULA_BYTES)
    return special


_CHUNK = 1 << 18


def _positions_of(body: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where any of the bytes `wanted` is in `body`, compared a quarter of a megabyte at a time
    into two reused arrays: comparing the whole text at once made a new boolean array the size
    of the column's text per byte looked for (21 MB for the national officials' names), and
    filling fresh memory cost more than comparing (32 -> 8 ms)."""
    hit = np.empty(min(len(body), _CHUNK), dtype=bool)
    other = np.empty_like(hit)
    found = []
    for start in range(0, len(body), _CHUNK):
        part = body[start : start + _CHUNK]
        h, o = hit[: len(part)], other[: len(part)]
        np.equal(part, wanted[0], out=h)
        for b in wanted[1:]:
            np.equal(part, b, out=o)
            h |= o
        if h.any():
            found.append(np.flatnonzero(h) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def manifest(ev: Evaluation, scenario: str | None = None) -> dict:
    """What this export is the product of: versions, hashes, year, overrides."""
    crit = ev.criteria
    return {
        "tool": "scoring",
        "version": __version__,
        "year": ev.year,
        "criteria": {
            "file": Path(crit.source).name,
            "version": crit.version,
            "sha256": crit.sha256,
        },
        "overrides": {k: v for k, v in crit.overrides},
        "scenario": scenario,
        "inputs": {"origin": Path(ev.records.origin).name, "sha256": ev.records.input_sha256},
        "corrections": getattr(ev.records, "corrections", []),
    }


def _manifest_properties(m: dict) -> dict[str, str]:
    props = {
        "scoring_version": m["version"],
        "year": str(m["year"]),
        "criteria_file": m["criteria"]["file"],
        "criteria_sha256": m["criteria"]["sha256"],
        "criteria_version": m["criteria"]["version"],
        "overrides": json.dumps(m["overrides"], ensure_ascii=False, sort_keys=True),
    }
    if m.get("scenario"):
        props["scenario"] = str(m["scenario"])
    for name, sha in m["inputs"]["sha256"].items():
        props[f"input_sha256:{name}"[:250]] = sha
    return props


def write_outputs(
    ev: Evaluation,
    out_dir: str | Path,
    fmt: str = "csv",
    max_spreadsheet_rows: int = MAX_SPREADSHEET_ROWS,
    scenario: str | None = None,
    extra: dict[str, bytes] | None = None,
    manifest_extra: dict | None = None,
    lock_timeout: float | None = None,
    on_wait=None,
    csv_dialect: str = "standard",
) -> list[str]:
    """Write the five tables, `decisions.xlsx` (when small enough) and `manifest.json`.

    `extra` files (a scenario's changes, say) are written with them and listed in the
    manifest, with `manifest_extra` entries. Returns the notices of the export (e.g. the
    workbook skipped); the manifest's `notes` holds the run's notes and these notices. All or
    nothing, one writer at a time (`scoring.atomic.publish`, docs/exports.md).
    """
    check_spreadsheet_rows(max_spreadsheet_rows)
    out = Path(out_dir)
    tables = ev.tables()
    notices = []
    m = manifest(ev, scenario)
    files: dict[str, bytes | pd.DataFrame] = {}
    for name, df in tables.items():
        df = output_table(name, df)
        if fmt == "parquet":
            files[f"{name}.parquet"] = df
        else:
            files[f"{name}.csv"] = _csv_bytes_vn(df) if csv_dialect == "vn" else _csv_bytes(df)
    if fits_spreadsheet(ev, max_spreadsheet_rows):
        files["decisions.xlsx"] = decisions_workbook(ev, _manifest_properties(m), notices)
    else:
        largest = max(len(df) for df in tables.values())
        notices.append(
            f"Bỏ qua decisions.xlsx: bảng lớn nhất có {_vn(largest)} dòng, vượt giới hạn "
            f"{_vn(max_spreadsheet_rows)} dòng của một bảng tính (dùng --format parquet cho dữ liệu lớn)."
        )
    files.update(extra or {})
    if fmt != "parquet":
        m["csv_dialect"] = csv_dialect
    m.update(manifest_extra or {})
    m["files"] = sorted(files)
    m["notes"] = [*ev.notes, *notices]
    files["manifest.json"] = (json.dumps(m, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    notices.extend(_write_atomically(out, files, lock_timeout=lock_timeout, on_wait=on_wait))
    return notices


def check_spreadsheet_rows(n: int) -> int:
    """The workbook row limit asked for, if a sheet can hold it (a header and n rows)."""
    if not 0 <= n <= EXCEL_MAX_ROWS - 1:
        raise ValueError(
            f"giới hạn số dòng của bảng tính phải từ 0 đến {_vn(EXCEL_MAX_ROWS - 1)} "
            f"(một trang Excel có {_vn(EXCEL_MAX_ROWS)} dòng, kể cả dòng tiêu đề), nhận được {_vn(n)}"
        )
    return n


def _vn(n: int) -> str:
    """1000000 -> '1.000.000' (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def fits_spreadsheet(ev: Evaluation, max_rows: int = MAX_SPREADSHEET_ROWS) -> bool:
    """Whether every table of the evaluation fits the workbook row limit."""
    return max(len(df) for df in ev.tables().values()) <= max_rows


def _write_atomically(out: Path, files: dict[str, bytes | pd.DataFrame], **kwargs) -> list[str]:
    """Publish `files` into `out`, all or nothing (scoring.atomic); Parquet tables written there."""
    bodies = {
        name: partial(body.to_parquet, index=False) if isinstance(body, pd.DataFrame) else body
        for name, body in files.items()
    }
    return publish(out, bodies, **kwargs)


# -- for other commands' outputs (the monitor): the same CSV form and the same all-or-nothing write


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as the exports write CSV: UTF-8 with BOM, CRLF, formula-safe."""
    return _csv_bytes(df)


def write_files(out_dir: str | Path, files: dict[str, bytes], **kwargs) -> list[str]:
    """Write `files` (name -> bytes, `manifest.json` among them, listing the others under "files")
    into `out_dir`, all or nothing, as `write_outputs` does (scoring.atomic.publish)."""
    return _write_atomically(Path(out_dir), files, **kwargs)
