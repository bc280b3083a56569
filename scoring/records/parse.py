"""Parsing cell values: each parser returns typed values and masks of blank and bad cells."""

from __future__ import annotations

import math
import re
from decimal import Context, Decimal

import numpy as np
import pandas as pd

from ..labels import Parsed, parse_labels
from .schema import YEAR_RANGE

# Wide enough for the exact decimal value of any double (at most 767 significant digits).
_EXACT = Context(prec=800)


def number_text(value: float | int, percent: bool, digits: int | None) -> str:
    """A number from a binary format (a spreadsheet cell, Parquet) written out as text.

    SPEC §2: the value as a spreadsheet shows it, at `digits` significant digits (the reading
    `binary_score_significant_digits`; None: the exact binary value), in plain decimals, so the
    text path then rounds it half up like a written one (84.99499999999999 → "84.995" → 85.00).
    A percent-formatted cell is the percentage it shows (0.9686 → "96.86%").
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        d = Decimal(value)
    elif not math.isfinite(value):
        return repr(value)
    elif digits is None:
        d = Decimal(value)
    else:
        d = Decimal(format(value, f".{digits - 1}e"))
    if percent:
        d = d.scaleb(2, _EXACT)
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s + ("%" if percent else "")


def float_text(s: pd.Series, digits: int | None) -> pd.Series:
    """A float column (Parquet) as text, each distinct value written by `number_text`.

    Arrow writes the shortest text that reads back as the same double; when that has at most
    `digits` significant digits (no exponent, at most digits + 1 characters) it is already the
    value at `digits` digits, so only the other values go through Python.
    """
    text = as_text(s)
    if digits is None:
        slow = (text != "").to_numpy()
    else:
        slow = ((text.str.len() > digits + 1) | text.str.contains("e", regex=False)).to_numpy()
    if not slow.any():
        return text
    codes, uniques = pd.factorize(s[slow])
    written = np.array([number_text(float(v), False, digits) for v in uniques] + [""], dtype=object)
    out = text.to_numpy(dtype=object)
    out[slow] = written[codes]
    return pd.Series(out, index=s.index, dtype="str")


def non_ascii_digits(text: pd.Series) -> np.ndarray:
    """Cells holding a digit other than 0-9 (full-width «２０２０», Arabic-Indic «٢٠٢٠» …)."""
    codes, uniques = pd.factorize(text)
    hit = np.array([any(c.isdigit() and not c.isascii() for c in str(u)) for u in uniques] + [False])
    return hit[codes]


def as_text(s: pd.Series) -> pd.Series:
    """Cells as the user wrote them, trimmed; "" where blank. Numbers (Parquet) via Arrow's shortest form."""
    if s.dtype.kind in "iufb":
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(s, from_pandas=True)
        if s.dtype.kind == "b":
            arr = pc.if_else(arr, "true", "false")
        text = pd.Series(pd.array(pc.cast(arr, pa.string()), dtype="str"), index=s.index)
        return text.fillna("")
    if isinstance(s.dtype, pd.CategoricalDtype):  # a Parquet column stored from a pandas Categorical
        return plain_text(label_text(s))
    if s.dtype != "str":
        s = s.astype("str")
    if s.hasnans:
        s = s.fillna("")
    return s.str.strip()


def label_text(s: pd.Series) -> pd.Series:
    """A label column as text: `as_text`, but a column read as a dictionary (Parquet) stays one,
    trimmed once per category. A blank cell is then the category "", and two categories that
    differ only by spaces become one.
    """
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return as_text(s)
    trimmed = [*as_text(pd.Series(np.asarray(s.cat.categories, dtype=object), dtype="str")), ""]
    codes, categories = pd.factorize(np.array(trimmed, dtype=object))
    # the code -1 (a missing cell) takes the last entry, the blank one
    at = codes[s.cat.codes.to_numpy()]
    return pd.Series(pd.Categorical.from_codes(at, categories=categories), index=s.index)


def plain_text(text: pd.Series) -> pd.Series:
    """The text as pandas' strings (a label column read as a dictionary spelled out by Arrow:
    pandas' own `astype("str")` of a Categorical goes through a Python object per row)."""
    if not isinstance(text.dtype, pd.CategoricalDtype):
        return text
    import pyarrow as pa
    import pyarrow.compute as pc

    categories = pa.array(np.asarray(text.cat.categories, dtype=object), type=pa.large_string())
    spelled = pc.take(categories, pa.array(text.cat.codes.to_numpy()))
    return pd.Series(pd.array(spelled, dtype="str"), index=text.index)


