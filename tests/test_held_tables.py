"""An evaluation holds its tables as columns and builds each DataFrame when it is read
(scoring/held.py); `compare` reads what the rules left (scoring.decisions.HeldDecisions)
instead of the tables. Whichever way a table is read, it is the same table, and a what-if's
changes are the same whether or not anyone read the tables before comparing.
"""

from __future__ import annotations

import copy
import pickle

import pandas as pd
import pytest

import scoring
from scoring.decisions import combine
from scoring.evaluation import Evaluation
from scoring.held import Columns
from scoring.scenario import Correction, Scenario, compare, run

CRIT = scoring.load_criteria()
RECS = scoring.load_records(None, CRIT)
HELD = (*scoring.evaluation.TABLES, "party_org_runs")

SCENARIOS = [
    Scenario("ngưỡng đơn vị 12%", {"unit_late_threshold_percent": 12}),
    Scenario("ngưỡng cán bộ 5%", {"official_late_threshold_percent": 5}),
    Scenario("ngưỡng cán bộ 30%", {"official_late_threshold_percent": 30}),
    Scenario("ngưỡng cán bộ 1%", {"official_late_threshold_percent": 1}),
    Scenario("ngành dọc áp dụng", {"central_agency_consequences": "apply"}),
    Scenario("ngành dọc không xét", {"central_agency_consequences": "none"}),
    Scenario(
        "đọc sát chữ", {"weak_counts_toward_average_streak": False, "head_streak_own_years_only": False}
    ),
    Scenario("sửa điểm", corrections=(Correction("SO_YT", 2019, "60"), Correction("CUC_THUE", 2020, "99"))),
]


def read_all(ev: Evaluation) -> Evaluation:
    """Read every table (the DataFrames are built; compare then reads the tables' columns)."""
    for name in HELD:
        getattr(ev, name)
    return ev


def fresh(year: int, scenario: Scenario | None = None) -> Evaluation:
    return run(RECS, year, CRIT, scenario) if scenario else scoring.evaluate(RECS, year, CRIT)


def test_an_evaluation_builds_no_dataframe_until_a_table_is_read():
    ev = fresh(2020)
    assert all(isinstance(ev.__dict__[t], Columns) and ev.__dict__[t].frame is None for t in HELD)
    ranking = ev.unit_ranking
    assert isinstance(ranking, pd.DataFrame)
    assert ev.unit_ranking is ranking  # built once
    assert ev.__dict__["official_ratings"].frame is None  # the others still held


def test_a_table_read_late_equals_the_table_built_at_once():
    """The held columns make the same DataFrame as the decisions' own `combine`."""
    ev = fresh(2018)
    assert list(ev.decisions.columns) == scoring.evaluation.OUTPUT_COLUMNS["decisions"]
    assert ev.size("official_ratings") == len(ev.official_ratings)
    ctx_parts = ev.__dict__["decisions"]
    assert ctx_parts.frame is ev.decisions
    again = combine(ev.__dict__["decisions"].arrays["_held"].parts, CRIT.rule_ids)
    pd.testing.assert_frame_equal(ev.decisions, again)


@pytest.mark.parametrize("year", [2017, 2019, 2020])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_a_what_if_changes_the_same_whether_or_not_the_tables_were_read(year, scenario):
    held = compare(fresh(year), fresh(year, scenario))
    read = compare(read_all(fresh(year)), read_all(fresh(year, scenario)))
    mixed = compare(read_all(fresh(year)), fresh(year, scenario))
    pd.testing.assert_frame_equal(held, read)
    pd.testing.assert_frame_equal(held, mixed)


