"""Integer codes for ids (scoring.keys): the same keys whichever way they are computed.

Ids numbered the way registers number them (one prefix, a fixed count of digits) are coded
from their number; any others by hashing. Either way two cells get the same code exactly when
they hold the same text, a blank id is a key of its own and a missing one (-1) none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from scoring.keys import _arrow, _numbered, encode
from scoring.records import ValidationError, load_records
from scoring.records.parse import _small_factorize


def _texts(*values) -> pd.Series:
    return pd.Series(list(values), dtype="str" if None not in values else object)


def _chunked(*columns: pd.Series) -> pa.ChunkedArray:
    return pa.chunked_array([c for s in columns for c in _arrow(s).chunks], type=pa.large_string())


def _same_keys(columns: list[pd.Series]) -> None:
    """encode's codes say "same" exactly where the texts are equal, and count the distinct ones."""
    codes, n = encode(*columns)
    got = np.concatenate(codes)
    texts = [v for s in columns for v in s.tolist()]
    missing = [v is None or (isinstance(v, float) and np.isnan(v)) for v in texts]
    assert [c == -1 for c in got.tolist()] == missing
    present = [(t, c) for t, c, m in zip(texts, got.tolist(), missing, strict=True) if not m]
    assert len({t for t, _ in present}) == len({c for _, c in present}) == len(set(present)) == n
    assert all(0 <= c < n for _, c in present)


def test_register_numbered_ids_are_coded_from_their_number():
    officials = _texts("CB0000147", "CB0000574", "CB0001127", "CB0000147")
    dossiers = _texts("CB0001127", "CB0009999")
    assert _numbered(_chunked(officials, dossiers)) is not None
    _same_keys([officials, dossiers])
    (o, d), n = encode(officials, dossiers)
    assert n == 4 and o[0] == o[3] and d[0] == o[2] and d[1] not in o


def test_numbers_without_a_prefix_and_many_chunks_are_coded_from_their_number():
    ids = [pd.Series([f"{i:06d}" for i in range(k, 3000, 7)], dtype="str") for k in range(5)]
    assert _numbered(_chunked(*ids)) is not None
    _same_keys(ids)


@pytest.mark.parametrize(
    "ids",
    [
        ("CB1", "CB01", "CB001"),  # the same number written with more zeros: three officials
        ("001", "01", "1"),
        ("A1B2", "A1C2"),  # the prefix differs
        ("Ư01", "U01", "Ư02"),  # a letter outside ASCII in one prefix
        ("CB1", "CB٢"),  # an Arabic-Indic digit is no digit of a register number
        ("CB1", "CB/"),  # the byte just below "0"
        ("unit", "units"),  # no number at all
        ("CB000000000001", "CB900000000000"),  # numbers spread far apart: the table would be huge
        ("9" * 19, "1" * 19),  # more digits than a 64-bit number holds
        ("", ""),  # only blanks
    ],
)
def test_ids_of_other_shapes_are_hashed_and_stay_apart(ids):
    column = _texts(*ids)
    assert _numbered(_chunked(column)) is None
    _same_keys([column])


def test_a_blank_id_is_one_key_and_a_missing_one_none():
    column = pd.Series(["CB01", None, "", "CB02", "", "CB01"], dtype=object)
    got = _numbered(_chunked(column))
    assert got is not None
    codes, n = got
    assert n == 3  # CB01, CB02 and the blank
    assert codes[1] == -1 and codes[2] == codes[4] >= 0 and codes[0] == codes[5] != codes[3]
    _same_keys([column])


def test_a_slice_of_a_column_is_read_from_its_own_offsets():
    column = pd.Series(pd.array(["X", "CB02", "CB03", "CB02", "YY"], dtype="str")).iloc[1:4]
    column = column.reset_index(drop=True)
    assert _arrow(column).chunks[0].offset == 1  # Arrow's slice of the first cell's buffer
    assert _numbered(_chunked(column)) is not None
    _same_keys([column])


def _folder(tmp_path, officials: list[str], dossiers: list[str]):
    tables = {
        "units": ["unit_id,unit_name,group", 'SO_NV,Sở Nội vụ,"Sở, ban, ngành"'],
        "reform_results": ["year,unit_id,score", "2020,SO_NV,88.50"],
        "officials": ["year,official_id,full_name,unit_id,role,proposed_rating", *officials],
        "official_dossiers": ["year,official_id,handled,late", *dossiers],
    }
    for name, lines in tables.items():
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_the_same_number_written_with_more_zeros_is_another_official(tmp_path):
    """«CB1» and «CB01» are two ids: no duplicate key, and each dossier row finds its own."""
    data = _folder(
        tmp_path,
        [
            "2020,CB1,Nguyễn Văn An,SO_NV,head,Hoàn thành tốt nhiệm vụ",
            "2020,CB01,Lê Văn Cường,SO_NV,công chức,Hoàn thành tốt nhiệm vụ",
        ],
        ["2020,CB01,80,8", "2020,CB1,50,6"],
    )
    records = load_records(data, year=2020)
    assert records.officials["official_id"].tolist() == ["CB1", "CB01"]
    c = records.__dict__["_codes"]
    assert c["official"][0] != c["official"][1]
    assert c["official_dossier"].tolist() == [c["official"][1], c["official"][0]]


def test_a_register_number_unknown_to_officials_is_reported_at_its_row(tmp_path):
    data = _folder(
        tmp_path,
        [
            "2020,CB0000147,Nguyễn Văn An,SO_NV,head,Hoàn thành tốt nhiệm vụ",
            "2020,CB0000574,Lê Văn Cường,SO_NV,công chức,Hoàn thành tốt nhiệm vụ",
            "2020,CB0000147,Trần Thị Bình,SO_NV,công chức,Hoàn thành tốt nhiệm vụ",
        ],
        ["2020,CB0000574,80,8", "2020,CB0000148,50,6"],
    )
    with pytest.raises(ValidationError) as err:
        load_records(data, year=2020)
    text = str(err.value)
    assert (
        "officials.csv, dòng 4, cột official_id: giá trị «CB0000147» — trùng khóa (year, official_id)" in text
    )
    assert "đã có ở dòng 2" in text
    assert "official_dossiers.csv, dòng 3, cột official_id: giá trị «CB0000148»" in text
    assert "không có trong bảng officials" in text


@pytest.mark.parametrize(
    "key",
    [
        np.array([402, 0, 402, 7, 0, 201], dtype=np.int64),  # a few labels × years: a table
        np.array([10**9, 3, 10**9, 5], dtype=np.int64),  # spread far apart: hashed
        np.array([], dtype=np.int64),
    ],
)
def test_label_year_pairs_are_numbered_either_way(key):
    codes, values = _small_factorize(key)
    assert values[codes].tolist() == key.tolist()
    assert sorted(values.tolist()) == sorted(set(key.tolist()))


def test_a_missing_id_with_bytes_behind_it_is_hashed():
    """Arrow lets a null slot keep bytes; then the ids do not lie end to end and are hashed."""
    values = pa.array(["CB01", "CB02", "CB03"], type=pa.large_string())
    validity = pa.array([True, False, True]).buffers()[1]
    with_null = pa.LargeStringArray.from_buffers(3, values.buffers()[1], values.buffers()[2], validity, 1)
    assert with_null.to_pylist() == ["CB01", None, "CB03"]
    assert _numbered(pa.chunked_array([with_null])) is None
    codes, n = encode(pd.Series(pd.array(with_null, dtype="str")))
    assert codes[0][1] == -1 and codes[0][0] != codes[0][2] and n == 2
