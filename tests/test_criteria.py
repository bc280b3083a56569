"""The criteria file: the programme's clauses, parameters and readings, as data (SPEC §2).

Each reading the text leaves open is a named parameter with its reason, switchable in a
what-if; a what-if never changes the baseline; a broken file or override is refused with a
message that helps fix it.
"""

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import HTT, KHA, SO, TOT, make_dataset, only

import scoring
from scoring.criteria import DEFAULT_CRITERIA, RULE_IDS

CRITERIA_TEXT = Path(DEFAULT_CRITERIA).read_text(encoding="utf-8")
CRITERIA_DIR = Path(DEFAULT_CRITERIA).parent
ELLIPSIS = "\u2026"  # "…": joins verbatim pieces of one quote, in the order of the text


@pytest.fixture(scope="module")
def crit():
    return scoring.load_criteria()


def test_defaults_are_the_readings_of_the_spec(crit):
    assert crit["unit_late_threshold_percent"] == 10
    assert crit["unit_late_inclusive"] is True  # "từ 10% … trở lên"
    assert crit["official_late_threshold_percent"] == 10
    assert crit["official_late_inclusive"] is False  # "trên 10%"
    assert crit["rate_rounding_decimals"] is None  # compare exactly
    assert (crit["band_min_tot"], crit["band_min_kha"], crit["band_min_trung_binh"]) == (85, 70, 50)
    assert crit["head_band_trigger"] == "trung_binh"
    assert (crit["streak_years_average"], crit["streak_years_weak"]) == (3, 2)
    assert crit["weak_counts_toward_average_streak"] is True
    assert crit["missing_year_breaks_streak"] is True
    assert crit["head_streak_own_years_only"] is True
    assert crit["past_bands_final"] is True
    assert crit["discipline_flag_when_unchanged"] is True
    assert crit["rank_ties"] == "min"


def test_every_parameter_has_its_clause_and_reason(crit):
    rows = crit.as_table()
    assert {r["parameter"] for r in rows} >= {
        "unit_late_threshold_percent",
        "weak_counts_toward_average_streak",
        "missing_year_breaks_streak",
        "head_streak_own_years_only",
        "rank_ties",
    }
    for r in rows:
        assert r["clause"] and r["reason"], r["parameter"]


@pytest.mark.parametrize(
    "rule_id, clause",
    [
        ("unit_late_dossiers", "II.2"),
        ("official_late_dossiers", "II.2"),
        ("head_reform_band", "II.4"),
        ("head_removal_streak", "II.4"),
        ("party_org_streak", "II.4"),
    ],
)
def test_the_five_rules_carry_their_clause_and_quote(crit, rule_id, clause):
    rule = crit.rule(rule_id)
    assert rule.clause == clause
    assert rule.quote


def broken(line_no, text):
    lines = CRITERIA_TEXT.splitlines()
    lines[line_no - 1] = text
    return "\n".join(lines) + "\n"


def value_line(parameter):
    """1-based line of the `value:` of a parameter in the criteria file."""
    lines = CRITERIA_TEXT.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == f"{parameter}:")
    return next(i for i in range(start, len(lines)) if lines[i].strip().startswith("value:")) + 1


def names_line(message, line_no):
    return re.search(rf"(?<!\d){line_no}(?!\d)", message) is not None


@pytest.mark.parametrize("bad", ["    value: 10: 12", "\tvalue: 10"], ids=["colon", "tab"])
def test_broken_yaml_is_refused_naming_the_line(tmp_path, bad):
    n = value_line("unit_late_threshold_percent")
    path = tmp_path / "criteria.yaml"
    path.write_text(broken(n, bad), encoding="utf-8")
    with pytest.raises(scoring.CriteriaError) as err:
        scoring.load_criteria(path)
    assert names_line(str(err.value), n), str(err.value)


def test_bad_value_in_the_file_is_refused_naming_the_line(tmp_path):
    n = value_line("streak_years_average")
    path = tmp_path / "criteria.yaml"
    path.write_text(broken(n, "    value: ba"), encoding="utf-8")
    with pytest.raises(scoring.CriteriaError) as err:
        scoring.load_criteria(path)
    assert names_line(str(err.value), n), str(err.value)
    assert "streak_years_average" in str(err.value)


def test_band_bounds_not_descending_in_the_file_are_refused(tmp_path):
    path = tmp_path / "criteria.yaml"
    path.write_text(broken(value_line("band_min_kha"), "    value: 90"), encoding="utf-8")
    with pytest.raises(scoring.CriteriaError):
        scoring.load_criteria(path)


def test_unknown_parameter_in_an_override_is_refused_with_a_suggestion(crit):
    with pytest.raises(scoring.CriteriaError) as err:
        crit.with_overrides({"unit_late_treshold_percent": 12})
    assert "unit_late_treshold_percent" in str(err.value)
    assert "unit_late_threshold_percent" in str(err.value)


@pytest.mark.parametrize(
    "overrides",
    [{"band_min_kha": 90}, {"band_min_tot": 60}, {"band_min_trung_binh": 75}, {"band_min_kha": 85}],
    ids=["kha-above-tot", "tot-below-kha", "tb-above-kha", "kha-equals-tot"],
)
def test_band_bounds_not_descending_are_refused(crit, overrides):
    with pytest.raises(scoring.CriteriaError):
        crit.with_overrides(overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"unit_late_inclusive": "maybe"},
        {"unit_late_threshold_percent": "ten"},
        {"rank_ties": "max"},
        {"head_band_trigger": "xuat_sac"},
        {"streak_years_average": 0},
    ],
    ids=lambda o: next(iter(o)),
)
def test_bad_override_values_are_refused(crit, overrides):
    with pytest.raises(scoring.CriteriaError):
        crit.with_overrides(overrides)


