"""Writing the output tables: CSV (UTF-8 with BOM), `decisions.xlsx`, Parquet, a manifest.

Exports are written into a temporary folder beside the target and moved into place only
when every file is complete, so an interrupted run never leaves a half-written table. The
same inputs and criteria give byte-identical files (no timestamps inside, stable order).
Text cells that a spreadsheet would read as a formula are neutralised (SPEC §5).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import __version__
from .evaluate import OUTPUT_COLUMNS, Evaluation
from .workbook import decisions_workbook
from .xlsx import FORMULA_START

MAX_SPREADSHEET_ROWS = 100_000
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
        elif c == "score":
            out[c] = [("" if pd.isna(v) else f"{v:.2f}") for v in s]
        elif c == "late_rate":
            out[c] = [("" if pd.isna(v) else f"{v:.6f}") for v in s]
        elif s.dtype.kind in "iu" or str(s.dtype) == "Int64":
            out[c] = s.astype("Int64").astype(str).replace("<NA>", "")
        else:
            out[c] = _text_column(s)
    return pd.DataFrame(out, columns=df.columns)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as CSV (UTF-8 with BOM, CRLF, minimal quoting), formatted in Arrow.

    Same bytes as `csv_frame(df).to_csv(...)`, a million rows in about a second: each column
    becomes an Arrow string array, a row is their join, and the body is the data buffer of the
    rows (each ending in CRLF), with no Python object per cell.
    """
    header = ",".join(_quote_py(str(c)) for c in df.columns) + "\r\n"
    if len(df) == 0:
        return "\ufeff".encode() + header.encode("utf-8")
    cols = [_arrow_text(df[c], c) for c in df.columns]
    rows = pc.binary_join_element_wise(*cols, ",") if len(cols) > 1 else cols[0]
    rows = pc.binary_join_element_wise(rows, "\r\n", "")  # the line end after the last column
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    arr = rows.cast(pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    body = arr.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
    return "\ufeff".encode() + header.encode("utf-8") + body


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


_NEEDS_QUOTES = '[",\r\n]'


def _quote_py(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in '",\r\n') else text


def _arrow_text(s: pd.Series, name: str) -> pa.Array:
    """One column as CSV cells (strings), as `csv_frame` formats them, quoted where needed."""
    if s.dtype == bool:
        return pc.if_else(pa.array(s.to_numpy()), "true", "false")
    if name in ("score", "late_rate"):
        decimals = 2 if name == "score" else 6
        v = s.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = ~np.isnan(v)
        scaled = np.rint(np.where(ok, v, 0) * 10**decimals).astype(np.int64)
        whole = pc.cast(pa.array(scaled // 10**decimals), pa.string())
        frac = pc.utf8_lpad(pc.cast(pa.array(scaled % 10**decimals), pa.string()), decimals, "0")
        text = pc.binary_join_element_wise(whole, frac, ".")
        return pc.if_else(pa.array(ok), text, "")
    if s.dtype.kind in "iu" or str(s.dtype) == "Int64":
        ints = s.astype("Int64")
        text = pc.cast(pa.array(ints.to_numpy(dtype=np.int64, na_value=0)), pa.string())
        return pc.if_else(pa.array(ints.notna().to_numpy()), text, "")
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pa.array([_quote_py(neutralise(str(c))) for c in s.cat.categories], type=pa.string())
        codes = s.cat.codes.to_numpy()
        return pc.if_else(pa.array(codes >= 0), cats.take(pa.array(np.maximum(codes, 0))), "")
    if isinstance(s.array, pd.arrays.ArrowStringArray):
        arr = pc.fill_null(pa.array(s.array), "")
    else:
        arr = pa.array(s.astype(object).where(s.notna(), "").astype(str).tolist(), type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.string())
    formula = pc.or_(
        pc.starts_with(arr, "="),
        pc.or_(
            pc.starts_with(arr, "+"),
            pc.or_(
                pc.starts_with(arr, "-"),
                pc.or_(
                    pc.starts_with(arr, "@"), pc.or_(pc.starts_with(arr, "\t"), pc.starts_with(arr, "\r"))
                ),
            ),
        ),
    )
    arr = pc.if_else(formula, pc.binary_join_element_wise("'", arr, ""), arr)
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(arr, _NEEDS_QUOTES), quoted, arr)


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
    csv_dialect: str = "standard",
) -> list[str]:
    """Write the five tables, `decisions.xlsx` (when small enough) and `manifest.json`.

    `extra` files (a scenario's changes, say) are written with them and listed in the
    manifest, with `manifest_extra` entries. Returns the notices of the export (e.g. the
    workbook skipped). All or nothing: files are complete in a temporary folder before they
    are moved into `out_dir`.
    """
    out = Path(out_dir)
    tables = ev.tables()
    notices = []
    m = manifest(ev, scenario)
    files: dict[str, bytes | pd.DataFrame] = {}
    for name, df in tables.items():
        df = df[OUTPUT_COLUMNS[name]]
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
    files["manifest.json"] = (json.dumps(m, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    _write_atomically(out, files)
    return notices


def _vn(n: int) -> str:
    """1000000 -> '1.000.000' (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def fits_spreadsheet(ev: Evaluation, max_rows: int = MAX_SPREADSHEET_ROWS) -> bool:
    """Whether every table of the evaluation fits the workbook row limit."""
    return max(len(df) for df in ev.tables().values()) <= max_rows


def _write_atomically(out: Path, files: dict[str, bytes | pd.DataFrame]) -> None:
    """Write `files` into `out`, all or nothing.

    Every file is written and fsync'ed in a temporary folder beside `out` first; an exception
    (or a kill) before the move leaves `out` as it was (absent, or its previous complete
    content) and removes what this call created. Then:
    - `out` absent: the temporary folder is renamed to `out` (one atomic rename);
    - `out` holding only a previous export (its manifest lists every file in it) or nothing:
      the old folder is renamed aside, the new one into place, the old one removed — readers
      see the old export or the new one, never a mix, and no stale file survives;
    - `out` holding other files too (e.g. `--out .`): nothing of the user's is moved; each of
      our files replaces its namesake whole (os.replace), the manifest last, and the files of
      the previous export that this one does not write are removed.
    """
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"Không ghi được kết quả: {out} là một tệp, không phải thư mục")
    created = _missing_ancestors(out)
    parent = out.resolve().parent if out.exists() or out.is_symlink() else out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    old: Path | None = None
    done = False
    try:
        for name, body in files.items():
            target = tmp / name
            if isinstance(body, pd.DataFrame):
                body.to_parquet(target, index=False)
            else:
                target.write_bytes(body)
            with open(target, "rb") as f:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o755)
        if not out.exists() and not out.is_symlink():
            os.rename(tmp, out)
        elif out.is_dir() and not out.is_symlink() and _only_a_previous_export(out):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.rename(out, old)
            try:
                os.rename(tmp, out)
            except BaseException:
                os.rename(old, out)  # the previous export goes back where it was
                old = None
                raise
        else:
            stale = _previous_export_files(out) - set(files)
            for name in sorted(files, key=lambda n: n == "manifest.json"):
                os.replace(tmp / name, out / name)
            for name in sorted(stale):
                (out / name).unlink(missing_ok=True)
        _fsync_dir(parent)
        done = True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
        if not done:
            for folder in reversed(created):  # the parents this call made, innermost first
                try:
                    folder.rmdir()
                except OSError:
                    break


def _missing_ancestors(out: Path) -> list[Path]:
    """The folders above `out` that do not exist yet, outermost first."""
    missing = []
    p = out.absolute().parent
    while not p.exists():
        missing.append(p)
        p = p.parent
    return list(reversed(missing))


def _previous_export_files(out: Path) -> set[str]:
    """The files a previous export wrote into `out`, as its manifest lists them."""
    try:
        m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        if m.get("tool") != "scoring":
            return set()
        return {str(f) for f in m.get("files", []) if "/" not in str(f) and str(f) not in ("", ".", "..")}
    except (OSError, ValueError, AttributeError):
        return set()


def _only_a_previous_export(out: Path) -> bool:
    names = set(os.listdir(out))
    if not names:
        return True
    return "manifest.json" in names and names <= _previous_export_files(out) | {"manifest.json"}


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows: folders cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- for other commands' outputs (the monitor): the same CSV form and the same all-or-nothing write


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as the exports write CSV: UTF-8 with BOM, CRLF, formula-safe."""
    return _csv_bytes(df)


def write_files(out_dir: str | Path, files: dict[str, bytes]) -> None:
    """Write `files` (name -> bytes, `manifest.json` among them, listing the others under "files")
    into `out_dir`, all or nothing, as `write_outputs` does."""
    _write_atomically(Path(out_dir), files)
