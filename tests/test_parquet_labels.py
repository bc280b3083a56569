"""Label columns of a Parquet file, read as Parquet stores them (a dictionary of the few labels).

A Parquet table must read exactly as the same table written as CSV: the same levels, the same
blank cells, the same text kept as written, the same messages for a bad label, its row counted
from 1 (a Parquet file has no header row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_validation import BASE, criteria, write

from scoring.labels import MISSING
from scoring.records import ValidationError, load_records
from scoring.records.files import Files, Source
from scoring.records.legacy import encode as legacy_text
from scoring.records.read import read_table

OFFICIALS_COLUMNS = BASE["officials"][0].split(",")


def _officials(rows: list[list[str | None]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=OFFICIALS_COLUMNS)
    df["year"] = df["year"].astype("int64")
    return df


def _both(tmp_path, officials: pd.DataFrame):
    """The data folder twice: officials as CSV, and as Parquet (strings stored as a dictionary)."""
    as_csv = write(tmp_path / "csv", {"officials": None})
    officials.fillna("").to_csv(as_csv / "officials.csv", index=False)
    as_parquet = write(tmp_path / "parquet", {"officials": None})
    officials.to_parquet(as_parquet / "officials.parquet", index=False)
    return as_csv, as_parquet


BASE_ROWS = [line.split(",") for line in BASE["officials"][1:]]


def test_labels_with_spaces_blanks_and_short_forms_read_as_from_csv(tmp_path):
    rows = [list(r) for r in BASE_ROWS]
    rows[0][5] = "  Hoàn thành tốt nhiệm vụ "  # spaces around a label
    rows[1][5] = None  # a missing cell: blank, allowed for a year not evaluated
    rows[1][4] = " head"
    rows[3][5] = "HTTNV"  # a short form
    rows[5][5] = "hoàn thành TỐT nhiệm vụ"
    as_csv, as_parquet = _both(tmp_path, _officials([[int(r[0]), *r[1:]] for r in rows]))
    path = as_parquet / "officials.parquet"
    raw = read_table(Source("officials", path, path.name), Files(), [], None)
    assert [str(raw[c].dtype) for c in ("official_id", "role", "proposed_rating")] == [
        "str",
        "category",
        "category",
    ]
    from_csv = load_records(as_csv, criteria()).officials
    from_parquet = load_records(as_parquet, criteria()).officials
    assert (from_parquet["row"] + 1).tolist() == from_csv["row"].tolist()
    pd.testing.assert_frame_equal(from_parquet.drop(columns="row"), from_csv.drop(columns="row"))
    assert from_parquet["proposed_rating_text"].dtype == "str"
    assert from_parquet["proposed_rating_text"].tolist()[:2] == ["Hoàn thành tốt nhiệm vụ", ""]
    assert from_parquet["proposed_rating_blank"].tolist()[:2] == [False, True]
    assert from_parquet["proposed_rating"].iat[1] == MISSING
    levels = from_parquet["proposed_rating"].to_numpy()
    assert levels[0] == levels[3] == levels[5]


def test_an_unknown_label_is_reported_at_its_row_counted_from_1(tmp_path):
    rows = [[int(r[0]), *r[1:]] for r in BASE_ROWS]
    rows[2][5] = "Xuất sắc lắm"
    _, as_parquet = _both(tmp_path, _officials(rows))
    with pytest.raises(ValidationError) as exc:
        load_records(as_parquet, criteria())
    (p,) = exc.value.problems
    assert (p.where, p.row, p.column, p.value) == ("officials.parquet", 3, "proposed_rating", "Xuất sắc lắm")
    assert p.expected.startswith("nhãn không được chấp nhận; cần một trong:")
    # each scale with the years it is in force, as a reader writes them
    assert "[Nghị định 56/2015/NĐ-CP, từ 2015 đến 2019]" in p.expected
    assert "[Nghị định 90/2020/NĐ-CP, sửa đổi bởi Nghị định 48/2023/NĐ-CP, từ 2023]" in p.expected


def test_a_blank_proposal_of_the_evaluated_year_is_refused(tmp_path):
    rows = [[int(r[0]), *r[1:]] for r in BASE_ROWS]
    rows[4][5] = "   "  # row 5 of the file: 2020, CB3
    _, as_parquet = _both(tmp_path, _officials(rows))
    with pytest.raises(ValidationError) as exc:
        load_records(as_parquet, criteria(), year=2020)
    (p,) = exc.value.problems
    assert (p.where, p.row, p.column) == ("officials.parquet", 5, "proposed_rating")
    assert p.expected == "cần xếp loại đề xuất cho năm đánh giá 2020"


@pytest.mark.parametrize("encoding", ["TCVN3", "VNI"])
def test_a_label_typed_in_an_old_encoding_gets_the_conversion_hint(tmp_path, encoding):
    rows = [[int(r[0]), *r[1:]] for r in BASE_ROWS]
    rows[3][5] = legacy_text("Hoàn thành tốt nhiệm vụ", encoding)
    _, as_parquet = _both(tmp_path, _officials(rows))
    with pytest.raises(ValidationError) as exc:
        load_records(as_parquet, criteria())
    (p,) = exc.value.problems
    assert (p.row, p.column) == (4, "proposed_rating")
    assert "bảng mã cũ" in p.expected and "Hoàn thành tốt nhiệm vụ" in p.expected


def test_a_label_column_stored_as_numbers_is_refused_like_csv(tmp_path):
    rows = [[int(r[0]), *r[1:]] for r in BASE_ROWS]
    df = _officials(rows)
    df["role"] = np.arange(len(df))  # not text: never read as a dictionary of labels
    _, as_parquet = _both(tmp_path, df)
    with pytest.raises(ValidationError) as exc:
        load_records(as_parquet, criteria())
    assert {(p.row, p.column, p.value) for p in exc.value.problems} == {
        (i + 1, "role", str(i)) for i in range(len(df))
    }


def test_columns_stored_from_pandas_categoricals_read_as_from_csv(tmp_path):
    """A file written from a frame of Categoricals: ids and names stay text, labels are parsed."""
    rows = [[int(r[0]), *r[1:]] for r in BASE_ROWS]
    rows[2][4] = " head "
    df = _officials(rows)
    as_csv, as_parquet = _both(tmp_path, df)
    df.astype({c: "category" for c in ("official_id", "full_name", "unit_id", "role")}).to_parquet(
        as_parquet / "officials.parquet", index=False
    )
    from_csv = load_records(as_csv, criteria()).officials
    from_parquet = load_records(as_parquet, criteria()).officials
    assert from_parquet["unit_id"].dtype == from_parquet["official_id"].dtype == "str"
    pd.testing.assert_frame_equal(from_parquet.drop(columns="row"), from_csv.drop(columns="row"))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "Parquet file size is 0 bytes"),
        (b"year,official_id\n2020,CB1\n", "Parquet magic bytes not found in footer"),
    ],
)
def test_a_file_that_is_no_parquet_is_said_in_the_readers_words(tmp_path, body, reason):
    data = write(tmp_path / "data", {"officials": None})
    (data / "officials.parquet").write_bytes(body)
    with pytest.raises(ValidationError) as exc:
        load_records(data, criteria())
    (p,) = [p for p in exc.value.problems if p.where == "officials.parquet"]
    assert p.row is None
    assert p.expected.startswith(
        "không đọc được tệp Parquet (ArrowInvalid: Could not open Parquet input source"
    )
    assert reason in p.expected
