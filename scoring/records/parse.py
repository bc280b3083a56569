"""Parsing cell values: each parser returns typed values and masks of blank and bad cells."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..labels import Parsed, parse_labels
from .schema import YEAR_RANGE


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
    if s.dtype != "str":
        s = s.astype("str")
    if s.hasnans:
        s = s.fillna("")
    return s.str.strip()


def _factorize(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
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
        inv, keys = pd.factorize(key)
        keys = np.asarray(keys, dtype=np.int64)
        p = parse_labels(pd.Series(uniques[keys // span], dtype=object), keys % span + YEAR_RANGE[0], scales)
    return Parsed(p.levels[inv], p.unknown[inv], p.other_era[inv])


def _to_int64(text: pd.Series) -> np.ndarray:
    """Digit strings to int64, through Arrow (pandas' own cast of Arrow strings is slower)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return np.asarray(pc.cast(pa.array(text, from_pandas=True), pa.int64()), dtype=np.int64)


_INT = r"\d{1,15}"
_THOUSANDS = r"\d{1,3}(?:\.\d{3})+"
_ZERO_DECIMALS = r"\d{1,15}[.,]0+"


def parse_int(s: pd.Series, text: pd.Series, decimal_comma: bool, low=None, high=None):
    """Integers as written by people and spreadsheets; `bad` and `ambiguous` are separate masks.

    "1.234" is 1234 in a `;` file (Vietnamese settings), ambiguous in a `,` file.
    """
    n = len(s)
    blank = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    if s.dtype.kind in "iu":
        blank = s.isna().to_numpy()
        vals = s.fillna(0).to_numpy(dtype=np.int64) if blank.any() else s.to_numpy(dtype=np.int64)
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


_SCORE = re.compile(r"^\+?(\d{1,3})(?:\.(\d*))?\s*%?$")


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