def test_overrides_accept_text_values_as_the_command_line_gives_them(crit):
    c = crit.with_overrides(
        {"unit_late_threshold_percent": "12", "unit_late_inclusive": "false", "rank_ties": "dense"}
    )
    assert c.fraction("unit_late_threshold_percent") == 12
    assert c["unit_late_inclusive"] is False
    assert c["rank_ties"] == "dense"


def test_overrides_never_mutate_the_baseline(crit, tmp_path):
    data = make_dataset(
        tmp_path / "data",
        units=[("U1", "Sở Một", SO)],
        reform_results=[(2020, "U1", "90", "")],
        unit_dossiers=[(2020, "U1", 300, 30)],
        officials=[(2020, "O1", "Người Một", "U1", "staff", HTT)],
    )
    records = scoring.load_records(data, crit)
    before = dict(crit.params)
    what_if = crit.with_overrides({"unit_late_threshold_percent": 12, "band_min_tot": 95})
    assert crit.params == before
    assert what_if["unit_late_threshold_percent"] == 12
    assert only(scoring.evaluate(records, 2020, what_if).unit_ranking, unit_id="U1")["band"] == KHA
    base = only(scoring.evaluate(records, 2020, crit).unit_ranking, unit_id="U1")
    assert (base["band"], bool(base["emulation_eligible"])) == (KHA, False)
    only_threshold = crit.with_overrides({"unit_late_threshold_percent": 12})
    assert only(scoring.evaluate(records, 2020, only_threshold).unit_ranking, unit_id="U1")["band"] == TOT


def test_overrides_compose(crit):
    c = crit.with_overrides({"rank_ties": "dense"}).with_overrides({"streak_years_weak": 3})
    assert (c["rank_ties"], c["streak_years_weak"]) == ("dense", 3)
    assert (crit["rank_ties"], crit["streak_years_weak"]) == ("min", 2)


def test_every_rule_has_a_title_in_words_for_people():
    crit = scoring.load_criteria()
    for rule_id in RULE_IDS:
        rule = crit.rule(rule_id)
        assert rule.title != rule_id and "_" not in rule.title
        assert rule.label == f"{rule.title} (mục {rule.clause})"


# -- the programme's own words (issue 10 §3) ------------------------------------------------


def folded(text: str) -> str:
    """Whitespace folded to one space (line breaks and page layout are not words), NFC; nothing else."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def source_text() -> str:
    return folded(
        " ".join(p.read_text(encoding="utf-8") for p in sorted((CRITERIA_DIR / "source").glob("*.txt")))
    )


def is_verbatim(quote: str, source: str) -> bool:
    """Every piece of the quote between ellipses is in the source, in the quote's order."""
    at = 0
    for piece in (folded(p) for p in quote.split(ELLIPSIS)):
        if not piece:
            continue
        found = source.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def quotes(node, path=()):
    """(path, quote) for every `quote` anywhere in a YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "quote" and isinstance(value, str):
                yield ".".join(map(str, path)), value
            else:
                yield from quotes(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from quotes(value, (*path, i))


ALL_QUOTES = [
    (f"{path.name}:{where}", quote)
    for path in sorted(CRITERIA_DIR.glob("*.yaml"))
    for where, quote in quotes(yaml.safe_load(path.read_text(encoding="utf-8")))
]


def test_the_criteria_files_carry_quotes():
    files = {where.split(":")[0] for where, _ in ALL_QUOTES}
    assert "khanh-hoa-2017.yaml" in files
    assert len(ALL_QUOTES) >= 20


@pytest.mark.parametrize("where, quote", ALL_QUOTES, ids=[w for w, _ in ALL_QUOTES])
def test_every_quote_is_the_programmes_own_words(where, quote):
    assert is_verbatim(quote, source_text()), f"{where}: «{quote}» is not verbatim in criteria/source/"


@pytest.mark.parametrize(
    "quote, verbatim",
    [
        ("đồng thời xem xét kỷ luật nếu có vi phạm", True),
        ("sáng tạo của đội ngũ cán bộ", True),  # a line break in the source is a space
        ("từ 10% … trở lên", True),  # two pieces, in order
        ("… tổ chức cơ sở đảng đơn vị đó không được xếp loại trong sạch, vững mạnh.", True),
        ("xếp hạng kết quả cải cách hành chính đạt mức trung bình trở xuống.", False),  # ";" in the text
        ("Xử lý trách nhiệm, đưa ra khỏi quy hoạch", False),  # capital X: the text has "xử lý"
        ("trở lên … từ 10%", False),  # pieces out of order
        ("có từ 10% trễ hạn", False),  # a word left out
    ],
)
def test_the_verbatim_check_itself(quote, verbatim):
    assert is_verbatim(quote, source_text()) is verbatim


def test_the_programme_title_is_the_heading_of_the_text(crit):
    heading = folded(
        (CRITERIA_DIR / "source" / "chuong-trinh-hanh-dong-cchc-khanh-hoa.txt").read_text(encoding="utf-8")
    ).split(" SỞ NỘI VỤ")[0]
    # the heading's first words are set in capitals; the title is written in sentence case
    assert folded(crit.programme["title"]).casefold() == heading.casefold()
    assert crit.programme["title"].endswith("nâng cao hiệu lực, hiệu quả quản lý nhà nước")