def _factorize(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(text.dtype, pd.CategoricalDtype):  # already coded, once per label
        return text.cat.codes.to_numpy(), np.asarray(text.cat.categories, dtype=object)
    codes, uniques = pd.factorize(text)
    return codes, np.asarray(uniques, dtype=object)


def label_levels(text: pd.Series, years: np.ndarray | None, scales) -> Parsed:
    """`parse_labels` on the distinct (label, year) pairs only, spread back to the rows."""
    codes, uniques = _factorize(text)
    if years is None:
        p = parse_labels(pd.Series(uniques, dtype=object), None, scales)
        inv = codes
    else:
        span = YEAR_RANGE[1] - YEAR_RANGE[0] + 1
        key = codes.astype(np.int64) * span + (np.clip(years, *YEAR_RANGE) - YEAR_RANGE[0])
        inv, keys = _small_factorize(key)
        p = parse_labels(pd.Series(uniques[keys // span], dtype=object), keys % span + YEAR_RANGE[0], scales)
    return Parsed(p.levels[inv], p.unknown[inv], p.other_era[inv])


def _small_factorize(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of non-negative integers; a table of their range when it is
    small (a few labels × the years: no hashing of a million keys), else pandas' hashing."""
    top = int(key.max()) + 1 if len(key) else 0
    if top > 4 * len(key) + 65_536 or (len(key) and key.min() < 0):
        inv, keys = pd.factorize(key)
        return inv, np.asarray(keys, dtype=np.int64)
    seen = np.zeros(top, dtype=bool)
    seen[key] = True
    return (np.cumsum(seen, dtype=np.int64) - 1)[key], np.flatnonzero(seen)


def _to_int64(text: pd.Series) -> np.ndarray:
    """Digit strings to int64, through Arrow (pandas' own cast of Arrow strings is slower)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return np.asarray(pc.cast(pa.array(text, from_pandas=True), pa.int64()), dtype=np.int64)


# Digits are 0-9 only: «１２» or «١٢» are refused (a regex \d, or int(), would read them).
_INT = r"[0-9]{1,15}"
_THOUSANDS = r"[0-9]{1,3}(?:\.[0-9]{3})+"
_ZERO_DECIMALS = r"[0-9]{1,15}[.,]0+"


def parse_int(s: pd.Series, text: pd.Series, decimal_comma: bool, low=None, high=None):
    """Integers as written by people and spreadsheets; `bad` and `ambiguous` are separate masks.

    "1.234" is 1234 in a `;` file (Vietnamese settings), ambiguous in a `,` file.
    """
    n = len(s)
    blank = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    if s.dtype.kind in "iu":
        blank = s.isna().to_numpy()
        filled = s.fillna(0) if blank.any() else s
        if s.dtype.kind == "u":  # above int64: kept as too large, never wrapped round to negative
            filled = filled.clip(upper=np.iinfo(np.int64).max)
        vals = filled.to_numpy(dtype=np.int64)
        bad = np.zeros(n, dtype=bool)
    else:
        blank = (text == "").to_numpy()
        plain = text.str.fullmatch(_INT).to_numpy(dtype=bool, na_value=False)
        vals = np.zeros(n, dtype=np.int64)
        if plain.all():
            vals = _to_int64(text)
            bad = np.zeros(n, dtype=bool)
        else:
            if plain.any():
                vals[plain] = _to_int64(text[plain])
            rest = ~plain & ~blank
            thousands = np.zeros(n, dtype=bool)
            if rest.any():
                thousands[rest] = text[rest].str.fullmatch(_THOUSANDS).to_numpy(dtype=bool, na_value=False)
            if decimal_comma and thousands.any():
                vals[thousands] = text[thousands].str.replace(".", "", regex=False).astype("int64").to_numpy()
                rest &= ~thousands
            elif thousands.any():
                ambiguous = thousands
                rest &= ~thousands
            zero_dec = np.zeros(n, dtype=bool)
            if rest.any():
                zero_dec[rest] = text[rest].str.fullmatch(_ZERO_DECIMALS).to_numpy(dtype=bool, na_value=False)
                if zero_dec.any():
                    vals[zero_dec] = text[zero_dec].str.split(r"[.,]", n=1, regex=True).str[0].astype("int64")
            bad = rest & ~zero_dec
    ok = ~blank & ~bad & ~ambiguous
    if low is not None:
        bad |= ok & (vals < low)
    if high is not None:
        bad |= ok & (vals > high)
    return vals, blank, bad, ambiguous


_SCORE = re.compile(r"^\+?([0-9]{1,3})(?:\.([0-9]*))?\s*%?$")


def parse_score(text: pd.Series):
    """Score in hundredths, rounded half up on the decimal value as written (84.995 -> 8500).

    Parsed once per distinct value.
    """
    codes, uniques = _factorize(text)
    t = pd.Series(uniques, dtype="str").str.replace(",", ".", regex=False)
    blank = (t == "").to_numpy()
    m = t.str.extract(_SCORE)
    ok = m[0].notna().to_numpy()
    bad = ~ok & ~blank
    cents = np.full(len(t), -1, dtype=np.int64)
    if ok.any():
        ip = m.loc[ok, 0].astype("int64").to_numpy()
        frac = m.loc[ok, 1].fillna("").astype("str")
        digits = (frac + "000").str.slice(0, 3).astype("int64").to_numpy()
        c = ip * 100 + digits // 10 + (digits % 10 >= 5)
        rest_nonzero = frac.str.strip("0").str.len().to_numpy() > 0
        too_high = (ip > 100) | ((ip == 100) & rest_nonzero)
        bad[np.flatnonzero(ok)[too_high]] = True
        cents[ok] = np.where(too_high, -1, c)
    return cents[codes], blank[codes], bad[codes]
