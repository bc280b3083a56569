"""The embedded sample's `indicators` table (scoring/sample_data/indicators.csv), 2017–2020.

Called by tools/make_sample.py. Published figures of the province (PAR Index, SIPAS) are kept as
published, each row saying so with its source; every other value is synthetic, written here by
hand (no random draws) so that each commitment of criteria/commitments.yaml shows a plausible
course and, across the years, every status: đạt, chưa đạt, chưa có số liệu, chưa đến hạn. The
values are illustrations, not the province's data.
"""

from __future__ import annotations

import make_sample as m

YEARS = (2017, 2018, 2019, 2020)
PROVINCE = "KHANH_HOA"

# Published province-level figures: (indicator, year) -> (value, source).
PUBLISHED = {
    ("sipas", 2020): ("81.82", "Bộ Nội vụ, Chỉ số SIPAS 2020 (SPEC §6)"),
    ("par_index", 2019): (
        "80.91",
        "Cổng thông tin CCHC tỉnh Khánh Hòa, 06/09/2020: «Chỉ số CCHC chung của tỉnh chỉ đạt 80,91%»",
    ),
    ("par_index_rank", 2019): (
        "34",
        "Cổng thông tin CCHC tỉnh Khánh Hòa, 06/09/2020: «xuống hạng 34, giảm 23 bậc»",
    ),
    ("par_index_rank", 2018): (
        "11",
        "suy ra từ Cổng thông tin CCHC tỉnh Khánh Hòa, 06/09/2020: hạng 34 năm 2019 «giảm 23 bậc»",
    ),
}
PAR_URL = "https://cchc.khanhhoa.gov.vn/vi/chi-so-cchc-97"

# Synthetic province-level series, 2017–2020 (None: no figure that year). A value "a/b" is a
# numerator and denominator (the share is computed by the monitor).
PROVINCE_SERIES: dict[str, tuple] = {
    "sipas": ("78.10", "79.35", "80.12", None),  # 2020 is published
    "interlinked_procedures": (35, 48, 62, 62),  # flat in 2020: not "rising" (unless flat counts)
    "pci": ("63.40", "63.10", "64.60", "65.00"),
    "papi": ("42.10", "41.80", "43.00", "42.60"),
    "overlapping_inspections": (2, 1, 0, 0),
    "business_dialogues": (2, 2, 3, 1),
    "business_recommendations_resolved": ("140/152", "131/139", "127/130", "118/118"),
    "policies_published": ("100", "100", "100", "100"),
    "single_portal": ("không", "có", "có", "có"),
    "overdue_rescheduled": ("512/640", "498/571", "430/466", "410/436"),
    "early_resolution_share": ("18.00", "21.50", "24.20", "27.90"),
    "staff_headcount": (31250, 30880, 30410, 29960),
    "organisational_units": (612, 590, 571, 571),
    "one_stop_staff_qualified": ("100", "100", "100", "100"),
    "one_stop_staff_assessed": ("100", "100", "100", "100"),
    "one_stop_excellent_prioritised": ("6/8", "8/10", "11/11", "9/12"),
    "public_service_inspections": (14, 16, 19, 22),
    "work_quantification_scheme": ("không", "không", "có", "có"),
    "training_output_standards": ("không", "không", "không", "không"),
    "budget_norms": ("không", "không", "không", "có"),
    "performance_budget_pilots": (0, 0, 2, 3),
    "level4_online_payment": ("0", "12.50", "38.00", "71.40"),
    "public_service_center_operating": ("không", "không", "có", "có"),
    "electronic_transactions_share": ("35.00", "48.00", "60.00", "72.00"),
    "paper_reduction": ("0", "22.00", "41.00", "58.00"),
    "iso_procedures_share": ("80.00", "88.00", "95.00", "100"),
    "evaluation_criteria_updated": ("không", "có", "có", "có"),
    "inspection_programme_includes_reform": ("có", "có", "có", "có"),
    "reform_inspections": (3, 4, 4, None),  # the 2020 figure not reported: no data
    "periodic_reports_on_time": ("101/116", "108/116", "113/116", "112/116"),
}
# Online dossiers by level: the district level falls in 2020, the commune level has no 2020 figure.
LEVEL_SERIES = {
    "TINH": ("8.20", "12.50", "19.80", "31.40"),
    "HUYEN": ("3.10", "5.00", "7.20", "6.90"),
    "XA": ("0.40", "0.90", "1.50", None),
}
# Facilities (hospitals and regional clinics; ids and values synthetic): self-financing share.
FACILITIES = {
    "BVDK_NINHHOA": ("78", "86", "94", "100"),
    "BVDK_VANNINH": ("74", "83", "91", "100"),
    "BVDK_DIENKHANH": ("81", "88", "95", "100"),
    "BVDK_CAMLAM": ("70", "79", "88", "96.50"),  # short of full self-financing in 2020
    "BVDK_CAMRANH": ("83", "90", "97", "100"),
    "PKDKKV_NINHDIEM": ("65", "76", "89", "100"),
    "BVDK_KHANHSON": ("41", "49", "57", "64"),  # 60–70%: meets 60, not 70
    "BVDK_KHANHVINH": ("39", "47", "55", "61.50"),
}
ENTERPRISES = [f"DN{i:03d}" for i in range(1, 26)]
TWICE_INSPECTED = {2018: ("DN007",), 2019: ("DN007", "DN019")}  # over "01 lần trong năm"
PARTY_BODIES = [
    "DU_KHOI_CCQ",
    "DU_KHOI_DN",
    "TU_NHATRANG",
    "TU_CAMRANH",
    "TXU_NINHHOA",
    "HU_VANNINH",
    "HU_DIENKHANH",
    "HU_CAMLAM",
    "HU_KHANHVINH",
    "HU_KHANHSON",
]
LATE_REPORT = {2020: ("HU_KHANHSON",)}  # its 2020 report came in January
FRONT_ORGS = ["UBMTTQ", "LDLD", "HLHPN", "TINH_DOAN", "HND", "HCCB"]
NO_HOTLINE = {2017: ("BAN_DT", "QUY_DTPT", "BQL_VINHNT", "CD_YT")}
NO_REFORM_PLAN = {2019: ("QUY_DTPT",)}
NO_JOB_POSITIONS = {
    2017: tuple(m.UNIT_IDS[30:]),
    2018: tuple(m.UNIT_IDS[38:]),
    2019: ("BQL_VINHNT", "QUY_DTPT"),
}
NO_JOB_POSITIONS[2020] = ("QUY_DTPT",)