def test_the_central_agencies_staff_get_a_recommendation_worded_for_their_unit():
    """At a 1% threshold the staff of central agencies (Cục Thuế, Cục Hải quan …) are late:
    by default the outcome is a recommendation to the managing body of their own unit; with
    `central_agency_consequences: apply` the plain outcome, and a what-if between them says so."""
    low = {"official_late_threshold_percent": 1}
    base = fresh(2020, Scenario("1%", low))
    alt = fresh(2020, Scenario("1%, áp dụng", {**low, "central_agency_consequences": "apply"}))
    d = base.decisions
    late = d[(d["rule_id"] == "official_late_dossiers") & d["outcome"].str.startswith("Kiến nghị")]
    assert len(late) > 5
    names = dict(zip(RECS.units["unit_id"], RECS.units["unit_name"], strict=True))
    units = base.official_ratings.set_index("official_id")["unit_id"]
    plain = alt.decisions.set_index(["subject_id", "rule_id"])["outcome"]
    for sid, outcome in zip(late["subject_id"], late["outcome"], strict=True):
        was = plain[(sid, "official_late_dossiers")]
        assert outcome == (
            f"Kiến nghị cơ quan quản lý cấp trên của {names[units[sid]]} xem xét: {was[:1].lower()}{was[1:]}"
        )
    changes = compare(base, alt)
    changed = changes[(changes["field"] == "decision") & (changes["rule_id"] == "official_late_dossiers")]
    assert set(changed["subject_id"]) == set(late["subject_id"])
    pd.testing.assert_frame_equal(changes, compare(read_all(base), read_all(alt)))


def test_a_table_modified_after_reading_is_what_compare_reads():
    base, alt = fresh(2020), fresh(2020)
    assert compare(base, alt).empty
    ratings = alt.official_ratings.copy()
    ratings.loc[0, "final_rating"] = ratings["final_rating"].cat.categories[-2]
    alt.official_ratings = ratings
    changes = compare(base, alt)
    assert list(changes["subject_id"]) == [ratings.loc[0, "official_id"]]


def test_an_evaluation_built_from_dataframes_compares_as_before():
    ev = fresh(2020)
    given = Evaluation(
        year=ev.year, criteria=ev.criteria, records=ev.records, notes=list(ev.notes), **read_all(ev).tables()
    )
    assert compare(given, fresh(2020)).empty
    pd.testing.assert_frame_equal(
        compare(given, fresh(2020, SCENARIOS[0])), compare(fresh(2020), fresh(2020, SCENARIOS[0]))
    )


def test_a_copy_or_pickle_of_a_held_table_is_its_dataframe():
    ev = fresh(2020)
    copied = copy.deepcopy(ev)
    pd.testing.assert_frame_equal(copied.decisions, ev.decisions)
    unpickled = pickle.loads(pickle.dumps(fresh(2020).__dict__["unit_ranking"]))
    pd.testing.assert_frame_equal(unpickled, ev.unit_ranking)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic set large enough for the Arrow paths (thousands of late officials), its
    officials written in several Parquet row groups (several Arrow chunks once read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scoring import synth

    folder = tmp_path_factory.mktemp("synthetic")
    tables = synth.generate(300, 40_000, 4, 7)
    synth.write(tables, folder, "parquet")
    officials = pq.read_table(folder / "officials.parquet")
    pq.write_table(officials, folder / "officials.parquet", row_group_size=7_000)
    recs = scoring.load_records(folder, CRIT)
    chunks = pa.array(recs.officials["official_id"].array)
    assert isinstance(chunks, pa.ChunkedArray) and chunks.num_chunks > 1
    return recs


@pytest.mark.parametrize(
    "overrides",
    [
        {"official_late_threshold_percent": 5},
        {"official_late_threshold_percent": 5, "central_agency_consequences": "apply"},
        {"unit_late_threshold_percent": 5, "head_streak_own_years_only": False},
    ],
    ids=["5%", "5%, ngành dọc áp dụng", "đơn vị 5%, cả đơn vị"],
)
def test_a_synthetic_what_if_changes_the_same_whether_or_not_the_tables_were_read(synthetic, overrides):
    year = int(synthetic.officials["year"].max())
    alt_crit = CRIT.with_overrides(overrides)

    def pair():
        return scoring.evaluate(synthetic, year, CRIT), scoring.evaluate(synthetic, year, alt_crit)

    held = compare(*pair())
    assert len(held) > 100
    base, alt = pair()
    pd.testing.assert_frame_equal(held, compare(read_all(base), read_all(alt)))
    late = alt.decisions[alt.decisions["rule_id"] == "official_late_dossiers"]
    assert len(late) > 2_000  # worded in Arrow (rules/wording.py SMALL)
    assert late["evidence"].str.contains(" hồ sơ trễ hạn (", regex=False).all()
