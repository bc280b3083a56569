"""Sections I–V of the annex (SPEC §4), built from one year's Evaluation.

Each builder returns a `Section` of the content model: its title, the clauses it rests on
(from the criteria, quoted), a sentence with the reading applied, and its tables as rows of
cell text. Names everywhere, never internal codes; structured engine tables, never the
decisions' evidence text. Thresholds, labels and clauses all come from the criteria.
"""

from __future__ import annotations

import pandas as pd

from .. import charts
from ..evaluate import Evaluation, format_score
from .model import Column, Section, Table, roman
from .words import (
    ROLE_WORDS,
    band_source_notes,
    late_words,
    notes_text,
    party_org_names,
    ranking_basis,
    rate_text,
    rule_basis,
    thousands,
    unit_names,
)

# The built-in sections, in print order; their numerals (I–V) are fixed by this order.
KEYS = ("ranking", "heads_capped", "removal", "party_orgs", "staff_late")
NUMERAL = {k: roman(i) for i, k in enumerate(KEYS, start=1)}
# Column widths are in millimetres of a page's text width: 165 on a portrait page, 252 on a
# landscape one (sections II–V print on landscape pages: their ratings are long labels).
STT = Column("STT", "c", 11, nowrap=True)
RATING = "Xếp loại đề xuất", "Xếp loại sau khi áp dụng"


def _decided(ev: Evaluation, rule_id: str) -> list[str]:
    d = ev.decisions
    return d.loc[d["rule_id"] == rule_id, "subject_id"].tolist()


def _in_ranking_order(ev: Evaluation, df: pd.DataFrame, key: str) -> pd.DataFrame:
    order = {uid: i for i, uid in enumerate(ev.unit_ranking["unit_id"])}
    k = df["unit_id"].map(order).fillna(len(order))
    return df.assign(_k=k).sort_values(["_k", key], kind="stable").drop(columns="_k")


def _table(columns: tuple[Column, ...], rows: list[list[str]], title: str = "") -> Table:
    """Rows numbered from 1 in the STT column."""
    return Table(columns, tuple((str(i), *r) for i, r in enumerate(rows, start=1)), title)


# When the data hold no such table, a section says so rather than "no case" (SPEC §3: a missing
# optional table means no data, and the rules that need it do not fire).
NO_DATA = {
    "party_orgs": "Dữ liệu không có bảng tổ chức cơ sở đảng: quy định này chưa xét được.",
    "official_dossiers": "Dữ liệu không có số liệu hồ sơ của từng cán bộ, công chức, viên chức: "
    "quy định này chưa xét được.",
}


def _wide(
    ev: Evaluation, key: str, title: str, rule_id: str, intro: str, table: Table, needs: str = ""
) -> Section:
    """Sections II–V: one rule's clause, one table of the people or organisations it applies
    to, printed on landscape pages (their ratings are long labels)."""
    missing = needs and needs not in ev.records.present
    return Section(
        key=key,
        title=title,
        basis=(rule_basis(ev.criteria, rule_id),),
        intro=intro,
        tables=(table,) if table.rows else (),
        **({"empty": NO_DATA[needs]} if missing else {}),
        landscape=True,
    )


def _run_text(years: str, bands: str) -> str:
    """'2016: Trung bình\\n2017: Trung bình' from ';'-separated lists."""
    pairs = zip([y for y in str(years).split(";") if y], str(bands).split(";"), strict=False)
    return "\n".join(f"{y}: {b.strip()}" for y, b in pairs)


# ---------------------------------------------------------------------------------------
# I. The ranking


