"""The odds: seeded Monte Carlo over the survey's sampling error (and an optional appraisal
tolerance), its degenerate case, its normal approximation against the exact Beta draw, and the
rank intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import only
from index_fixtures import load, mini_folder, mini_structures  # noqa: F401
from scipy import stats

from scoring.index import compute, load_settings
from scoring.index.margins import consequences
from scoring.index.odds import Model, build_model, draw_scores, odds, ranks_in_groups

pytestmark = pytest.mark.usefixtures("mini_structures")


@pytest.fixture
def mini(tmp_path):
    recs, crit = load(mini_folder(tmp_path / "data"))
    return recs, crit, compute(recs, 2020, crit), consequences(recs, 2020, crit)


def _odds(mini, draws=4000, seed=7, **settings):
    recs, crit, yi, c = mini
    return odds(c, yi, crit, load_settings().with_overrides(settings), draws=draws, seed=seed).table


def test_the_same_seed_gives_the_same_odds_and_another_seed_other_draws(mini):
    a, b = _odds(mini), _odds(mini)
    pd.testing.assert_frame_equal(a, b)
    c = _odds(mini, seed=8)
    assert not np.allclose(a["p_kha"], c["p_kha"]) or not np.array_equal(a["score_low"], c["score_low"])


def test_band_probabilities_sum_to_one_for_every_unit(mini):
    t = _odds(mini)
    bands = t[["p_tot", "p_kha", "p_trung_binh", "p_yeu"]]
    assert np.allclose(bands.sum(axis=1), 1.0)
    assert ((bands >= 0) & (bands <= 1)).all().all()


def test_a_unit_without_a_survey_and_no_tolerance_has_odds_of_0_or_1_matching_its_band(mini):
    t = _odds(mini)
    u2 = only(t, unit_id="U2")  # appraisal only: no sampling error
    assert u2["model"] == "cố định" and u2["band"] == "Tốt"
    assert (u2["p_tot"], u2["p_kha"], u2["p_trung_binh"], u2["p_yeu"]) == (1.0, 0.0, 0.0, 0.0)
    assert u2["score_low"] == u2["score_high"] == u2["score"]


def test_zero_variance_everywhere_gives_the_deterministic_bands_ranks_and_consequences(mini):
    recs, crit, yi, c = mini
    m = build_model(c, None, load_settings())  # no points: every score fixed
    t = odds(c, None, crit, draws=500).table
    ev = c.base
    for _, r in t.iterrows():
        e = only(ev.unit_ranking, unit_id=r["unit_id"])
        key = crit.bands.keys[list(crit.bands.labels).index(e["band"])]
        assert r[f"p_{key}"] == 1.0
        assert r["rank_low"] == r["rank_high"] == e["rank_in_group"]
    u4 = only(t, unit_id="U4")  # Yếu: its head is capped in every draw
    assert u4["p_head_capped"] == 1.0 and only(t, unit_id="U1")["p_head_capped"] == 0.0
    assert (m.kind == "cố định").all()


def test_a_small_survey_spreads_the_score_and_its_band(mini):
    u1 = only(_odds(mini, draws=20000), unit_id="U1")  # 80,80 with 3 officials surveyed on B.2
    assert u1["score_low"] < 80.80 < u1["score_high"]
    assert 0 < u1["p_kha"] < 1 and 0 < u1["p_tot"] + u1["p_trung_binh"]
    assert u1["model"] == "beta (gộp)"  # both items drawn together (the default)
    item = only(_odds(mini, draws=2000, survey_draw="item"), unit_id="U1")
    assert item["model"] == "beta+chuẩn"  # B.2 (3 asked) from its Beta; B.1 (40 asked) through the normal


def test_a_unit_with_one_survey_item_draws_it_from_its_own_posterior_either_way(mini):
    recs, crit, yi, c = mini
    pooled = build_model(c, yi, load_settings())
    item = build_model(
        c, yi, load_settings().with_overrides({"survey_draw": "item", "survey_normal_min_count": 10**9})
    )
    k = list(c.unit_ids).index("U4")  # U4: only B.1 (4 asked, 1 satisfied)
    p, i = np.flatnonzero(pooled.beta_unit == k), np.flatnonzero(item.beta_unit == k)
    assert pooled.beta_a[p] == pytest.approx(item.beta_a[i]) and pooled.beta_b[p] == pytest.approx(
        item.beta_b[i]
    )
    assert (item.beta_a[i], item.beta_b[i]) == (1.5, 3.5)  # Jeffreys: 1 + ½, 4 − 1 + ½


def test_the_probability_of_the_heads_cap_follows_the_band_odds(mini):
    u4 = only(_odds(mini, draws=20000), unit_id="U4")  # 43,75: Yếu; B.1 of 4 respondents
    assert u4["p_head_capped"] == pytest.approx(u4["p_trung_binh"] + u4["p_yeu"])


def test_the_uniform_prior_and_the_jeffreys_prior_differ(mini):
    j = only(_odds(mini, draws=20000), unit_id="U4")
    u = only(_odds(mini, draws=20000, survey_prior="uniform"), unit_id="U4")
    assert j["p_yeu"] != u["p_yeu"]


def test_an_appraisal_tolerance_moves_a_unit_without_survey(mini):
    fixed = only(_odds(mini), unit_id="U2")
    loose = only(_odds(mini, appraisal_tolerance_points=1), unit_id="U2")
    assert fixed["score_low"] == fixed["score_high"] == 91.67
    assert loose["score_low"] < 91.67 < loose["score_high"] and loose["model"] == "dung sai"


def test_the_normal_approximation_matches_the_exact_beta_draw_where_counts_are_large():
    # one unit, one survey item of 3 points: 400 respondents, 340 satisfied (both counts ≫ 30)
    a, b = 340.5, 60.5

    def model(normal: bool) -> Model:
        mean, var = a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
        z = np.zeros(1)
        return Model(
            score=np.array([8500]), scale=np.array([1.0]),
            normal_mean=np.array([300 * mean - 255.0]) if normal else z,
            normal_sd=np.array([300 * np.sqrt(var)]) if normal else z,
            beta_unit=np.zeros(0 if normal else 1, dtype=np.int64), beta_a=np.array([] if normal else [a]),
            beta_b=np.array([] if normal else [b]), beta_max=np.array([] if normal else [300.0]),
            beta_det=np.array([] if normal else [255.0]), tol_unit=np.zeros(0, dtype=np.int64),
            tol_points=np.zeros(0), tol_max=np.zeros(0), tolerance=0.0,
            survey_items=np.array([1]), kind=np.array(["x"], dtype=object),
        )  # fmt: skip

    exact = draw_scores(model(False), 40000, np.random.default_rng(1))[:, 0]
    approx = draw_scores(model(True), 40000, np.random.default_rng(2))[:, 0]
    assert abs(exact.mean() - approx.mean()) < 0.5  # hundredths of a score
    assert abs(exact.std() - approx.std()) / exact.std() < 0.03
    assert stats.ks_2samp(exact, approx).statistic < 0.03


@pytest.mark.parametrize("ties", ["min", "dense"])
def test_ranks_in_groups_are_pandas_ranks_descending(ties):
    rng = np.random.default_rng(3)
    cents = rng.integers(8000, 8010, size=(50, 9))  # many ties
    groups = np.array([0, 0, 1, 0, 1, 1, 0, 2, 0])
    got = ranks_in_groups(cents, groups, ties)
    for d in range(50):
        s = pd.Series(cents[d])
        want = s.groupby(groups).rank(method=ties, ascending=False).astype(int).to_numpy()
        assert np.array_equal(got[d], want)


def test_the_rank_interval_holds_the_ranks_drawn_in_ninety_percent_of_draws(mini):
    t = _odds(mini, draws=5000)
    assert (t["rank_low"] <= t["rank_high"]).all()
    assert set(t["rank_low"]) <= {1, 2} and set(t["rank_high"]) <= {1, 2}
    narrow = _odds(mini, draws=5000, rank_interval_percent=10)
    assert ((narrow["rank_high"] - narrow["rank_low"]) <= (t["rank_high"] - t["rank_low"])).all()