COLUMNS = ["year", "indicator_id", "subject_id", "value", "numerator", "denominator", "source", "note"]


def _row(year, indicator, subject, value, source="synthetic", note="") -> dict:
    num = den = ""
    if isinstance(value, str) and "/" in value:
        num, den = value.split("/")
        value = ""
    return dict(
        year=year,
        indicator_id=indicator,
        subject_id=subject,
        value=value,
        numerator=num,
        denominator=den,
        source=source,
        note=note,
    )


def rows() -> list[dict]:
    out = []
    for indicator, series in PROVINCE_SERIES.items():
        for year, value in zip(YEARS, series, strict=True):
            if (indicator, year) in PUBLISHED:
                v, src = PUBLISHED[(indicator, year)]
                out.append(_row(year, indicator, PROVINCE, v, "published", src))
            elif value is not None:
                out.append(_row(year, indicator, PROVINCE, value))
    for (indicator, year), (v, src) in PUBLISHED.items():
        if indicator not in PROVINCE_SERIES:  # the context indices: published figures only
            out.append(_row(year, indicator, PROVINCE, v, "published", src))
    for level, series in LEVEL_SERIES.items():
        for year, value in zip(YEARS, series, strict=True):
            if value is not None:
                out.append(_row(year, "online_dossier_share", level, value))
    for facility, series in FACILITIES.items():
        for year, value in zip(YEARS, series, strict=True):
            out.append(_row(year, "self_financing_share", facility, value))
    for year in YEARS:
        for e in ENTERPRISES:
            n = 2 if e in TWICE_INSPECTED.get(year, ()) else (1 if int(e[2:]) % 3 == year % 3 else 0)
            out.append(_row(year, "inspections_per_enterprise", e, n))
        for u in m.UNIT_IDS:
            out.append(_row(year, "hotline_published", u, "không" if u in NO_HOTLINE.get(year, ()) else "có"))
            out.append(_row(year, "reform_plan", u, "không" if u in NO_REFORM_PLAN.get(year, ()) else "có"))
            has = "không" if u in NO_JOB_POSITIONS.get(year, ()) else "có"
            out.append(_row(year, "job_positions_approved", u, has))
        for body in PARTY_BODIES:
            out.append(
                _row(year, "december_report", body, "không" if body in LATE_REPORT.get(year, ()) else "có")
            )
        for org in FRONT_ORGS:
            out.append(_row(year, "front_yearly_plan", org, "có"))
    return sorted(out, key=lambda r: (r["indicator_id"], r["subject_id"], r["year"]))


def readme_section(a) -> None:
    """The README's part on indicators.csv: what is published, its source, what is synthetic."""
    a(
        "## Indicators (the monitor's input)",
        "",
        "`indicators.csv` carries, for 2017–2020, a value for the indicators of",
        "`criteria/commitments.yaml` (the programme's measurable commitments, checked by",
        "`python -m scoring monitor`). Columns: year, indicator_id, subject_id, value, numerator,",
        "denominator (a share may be given as a count of a count); `source` (`published` /",
        "`synthetic`) and `note` are for people and ignored by the loader.",
        "",
        "Published, with their sources:",
        "",
    )
    for (indicator, year), (value, src) in PUBLISHED.items():
        a(f"- `{indicator}` {year}: {value} — {src}.")
    a(
        f"  (PAR Index and its rank: <{PAR_URL}>; the 2019 item says the province ranked 12th on the",
        "  ministry's appraisal and last, 63rd, on the survey of officials.)",
        "",
        "Published but not in the sample (its years end in 2020): PAR Index 2021 85,11%, 48th of 63;",
        "SIPAS 2021 84,4% (Bộ Nội vụ, SPEC §6).",
        "",
        "Synthetic: every other value — the other SIPAS years, PCI, PAPI, online shares by level,",
        "inspections, dialogues, staff numbers, the one-stop figures, budget pilots, hospitals'",
        "self-financing (facility ids `BVDK_*`, `PKDKKV_*` are illustrative), party bodies' December",
        "reports (ids illustrative), front organisations' plans — written by hand in",
        "`tools/sample_indicators.py` so that the years show each status. The province's PAR Index",
        "for the years not listed above is left out rather than invented.",
        "",
        "What the sample shows in 2020 with the default readings: SIPAS 81,82% > 80% (đạt); the",
        "district-level online share falls (chưa đạt); the commune level has no 2020 figure (chưa có",
        "số liệu); interlinked procedures stay at 62 (chưa đạt; đạt with",
        "`--set flat_counts_as_rising=true`); Khánh Sơn 64% and Khánh Vĩnh 61,5% self-financing (đạt at",
        "the default 60%; chưa đạt with `--set mountain_hospital_target_percent=70`). In 2018 and 2019",
        "the targets dated 2020 or undated are chưa đến hạn.",
        "",
    )