def _unit_notes(ev: Evaluation) -> dict[str, list[str]]:
    """The 'Ghi chú' of each unit: caps, eligibility, ties, missing figures, cross-references."""
    crit = ev.criteria
    r = ev.unit_ranking
    notes: dict[str, list[str]] = {uid: [] for uid in r["unit_id"]}
    counts = charts.unit_dossier_counts(ev)
    late_rule = crit.rule("unit_late_dossiers")
    ranked = r.dropna(subset=["rank_in_group"])
    tied = set(ranked[ranked.duplicated(["group", "rank_in_group"], keep=False)]["unit_id"])
    for u in r.itertuples(index=False):
        n = notes[u.unit_id]
        if pd.isna(u.score):
            n.append("Không có điểm; xếp loại theo kết quả đã ghi nhận")
        if late_rule.id in str(u.reasons).split(";"):
            # the threshold is in the section's intro; the cell says what follows, and where from
            if u.band_by_score and u.band != u.band_by_score:
                n.append(f"Hạ từ {u.band_by_score} xuống {u.band}")
            n.append(f"Không xét thi đua, khen thưởng (mục {late_rule.clause})")
        if u.unit_id in tied:
            n.append("Đồng hạng")
        if u.unit_id not in counts.index:
            n.append("Không có số liệu hồ sơ")
        elif int(counts.loc[u.unit_id, "handled"]) == 0:
            n.append("Không phát sinh hồ sơ")
    refs: dict[str, list[str]] = {uid: [] for uid in r["unit_id"]}
    o = ev.official_ratings.set_index("official_id")["unit_id"]
    for oid in _decided(ev, "head_reform_band"):
        refs.get(o.get(oid), []).append(NUMERAL["heads_capped"])
    for uid in ev.removal_triggers["unit_id"]:
        refs.get(uid, []).append(NUMERAL["removal"])
    p = ev.party_org_classifications.set_index("party_org_id")["unit_id"]
    for pid in _decided(ev, "party_org_streak"):
        refs.get(p.get(pid), []).append(NUMERAL["party_orgs"])
    for uid, parts in refs.items():
        if parts:
            notes[uid].append("Xem phần " + ", ".join(dict.fromkeys(parts)))
    return {k: list(dict.fromkeys(v)) for k, v in notes.items()}


RANKING_COLUMNS = (
    STT,
    Column("Cơ quan, đơn vị", "l", 45),
    Column("Điểm (%)", "r", 16, nowrap=True),
    Column("Xếp hạng", "c", 15, nowrap=True),
    Column("Xếp loại", "c", 23, nowrap=True),
    Column("Tỷ lệ hồ sơ trễ hạn", "r", 17, nowrap=True),
    Column("Ghi chú", "l", 38),
)


def ranking_tables(ev: Evaluation) -> list[Table]:
    """One table per group, in the criteria's order: unit, score (95,20), rank, band, rate, note."""
    crit = ev.criteria
    counts = charts.unit_dossier_counts(ev)
    notes = _unit_notes(ev)
    fired = set(_decided(ev, "unit_late_dossiers"))
    out = []
    for i, (group, df) in enumerate(ev.unit_ranking.groupby("group", sort=False), start=1):
        rows = []
        for u in df.itertuples(index=False):
            rate = ""
            if u.unit_id in counts.index:
                c = counts.loc[u.unit_id]
                rate = rate_text(int(c["late"]), int(c["handled"]), u.unit_id in fired, "unit", crit)
            rows.append(
                [
                    u.unit_name,
                    "" if pd.isna(u.score) else format_score(u.score),
                    "" if pd.isna(u.rank_in_group) else str(int(u.rank_in_group)),
                    u.band,
                    rate,
                    notes_text(notes[u.unit_id]),
                ]
            )
        out.append(_table(RANKING_COLUMNS, rows, f"{i}. {group} ({len(df)} cơ quan, đơn vị)"))
    return out


