"""Optional producer tables (SPEC §3): found, hashed and handed to their module as written."""

from __future__ import annotations

import pytest
from conftest import HTT, SO, TOT, make_dataset

import scoring
from scoring.records import EXTRA_TABLES, ValidationError


def _folder(tmp_path):
    return make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở A", SO)],
        reform_results=[(2020, "U1", "90", TOT)],
        officials=[(2020, "O1", "Lê An", "U1", "head", HTT)],
    )


def test_an_extra_table_is_found_hashed_and_read_as_text_with_its_rows(tmp_path):
    data = _folder(tmp_path)
    (data / "Indicators.csv").write_text(
        "year;indicator_id;subject_id;value\n2020;sipas;KH;81,82\n\n2020;online;KH;12\n", encoding="utf-8"
    )
    recs = scoring.load_records(data)
    assert "indicators" in recs.present
    assert "Indicators.csv" in recs.input_sha256
    assert not any("Indicators.csv" in n for n in recs.notes)  # a known table, not an unknown file
    raw = recs.raw_table("indicators")
    assert list(raw.columns) == ["__row__", "year", "indicator_id", "subject_id", "value"]
    assert raw["__row__"].tolist() == [2, 3, 4]  # the blank line keeps its number
    assert raw.loc[raw["__row__"] == 2, "value"].item() == "81,82"
    assert raw.attrs["decimal_comma"] is True


def test_an_absent_extra_table_is_none_and_an_unknown_name_is_refused(tmp_path):
    recs = scoring.load_records(_folder(tmp_path))
    assert all(recs.raw_table(t) is None for t in EXTRA_TABLES)
    with pytest.raises(KeyError):
        recs.raw_table("units")


def test_an_unreadable_extra_table_is_a_validation_error(tmp_path):
    data = _folder(tmp_path)
    (data / "dossiers.csv").write_bytes("dossier_id\nHS1\n".encode("utf-16"))
    recs = scoring.load_records(data)
    with pytest.raises(ValidationError, match="UTF-16"):
        recs.raw_table("dossiers")