def ranking_section(ev: Evaluation) -> Section:
    """I. Xếp hạng theo khối: the band scale, its source, and the late-dossier rule it applies."""
    crit = ev.criteria
    r = ev.unit_ranking
    labels = crit.bands.labels
    per_band = ", ".join(f"{b}: {int((r['band'] == b).sum())}" for b in labels)
    bounds = [charts.number(crit.band_min(i)) for i in range(len(labels) - 1)]
    scale = "; ".join(
        [f"{labels[0]} từ {bounds[0]} điểm trở lên"]
        + [f"{labels[i]} từ {bounds[i]} đến dưới {bounds[i - 1]} điểm" for i in range(1, len(bounds))]
        + [f"{labels[-1]} dưới {bounds[-1]} điểm"]
    )
    barred = crit.bands.label(crit.cap_level("unit_late_dossiers", crit.bands) - 1)
    intro = (
        f"Tổng số {len(r)} cơ quan, đơn vị — {per_band}. Xếp loại theo điểm (tỷ lệ phần trăm, làm tròn "
        f"đến hai chữ số thập phân): {scale}. Cơ quan, đơn vị có tỷ lệ hồ sơ trễ hạn "
        f"{late_words('unit', crit)} không được xếp loại {barred}."
    )
    return Section(
        key="ranking",
        title="Xếp hạng theo khối",
        basis=(ranking_basis(crit), rule_basis(crit, "unit_late_dossiers")),
        intro=intro,
        tables=tuple(ranking_tables(ev)),
        notes=band_source_notes(crit),
    )


# ---------------------------------------------------------------------------------------
# II. Heads of weak units


def _barred(ev: Evaluation, rule_id: str) -> str:
    """The lowest level a rule bars: 'Hoàn thành tốt nhiệm vụ' for a cap below it."""
    cadre = ev.criteria.scales("cadre").for_year(ev.year)
    return cadre.label(ev.criteria.cap_level(rule_id, cadre) - 1)


def heads_capped_table(ev: Evaluation) -> Table:
    """II. Heads of units ranked at or below the trigger band (head_reform_band, mục II.4)."""
    ids = _decided(ev, "head_reform_band")
    o = ev.official_ratings
    o = _in_ranking_order(ev, o[o["official_id"].isin(ids)], "official_id")
    names = unit_names(ev)
    band = ev.unit_ranking.set_index("unit_id")["band"]
    late_capped = set(_decided(ev, "official_late_dossiers"))
    rows = []
    for x in o.itertuples(index=False):
        note = []
        if x.final_rating == x.proposed_rating:
            note.append("Giữ nguyên xếp loại đề xuất")
        if x.official_id in late_capped:
            note.append(f"Đồng thời trễ hạn hồ sơ (phần {NUMERAL['staff_late']})")
        rows.append(
            [
                x.full_name,
                names.get(x.unit_id, ""),
                band.get(x.unit_id, ""),
                x.proposed_rating,
                x.final_rating,
            ]
            + [notes_text(note)]
        )
    columns = (
        STT,
        Column("Họ và tên", "l", 40),
        Column("Cơ quan, đơn vị", "l", 53),
        Column(f"Xếp loại CCHC năm {ev.year}", "c", 28, nowrap=True),
        Column(RATING[0], "l", 42),
        Column(RATING[1], "l", 42),
        Column("Ghi chú", "l", 36),
    )
    return _table(columns, rows)


def heads_capped_section(ev: Evaluation) -> Section:
    crit = ev.criteria
    trigger = crit.bands.label(crit.band_level(crit["head_band_trigger"]))
    intro = (
        f"Người đứng đầu cơ quan, đơn vị có kết quả xếp hạng cải cách hành chính năm {ev.year} từ mức "
        f"{trigger} trở xuống. Người đứng đầu trễ hạn {late_words('official', crit)} hồ sơ được nêu tại "
        f"phần {NUMERAL['staff_late']}."
    )
    return _wide(
        ev,
        "heads_capped",
        f"Người đứng đầu không được xếp loại từ “{_barred(ev, 'head_reform_band')}” trở lên",
        "head_reform_band",
        intro,
        heads_capped_table(ev),
    )


# ---------------------------------------------------------------------------------------
# III. Removal triggers


def removal_table(ev: Evaluation) -> Table:
    """III. Heads whose unit's run of weak years triggers xử lý trách nhiệm … thay thế (II.4)."""
    t = _in_ranking_order(ev, ev.removal_triggers, "official_id")
    names = unit_names(ev)
    who = ev.official_ratings.set_index("official_id")["full_name"]
    rows = []
    for x in t.itertuples(index=False):
        actions = x.actions.replace(";", "; ")
        rows.append(
            [
                who.get(x.official_id, ""),
                names.get(x.unit_id, ""),
                _run_text(x.streak_years, x.streak_bands),
                actions[:1].upper() + actions[1:],
            ]
        )
    columns = (
        STT,
        Column("Họ và tên", "l", 42),
        Column("Cơ quan, đơn vị", "l", 64),
        Column("Kết quả CCHC của đơn vị các năm liên tục", "l", 50),
        Column("Hình thức xem xét", "l", 85),
    )
    return _table(columns, rows)


def removal_section(ev: Evaluation) -> Section:
    crit = ev.criteria
    rule = crit.rule("head_removal_streak")
    avg = crit.bands.label(crit.band_level(rule.spec["average_band"]))
    weak = crit.bands.label(crit.band_level(rule.spec["weak_band"]))
    lower = " trở xuống" if crit["weak_counts_toward_average_streak"] else ""
    own = ", trong thời gian người đó là người đứng đầu" if crit["head_streak_own_years_only"] else ""
    intro = (
        f"Kết quả cải cách hành chính của đơn vị {crit['streak_years_average']:02d} năm liên tục xếp loại "
        f"{avg}{lower} hoặc {crit['streak_years_weak']:02d} năm liên tục xếp loại {weak}, tính đến năm "
        f"{ev.year}{own}. Đây là căn cứ để cấp có thẩm quyền xem xét, không phải quyết định xử lý."
    )
    return _wide(
        ev,
        "removal",
        "Người đứng đầu thuộc diện " + ", ".join(rule.spec["actions"]),
        rule.id,
        intro,
        removal_table(ev),
    )


# ---------------------------------------------------------------------------------------
# IV. Party organisations


def party_org_runs(ev: Evaluation) -> pd.DataFrame:
    """The unit's run behind each party organisation's cap: party_org_id, unit_id,
    streak_years, streak_bands (';'-separated) — the engine's own table, never the decisions'
    wording (which may change at will)."""
    return ev.party_org_runs


def party_org_table(ev: Evaluation) -> Table:
    """IV. Party organisations that cannot get the top classification (the unit's run, II.4)."""
    runs = party_org_runs(ev).set_index("party_org_id")
    p = ev.party_org_classifications
    p = _in_ranking_order(ev, p[p["party_org_id"].isin(runs.index)], "party_org_id")
    names = party_org_names(ev)
    rows = [
        [
            names.get(x.party_org_id, ""),
            _run_text(runs.loc[x.party_org_id, "streak_years"], runs.loc[x.party_org_id, "streak_bands"]),
            x.proposed_classification,
            x.final_classification,
        ]
        for x in p.itertuples(index=False)
    ]
    columns = (
        STT,
        Column("Tổ chức cơ sở đảng", "l", 91),
        Column("Kết quả CCHC của đơn vị các năm liên tục", "l", 50),
        Column(RATING[0], "l", 50),
        Column(RATING[1], "l", 50),
    )
    return _table(columns, rows)


def party_org_section(ev: Evaluation) -> Section:
    crit = ev.criteria
    party = crit.scales("party_org").for_year(ev.year)
    intro = (
        f"Mức cao nhất năm {ev.year}: “{party.label(0)}” ({party.source}). Áp dụng theo kết quả cải cách "
        "hành chính của đơn vị, dù ai là người đứng đầu."
    )
    return _wide(
        ev,
        "party_orgs",
        "Tổ chức cơ sở đảng không được xếp loại ở mức cao nhất",
        "party_org_streak",
        intro,
        party_org_table(ev),
        needs="party_orgs",
    )


# ---------------------------------------------------------------------------------------
# V. Officials late on their dossiers


def staff_late_table(ev: Evaluation) -> Table:
    """V. Officials late on more than the threshold (official_late_dossiers, mục II.2)."""
    ids = _decided(ev, "official_late_dossiers")
    o = ev.official_ratings
    o = _in_ranking_order(ev, o[o["official_id"].isin(ids)], "official_id")
    od = ev.records.official_dossiers
    od = od[od["year"] == ev.year].set_index("official_id")
    names = unit_names(ev)
    rows = []
    for x in o.itertuples(index=False):
        late, handled = int(od.loc[x.official_id, "late"]), int(od.loc[x.official_id, "handled"])
        note = []
        if x.final_rating == x.proposed_rating:
            note.append("Giữ nguyên xếp loại đề xuất")
        if not x.discipline_review:  # the intro says when a row is flagged
            note.append("Không đánh dấu xem xét kỷ luật")
        rows.append(
            [
                x.full_name,
                ROLE_WORDS.get(x.role, str(x.role)),
                names.get(x.unit_id, ""),
                f"{thousands(late)}/{thousands(handled)}",
                rate_text(late, handled, True, "official", ev.criteria),
                x.proposed_rating,
                x.final_rating,
                notes_text(note),
            ]
        )
    columns = (
        STT,
        Column("Họ và tên", "l", 34),
        Column("Chức vụ", "l", 24),
        Column("Cơ quan, đơn vị", "l", 38),
        Column("Hồ sơ trễ hạn / đã giải quyết", "r", 22, nowrap=True),
        Column("Tỷ lệ trễ hạn", "r", 18, nowrap=True),
        Column(RATING[0], "l", 35),
        Column(RATING[1], "l", 35),
        Column("Ghi chú", "l", 35),
    )
    return _table(columns, rows)


def staff_late_section(ev: Evaluation) -> Section:
    crit = ev.criteria
    flagged = (
        "mọi trường hợp dưới đây đều được đánh dấu"
        if crit["discipline_flag_when_unchanged"]
        else "được đánh dấu khi mức giới hạn làm thay đổi xếp loại"
    )
    intro = (
        f"Không được xếp loại từ “{_barred(ev, 'official_late_dossiers')}” trở lên; đồng thời xem xét kỷ luật "
        f"nếu có vi phạm: {flagged} để xem xét, không phải kỷ luật tự động."
    )
    return _wide(
        ev,
        "staff_late",
        f"Cán bộ, công chức, viên chức trễ hạn {late_words('official', crit)} hồ sơ",
        "official_late_dossiers",
        intro,
        staff_late_table(ev),
        needs="official_dossiers",
    )


BUILDERS = {
    "ranking": ranking_section,
    "heads_capped": heads_capped_section,
    "removal": removal_section,
    "party_orgs": party_org_section,
    "staff_late": staff_late_section,
}


def builtin_sections(ev: Evaluation) -> list[Section]:
    return [BUILDERS[k](ev) for k in KEYS]


# The tables as notebooks show them (pandas, STT as the index): the same rows as the annex.


def ranking_frames(ev: Evaluation) -> dict[str, pd.DataFrame]:
    groups = list(dict.fromkeys(ev.unit_ranking["group"]))
    return {g: t.frame() for g, t in zip(groups, ranking_tables(ev), strict=True)}


def heads_capped_frame(ev: Evaluation) -> pd.DataFrame:
    return heads_capped_table(ev).frame()


def removal_frame(ev: Evaluation) -> pd.DataFrame:
    return removal_table(ev).frame()


def party_org_frame(ev: Evaluation) -> pd.DataFrame:
    return party_org_table(ev).frame()


def staff_capped_frame(ev: Evaluation) -> pd.DataFrame:
    return staff_late_table(ev).frame()
