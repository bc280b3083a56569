#!/usr/bin/env python3
"""Generate the embedded Khánh Hòa sample data set in ``scoring/sample_data/``.

Run from the repository root::

    python tools/make_sample.py

Standard library only, seeded RNG, no set iteration and no clock: two runs write
byte-identical files. What the sample contains and where each rule of SPEC §2 fires is
written to ``scoring/sample_data/README.md`` by this same script, so the ids listed
there always match the data.

Published figures (SPEC §6; Báo Khánh Hòa and the province's CCHC portal) are
reproduced exactly: the named units' scores for 2018 and 2020 and the per-year band
counts for 2018-2020. Everything else is synthetic and marked so (``source`` column of
``reform_results``; README).
"""

from __future__ import annotations

import csv
import random
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules, however this is run

from sample_facts import (  # noqa: E402
    ABOVE_90,
    G_DOC,
    G_HUYEN,
    G_SN,
    G_SO,
    KHA,
    PUBLISHED_COUNTS,
    PUBLISHED_FIRSTS,
    PUBLISHED_GROUP_COUNTS,
    PUBLISHED_LASTS,
    PUBLISHED_SCORES,
    TB,
    TOT,
    YEU,
)
from sample_names import DEM_NAM, DEM_NU, HO, TEN_NAM, TEN_NU  # noqa: E402

SEED = 20171130
SCORE_SEED = 20190211  # the day the 2018 results were published
LEGACY_SCORE_WORDS = 775
OUT = Path(__file__).resolve().parent.parent / "scoring" / "sample_data"
YEARS = list(range(2015, 2021))
PUBLISHED_YEARS = (2018, 2019, 2020)

BAND_ORDER = [TOT, KHA, TB, YEU]

# --------------------------------------------------------------------------- units
# (unit_id, unit_name, group, illustrative?) — the 44 units of SPEC §6. The seven
# đơn vị sự nghiệp marked True are illustrative (the published lists are not reproduced).
UNITS = [
    ("VP_UBND", "Văn phòng UBND tỉnh", G_SO, False),
    ("SO_NV", "Sở Nội vụ", G_SO, False),
    ("SO_TP", "Sở Tư pháp", G_SO, False),
    ("SO_KHDT", "Sở Kế hoạch và Đầu tư", G_SO, False),
    ("SO_TC", "Sở Tài chính", G_SO, False),
    ("SO_CT", "Sở Công Thương", G_SO, False),
    ("SO_NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", G_SO, False),
    ("SO_GTVT", "Sở Giao thông vận tải", G_SO, False),
    ("SO_XD", "Sở Xây dựng", G_SO, False),
    ("SO_TNMT", "Sở Tài nguyên và Môi trường", G_SO, False),
    ("SO_TTTT", "Sở Thông tin và Truyền thông", G_SO, False),
    ("SO_LDTBXH", "Sở Lao động - Thương binh và Xã hội", G_SO, False),
    ("SO_VHTT", "Sở Văn hóa và Thể thao", G_SO, False),
    ("SO_DL", "Sở Du lịch", G_SO, False),
    ("SO_KHCN", "Sở Khoa học và Công nghệ", G_SO, False),
    ("SO_GDDT", "Sở Giáo dục và Đào tạo", G_SO, False),
    ("SO_YT", "Sở Y tế", G_SO, False),
    ("SO_NGV", "Sở Ngoại vụ", G_SO, False),
    ("THANHTRA", "Thanh tra tỉnh", G_SO, False),
    ("BAN_DT", "Ban Dân tộc", G_SO, False),
    ("BQL_KKT", "Ban Quản lý Khu kinh tế Vân Phong", G_SO, False),
    ("CUC_THUE", "Cục Thuế tỉnh Khánh Hòa", G_DOC, False),
    ("CUC_HQ", "Cục Hải quan tỉnh Khánh Hòa", G_DOC, False),
    ("CA_TINH", "Công an tỉnh Khánh Hòa", G_DOC, False),
    ("NHNN", "Ngân hàng Nhà nước Chi nhánh tỉnh Khánh Hòa", G_DOC, False),
    ("KBNN", "Kho bạc Nhà nước Khánh Hòa", G_DOC, False),
    ("BHXH", "Bảo hiểm xã hội tỉnh Khánh Hòa", G_DOC, False),
    ("UB_NHATRANG", "UBND thành phố Nha Trang", G_HUYEN, False),
    ("UB_CAMRANH", "UBND thành phố Cam Ranh", G_HUYEN, False),
    ("UB_NINHHOA", "UBND thị xã Ninh Hòa", G_HUYEN, False),
    ("UB_VANNINH", "UBND huyện Vạn Ninh", G_HUYEN, False),
    ("UB_DIENKHANH", "UBND huyện Diên Khánh", G_HUYEN, False),
    ("UB_CAMLAM", "UBND huyện Cam Lâm", G_HUYEN, False),
    ("UB_KHANHVINH", "UBND huyện Khánh Vĩnh", G_HUYEN, False),
    ("UB_KHANHSON", "UBND huyện Khánh Sơn", G_HUYEN, False),
    ("BQLDA_PT", "Ban Quản lý dự án phát triển tỉnh Khánh Hòa", G_SN, False),
    ("DH_KHANHHOA", "Trường Đại học Khánh Hòa", G_SN, False),
    ("DAI_PTTH", "Đài Phát thanh và Truyền hình Khánh Hòa", G_SN, True),
    ("TT_HCC", "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa", G_SN, True),
    ("CD_YT", "Trường Cao đẳng Y tế Khánh Hòa", G_SN, True),
    ("TT_XTDT", "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch Khánh Hòa", G_SN, True),
    ("QUY_DTPT", "Quỹ Đầu tư phát triển Khánh Hòa", G_SN, True),
    ("BQL_VINHNT", "Ban Quản lý Vịnh Nha Trang", G_SN, True),
    ("BQLDA_GT", "Ban Quản lý dự án công trình giao thông tỉnh Khánh Hòa", G_SN, True),
]
UNIT_IDS = [u[0] for u in UNITS]
GROUP = {u[0]: u[2] for u in UNITS}
NAME = {u[0]: u[1] for u in UNITS}


def party_org_id(unit_id: str) -> str:
    return "DB_" + unit_id


# --------------------------------------------------------------- reform results
# Synthetic attribution of the published counts: which units are below Tốt each year
# (the rest are Tốt). Chosen so that the counts hold after the late-dossier cap: only
# units listed here may reach 10% late dossiers in 2018-2020.
BELOW_TOT = {
    2018: {
        KHA: [
            # sở, ban, ngành: 9
            "SO_GDDT",
            "SO_XD",
            "SO_YT",
            "SO_LDTBXH",
            "SO_NGV",
            "BAN_DT",
            "SO_DL",
            "SO_VHTT",
            "SO_KHCN",
            # ngành dọc: 1
            "CA_TINH",
            # UBND cấp huyện: 5
            "UB_VANNINH",
            "UB_KHANHSON",
            "UB_CAMLAM",
            "UB_NINHHOA",
            "UB_DIENKHANH",
            # đơn vị sự nghiệp: 3
            "BQL_VINHNT",
            "TT_XTDT",
            "BQLDA_GT",
        ],
        TB: ["DH_KHANHHOA", "CD_YT"],
        YEU: [],
    },
    2019: {
        KHA: [
            "SO_GDDT",
            "SO_XD",
            "SO_YT",
            "SO_NGV",
            "BAN_DT",
            "SO_DL",
            "SO_VHTT",
            "CA_TINH",
            "CUC_HQ",
            "UB_VANNINH",
            "UB_KHANHSON",
            "UB_CAMLAM",
            "DAI_PTTH",
            "BQL_VINHNT",
            "TT_XTDT",
            "QUY_DTPT",
            "BQLDA_GT",
            "CD_YT",
            "SO_KHCN",
        ],
        TB: [],
        YEU: ["DH_KHANHHOA"],  # the one published Yếu of 2019 (attribution synthetic)
    },
    2020: {
        KHA: [
            "SO_GDDT",
            "SO_XD",
            "SO_NGV",
            "BAN_DT",
            "CA_TINH",
            "CUC_HQ",
            "UB_VANNINH",
            "UB_CAMLAM",
            "DAI_PTTH",
            "QUY_DTPT",
            "BQL_VINHNT",
        ],
        TB: ["DH_KHANHHOA", "UB_KHANHSON", "TT_XTDT", "BQLDA_GT"],
        YEU: [],
    },
}

# Synthetic scores fixed by hand (ties for the rank rule; the streak units).
FIXED_SCORES = {
    2018: {"SO_TC": "88.75", "SO_CT": "88.75", "CD_YT": "67.48"},  # tie: rank 1,2,2,4
    2019: {"DH_KHANHHOA": "47.80"},
    2020: {
        "UB_DIENKHANH": "88.40",
        "UB_NINHHOA": "88.40",
        "DH_KHANHHOA": "62.15",
        "UB_KHANHSON": "66.08",
        "TT_XTDT": "58.73",
        "BQLDA_GT": "64.50",
    },
}

# 2015-2017 (synthetic). ("score", "84.99") or ("band", "TRUNG BÌNH"); None = no row.
PAST_FIXED = {
    # band edges, all in 2017 (the evaluated-year band comes from the score)
    (2017, "SO_NV"): ("score", "85.00"),
    (2017, "SO_TP"): ("score", "84.99"),
    (2017, "SO_KHCN"): ("score", "84.995"),  # rounds half up to 85.00 -> Tốt
    (2017, "UB_DIENKHANH"): ("score", "70.00"),
    (2017, "CD_YT"): ("score", "69.99"),
    (2017, "SO_NGV"): ("score", "50.00"),
    (2017, "BQL_VINHNT"): ("score", "49.99"),
    # a Tốt score capped to Khá by >= 10% late dossiers (see UNIT_DOSSIERS_FIXED)
    (2017, "SO_CT"): ("score", "87.30"),
    # CD_YT: Trung bình 2016, 2017, 2018 (head changed in 2017)
    (2015, "CD_YT"): ("band", "Khá"),
    (2016, "CD_YT"): ("band", "TRUNG BÌNH"),
    # UB_KHANHSON: Yếu 2016 and 2017, same head
    (2015, "UB_KHANHSON"): ("score", "72.40"),
    (2016, "UB_KHANHSON"): ("band", " Yếu "),
    (2017, "UB_KHANHSON"): ("score", "47.35"),
    # BQL_VINHNT: Yếu 2015, no result 2016, Yếu 2017: the gap breaks the streak
    (2015, "BQL_VINHNT"): ("band", "YẾU"),
    (2016, "BQL_VINHNT"): None,
    # DH_KHANHHOA: Khá before 2018, so its streak starts in 2018
    (2015, "DH_KHANHHOA"): ("band", "khá"),
    (2016, "DH_KHANHHOA"): ("score", "74.12"),
    (2017, "DH_KHANHHOA"): ("band", "Khá"),
    # scattered single Trung bình years (no streak)
    (2015, "SO_NGV"): ("band", "Trung bình"),
    (2016, "SO_NGV"): ("score", "73.50"),
    (2016, "BQLDA_GT"): ("score", "63.20"),
    (2017, "BQLDA_GT"): ("band", "KHÁ"),
    (2015, "TT_XTDT"): ("score", "58.10"),
    (2016, "TT_XTDT"): ("band", "Khá"),
}
# share of 2015-2017 rows recorded as a band only (no score)
BAND_ONLY_SHARE = {2015: 0.6, 2016: 0.45, 2017: 0.3}
BAND_FORMS = {
    TOT: [("Tốt", 6), ("tốt", 2), ("TỐT", 1)],
    KHA: [("Khá", 6), ("KHÁ", 1), ("khá", 1)],
    TB: [("Trung bình", 3), ("TRUNG BÌNH", 1)],
    YEU: [("Yếu", 2), (" Yếu ", 1)],
}

# ------------------------------------------------------------------- dossiers
# (handled, late) fixed for the threshold edges; everything else stays well below 10%.
UNIT_DOSSIERS_FIXED = {
    (2017, "SO_CT"): (310, 33),  # 10.65%: Tốt score 87.30 capped to Khá
    (2018, "SO_GDDT"): (300, 30),  # exactly 10%: rule fires (Khá unit)
    (2018, "SO_TNMT"): (300, 29),  # 9.67%: just below, stays Tốt
    (2018, "BAN_DT"): (0, 0),  # no dossiers: no rate, no cap
    (2018, "UB_VANNINH"): (3850, 412),  # 10.70%, Khá unit
    (2020, "SO_XD"): (300, 30),  # exactly 10%: rule fires (Khá unit)
    (2020, "SO_TNMT"): (300, 29),  # just below, stays Tốt
    (2020, "BAN_DT"): (0, 0),
    (2020, "UB_VANNINH"): (4210, 498),  # 11.83%, Khá unit
    (2020, "DH_KHANHHOA"): (120, 14),  # 11.67%, Trung bình unit (loses eligibility)
}
# yearly dossier volume range per group (one-stop units handle most)
VOLUME = {G_SO: (150, 2600), G_DOC: (600, 6500), G_HUYEN: (2500, 9500), G_SN: (0, 260)}
VOLUME_FIXED = {
    "TT_HCC": (5200, 8800),
    "BAN_DT": (20, 90),
    "THANHTRA": (40, 160),
    "DH_KHANHHOA": (60, 180),
    "CD_YT": (40, 150),
    "QUY_DTPT": (0, 0),
}

# ------------------------------------------------------------------ officials
# head changes: (year, unit) -> "promote" (first deputy becomes head) or "outside"
HEAD_CHANGES = {
    (2016, "CUC_THUE"): "outside",
    (2017, "CD_YT"): "promote",  # inside CD_YT's 2016-2018 Trung bình streak
    (2018, "UB_KHANHSON"): "outside",  # replaced after the 2016-2017 Yếu streak
    (2019, "SO_NV"): "outside",
    (2019, "SO_YT"): "promote",
    (2020, "UB_CAMRANH"): "promote",
}
# heads whose proposed rating is set so that a cap bites: (year, unit) -> level
HEAD_RATING_FIXED = {
    (2017, "UB_KHANHSON"): 1,
    (2017, "CD_YT"): 1,
    (2017, "BQL_VINHNT"): 1,
    (2018, "DH_KHANHHOA"): 1,
    (2018, "CD_YT"): 0,
    (2018, "UB_CAMLAM"): 1,  # also > 10% late himself
    (2019, "DH_KHANHHOA"): 1,
    (2020, "DH_KHANHHOA"): 1,
    (2020, "UB_KHANHSON"): 0,
    (2020, "TT_XTDT"): 1,
    (2020, "BQLDA_GT"): 1,
    (2020, "TT_HCC"): 0,  # > 10% late himself
}
# (year, unit, who) -> dict(handled, late, level or label); who = "head" or staff index
OFFICIAL_FIXED = {
    (2018, "SO_TP", 0): dict(
        handled=100, late=10, level=1, case="exactly 10%: not capped (officials need > 10%)"
    ),
    (2018, "UB_NHATRANG", 0): dict(handled=100, late=11, level=1, case="11%: capped, discipline flag"),
    (2018, "KBNN", 0): dict(handled=1000, late=101, level=0, case="10.1%: capped from the top level, flag"),
    (2018, "SO_KHDT", 0): dict(handled=0, late=0, level=1, case="no dossiers: no rate, no cap"),
    (2018, "UB_NINHHOA", 1): dict(
        handled=60,
        late=7,
        level=2,
        case="11.67%, proposed already the third level: flag only, rating unchanged",
    ),
    (2018, "UB_CAMLAM", "head"): dict(handled=80, late=9, case="head 11.25% late: capped, flag"),
    (2020, "SO_TP", 0): dict(
        handled=100, late=10, level=1, case="exactly 10%: not capped (officials need > 10%)"
    ),
    (2020, "UB_NHATRANG", 0): dict(handled=100, late=11, level=1, case="11%: capped, discipline flag"),
    (2020, "UB_CAMRANH", 0): dict(
        handled=1000, late=101, level=0, case="10.1%: capped from the top level, flag"
    ),
    (2020, "SO_KHDT", 0): dict(handled=0, late=0, level=1, case="no dossiers: no rate, no cap"),
    (2020, "UB_DIENKHANH", 1): dict(
        handled=90,
        late=15,
        level=2,
        case="16.67%, proposed already Hoàn thành nhiệm vụ: flag only, rating unchanged",
    ),
    (2020, "TT_HCC", "head"): dict(handled=120, late=13, case="head 10.83% late: capped, flag"),
}
# 2020 staff whose proposed rating is written with the 2019 (Nghị định 56) label
CROSS_ERA_2020 = ("SO_LDTBXH", 0)

# ------------------------------------------------------------------ labels
CADRE_56 = [
    "Hoàn thành xuất sắc nhiệm vụ",
    "Hoàn thành tốt nhiệm vụ",
    "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực",
    "Không hoàn thành nhiệm vụ",
]
CADRE_90 = [
    "Hoàn thành xuất sắc nhiệm vụ",
    "Hoàn thành tốt nhiệm vụ",
    "Hoàn thành nhiệm vụ",
    "Không hoàn thành nhiệm vụ",
]
CADRE_ABBR_56 = ["HTXSNV", "HTTNV", "HTNV nhưng còn hạn chế về năng lực", "KHTNV"]
CADRE_ABBR_90 = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
PARTY_27 = ["Trong sạch, vững mạnh", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ", "Yếu kém"]
PARTY_132 = [
    "Hoàn thành xuất sắc nhiệm vụ",
    "Hoàn thành tốt nhiệm vụ",
    "Hoàn thành nhiệm vụ",
    "Không hoàn thành nhiệm vụ",
]
PARTY_FIXED = {
    (2017, "UB_KHANHSON"): "Trong sạch vững mạnh",  # top level, capped by the Yếu streak
    (2018, "CD_YT"): "Hoàn thành xuất sắc nhiệm vụ",  # top level, capped by the TB streak
    (2020, "DH_KHANHHOA"): "HTXSNV",  # top level, capped by the TB/Yếu streak
    (2017, "SO_NGV"): "Trong sạch, vững mạnh",  # unit Trung bình, no streak: not capped
    (2019, "SO_TTTT"): "Trong sạch, vững mạnh",  # Hướng dẫn 27 label in a Quy định 132 year
}
HEAD_ROLES = [("head", 7), ("Người đứng đầu", 2), ("Thủ trưởng", 1)]
DEPUTY_ROLES = [("deputy", 4), ("cấp phó", 1), ("Cấp phó", 1)]
STAFF_ROLES = [("staff", 5), ("công chức", 2), ("Công chức", 1)]
STAFF_ROLES_SN = [("staff", 4), ("viên chức", 2), ("Viên chức", 1)]


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def band_of(score: str) -> str:
    v = Decimal(score).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if v >= 85:
        return TOT
    if v >= 70:
        return KHA
    if v >= 50:
        return TB
    return YEU


def hundredths(v: int) -> str:
    return f"{v // 100}.{v % 100:02d}"


class Generator:
    def __init__(self) -> None:
        # The scores have a generator of their own, so that bounding them by the published facts
        # never moves the officials, dossiers and party organisations, whose ids and names tests
        # and documents cite. Those draw from the main stream where they always have: after the
        # LEGACY_SCORE_WORDS 32-bit words the scores took from it before they were separated.
        self.score_rng = random.Random(SCORE_SEED)
        self.rng = random.Random(SEED)
        for _ in range(LEGACY_SCORE_WORDS):
            self.rng.getrandbits(32)
        self.names_used: list[str] = []
        self.next_id = 1
        self.people: dict[str, str] = {}  # official_id -> full name
        self.cases: dict[str, list[tuple]] = {}

    # ---------------------------------------------------------------- helpers
    def weighted(self, pairs, rng=None):
        items = [p[0] for p in pairs]
        weights = [p[1] for p in pairs]
        return (rng or self.rng).choices(items, weights=weights, k=1)[0]

    def new_person(self) -> str:
        while True:
            female = self.rng.random() < 0.45
            ho = self.weighted(HO)
            dem = self.rng.choice(DEM_NU if female else DEM_NAM)
            ten = self.rng.choice(TEN_NU if female else TEN_NAM)
            if dem.endswith(ten):
                continue
            name = nfc(f"{ho} {dem} {ten}")
            if name not in self.names_used:
                break
        self.names_used.append(name)
        oid = f"CB{self.next_id:05d}"
        self.next_id += 1
        self.people[oid] = name
        return oid

    def case(self, rule: str, *row) -> None:
        self.cases.setdefault(rule, []).append(row)

    # ---------------------------------------------------------------- results
    def reform_results(self) -> list[dict]:
        rows = []
        self.band = {}  # (year, unit) -> band as the engine should read it (before caps)
        self.score = {}
        self.raw_band = {}  # (year, unit) -> band label as written, for band-only rows
        base_good = {}
        for y in PUBLISHED_YEARS:
            below = {u: b for b, us in BELOW_TOT[y].items() for u in us}
            high = self.above_90(y, below)
            taken = {g: [] for g in (G_SO, G_DOC, G_HUYEN, G_SN)}
            for u in UNIT_IDS:
                src = "synthetic"
                if u in PUBLISHED_SCORES.get(y, {}):
                    s, src = PUBLISHED_SCORES[y][u], "published"
                elif u in FIXED_SCORES.get(y, {}):
                    s = FIXED_SCORES[y][u]
                else:
                    s = self.draw_score(y, u, below.get(u, TOT), taken[GROUP[u]], u in high)
                taken[GROUP[u]].append(s)
                want = below.get(u, TOT)
                assert band_of(s) == want, (y, u, s, want)
                self.band[(y, u)] = want
                self.score[(y, u)] = s
                rows.append(dict(year=y, unit_id=u, score=s, band="", source=src))
        for u in UNIT_IDS:
            base_good[u] = self.band[(2018, u)] == TOT
        past = []
        rng = self.score_rng
        for y in (2015, 2016, 2017):
            for u in UNIT_IDS:
                fixed = PAST_FIXED.get((y, u), "draw")
                if fixed is None:
                    continue
                if fixed == "draw":
                    p_tot = 0.65 if base_good[u] else 0.3
                    b = TOT if rng.random() < p_tot else KHA
                    if rng.random() < BAND_ONLY_SHARE[y]:
                        fixed = ("band", self.weighted(BAND_FORMS[b], rng))
                    else:
                        lo, hi = (8520, 9680) if b == TOT else (7110, 8480)
                        fixed = ("score", hundredths(rng.randint(lo, hi)))
                kind, value = fixed
                if kind == "score":
                    self.band[(y, u)] = band_of(value)
                    self.score[(y, u)] = value
                    past.append(dict(year=y, unit_id=u, score=value, band="", source="synthetic"))
                else:
                    folded = next(b for b in BAND_ORDER if nfc(value).strip().casefold() == b.casefold())
                    self.band[(y, u)] = folded
                    self.raw_band[(y, u)] = value
                    past.append(dict(year=y, unit_id=u, score="", band=value, source="synthetic"))
        return past + rows

    def above_90(self, y, below) -> set[str]:
        """The units drawn above 90 in year `y`, so that the year has ABOVE_90[y] of them."""
        if y not in ABOVE_90:
            return set()
        given = {**FIXED_SCORES.get(y, {}), **PUBLISHED_SCORES.get(y, {})}
        known = sum(Decimal(v) > 90 for v in given.values())
        drawn_tot = [u for u in UNIT_IDS if u not in given and below.get(u, TOT) == TOT]
        return set(self.score_rng.sample(drawn_tot, ABOVE_90[y] - known))

    def draw_score(self, y, u, band, taken, above_90=False) -> str:
        g = GROUP[u]
        lo, hi = {TOT: (8510, 9490), KHA: (7150, 8490), TB: (5210, 6880), YEU: (4010, 4890)}[band]
        if y in ABOVE_90 and band == TOT:  # "trên 90%": 90.01 and above
            lo, hi = (9001, 9640) if above_90 else (8510, 9000)
        first = PUBLISHED_FIRSTS.get(y, {}).get(g)
        last = PUBLISHED_LASTS.get(y, {}).get(g)
        if first:  # strictly below the published first of the group
            hi = min(hi, int(Decimal(PUBLISHED_SCORES[y][first]) * 100) - 1)
        if last:  # strictly above the published last
            lo = max(lo, int(Decimal(PUBLISHED_SCORES[y][last]) * 100) + 1)
        assert lo <= hi, (y, u, band, lo, hi)
        while True:
            s = hundredths(self.score_rng.randint(lo, hi))
            if s not in taken:
                return s

    # ---------------------------------------------------------------- dossiers
    def unit_dossiers(self) -> list[dict]:
        rows = []
        self.unit_handled = {}
        base = {}
        for u in UNIT_IDS:
            lo, hi = VOLUME_FIXED.get(u, VOLUME[GROUP[u]])
            base[u] = self.rng.randint(lo, hi)
        for y in YEARS:
            for u in UNIT_IDS:
                if (y, u) in UNIT_DOSSIERS_FIXED:
                    h, late = UNIT_DOSSIERS_FIXED[(y, u)]
                else:
                    h = int(base[u] * (0.85 + 0.3 * self.rng.random()))
                    rate = self.rng.choice([0.0, 0.004, 0.01, 0.02, 0.03, 0.045, 0.06, 0.075])
                    late = int(h * rate)
                    if late * 10 >= h:
                        late = max(0, (h - 1) // 10)
                self.unit_handled[(y, u)] = h
                rows.append(dict(year=y, unit_id=u, handled=h, late=late))
        return rows

    # ---------------------------------------------------------------- officials
    def officials(self):
        roster = {}
        for u in UNIT_IDS:
            roster[u] = dict(
                head=self.new_person(),
                deputies=[self.new_person() for _ in range(self.rng.randint(1, 2))],
                staff=[self.new_person() for _ in range(self.rng.randint(3, 6))],
            )
        off_rows, dos_rows = [], []
        self.heads = {}  # (year, unit) -> official_id
        for y in YEARS:
            for u in UNIT_IDS:
                r = roster[u]
                if y > YEARS[0]:
                    change = HEAD_CHANGES.get((y, u))
                    if change == "promote":
                        r["head"] = r["deputies"].pop(0)
                        r["deputies"].append(self.new_person())
                    elif change == "outside":
                        r["head"] = self.new_person()
                    if self.rng.random() < 0.25:  # staff turnover
                        r["staff"].pop(self.rng.randrange(len(r["staff"])))
                        r["staff"].append(self.new_person())
                    if self.rng.random() < 0.1 and len(r["staff"]) < 6:
                        r["staff"].append(self.new_person())
                self.heads[(y, u)] = r["head"]
                members = [("head", r["head"])]
                members += [("deputy", d) for d in r["deputies"]]
                members += [(i, s) for i, s in enumerate(r["staff"])]
                for who, oid in members:
                    off, dos = self.official_row(y, u, who, oid)
                    off_rows.append(off)
                    if dos is not None:
                        dos_rows.append(dos)
        return off_rows, dos_rows

    def official_row(self, y, u, who, oid):
        if who == "head":
            role = self.weighted(HEAD_ROLES)
            dist = [25, 63, 10, 2]
        elif who == "deputy":
            role = self.weighted(DEPUTY_ROLES)
            dist = [18, 70, 10, 2]
        else:
            role = self.weighted(STAFF_ROLES_SN if GROUP[u] == G_SN else STAFF_ROLES)
            dist = [12, 70, 15, 3]
        level = self.rng.choices([0, 1, 2, 3], weights=dist, k=1)[0]
        fixed = OFFICIAL_FIXED.get((y, u, who), {})
        if who == "head" and (y, u) in HEAD_RATING_FIXED:
            level = HEAD_RATING_FIXED[(y, u)]
        if "level" in fixed:
            level = fixed["level"]
        rating = self.rating_label(y, level)
        if y == 2020 and (u, who) == CROSS_ERA_2020:
            level, rating = 2, CADRE_56[2]
            self.case("cross_era_rating", y, oid, u, rating)
        if (y, u, who) in OFFICIAL_FIXED:
            rating = self.rating_label(y, level, plain=True) if "level" in fixed else rating
        off = dict(
            year=y, official_id=oid, full_name=self.people[oid], unit_id=u, role=role, proposed_rating=rating
        )
        self.proposed_level[(y, oid)] = level
        dos = None
        if fixed:
            dos = dict(year=y, official_id=oid, handled=fixed["handled"], late=fixed["late"])
            self.official_cases.append((y, oid, u, who, fixed, rating))
        elif self.unit_handled[(y, u)] > 0:
            p = {"head": 0.1, "deputy": 0.35}.get(who, 0.85)
            if self.rng.random() < p:
                cap = max(1, min(400, self.unit_handled[(y, u)]))
                h = self.rng.randint(max(1, cap // 8), cap)
                late = int(h * self.rng.choice([0.0, 0.0, 0.01, 0.02, 0.04, 0.06, 0.08]))
                if late * 10 >= h:
                    late = max(0, (h - 1) // 10)
                dos = dict(year=y, official_id=oid, handled=h, late=late)
        return off, dos

    def rating_label(self, y, level, plain=False) -> str:
        canon = CADRE_56 if y <= 2019 else CADRE_90
        abbr = CADRE_ABBR_56 if y <= 2019 else CADRE_ABBR_90
        if plain:
            return canon[level]
        x = self.rng.random()
        if x < 0.78:
            return canon[level]
        if x < 0.92:
            return abbr[level]
        form = self.rng.choice(["lower", "upper", "spaces", "double"])
        s = canon[level]
        if form == "lower":
            return s.lower()
        if form == "upper":
            return s.upper()
        if form == "spaces":
            return f" {s} "
        return s.replace(" ", "  ", 1)

    # ---------------------------------------------------------------- party orgs
    def party_orgs(self) -> list[dict]:
        rows = []
        for y in YEARS:
            for u in UNIT_IDS:
                label = PARTY_FIXED.get((y, u))
                if label is None:
                    if y <= 2017:
                        level = self.rng.choices([0, 1, 2, 3], weights=[42, 48, 8, 2], k=1)[0]
                        label = PARTY_27[level]
                        if level == 0:
                            label = self.weighted([(label, 5), ("TSVM", 2), ("Trong sạch vững mạnh", 2)])
                    else:
                        level = self.rng.choices([0, 1, 2, 3], weights=[20, 64, 14, 2], k=1)[0]
                        label = PARTY_132[level]
                        if self.rng.random() < 0.12:
                            label = CADRE_ABBR_90[level]
                rows.append(
                    dict(year=y, party_org_id=party_org_id(u), unit_id=u, proposed_classification=label)
                )
        return rows

    # ---------------------------------------------------------------- run
    def run(self) -> dict[str, list[dict]]:
        self.proposed_level = {}
        self.official_cases = []
        units = [dict(unit_id=u, unit_name=n, group=g, party_org_id=party_org_id(u)) for u, n, g, _ in UNITS]
        results = self.reform_results()
        unit_dossiers = self.unit_dossiers()
        officials, official_dossiers = self.officials()
        party = self.party_orgs()
        self.check(results, unit_dossiers)
        return dict(
            units=units,
            reform_results=results,
            unit_dossiers=unit_dossiers,
            officials=officials,
            official_dossiers=official_dossiers,
            party_orgs=party,
        )

    def final_band(self, y, u) -> str:
        b = self.band[(y, u)]
        h = self.unit_handled[(y, u)]
        late = self.unit_late[(y, u)]
        if b == TOT and h > 0 and late * 10 >= h:
            return KHA
        return b

    def check(self, results, unit_dossiers) -> None:
        """The invariants the sample promises (published counts after the cap, firsts and lasts)."""
        self.unit_late = {(r["year"], r["unit_id"]): r["late"] for r in unit_dossiers}
        for y, want in PUBLISHED_COUNTS.items():
            got = {b: 0 for b in BAND_ORDER}
            for u in UNIT_IDS:
                got[self.final_band(y, u)] += 1
            assert got == want, (y, got, want)
        for y, groups in PUBLISHED_GROUP_COUNTS.items():
            for g, want in groups.items():
                got = {b: 0 for b in BAND_ORDER}
                for u in UNIT_IDS:
                    if GROUP[u] == g:
                        got[self.final_band(y, u)] += 1
                assert got == want, (y, g, got, want)
        for y, pub in PUBLISHED_SCORES.items():
            for u, s in pub.items():
                assert self.score[(y, u)] == s
        for places, pick in ((PUBLISHED_FIRSTS, max), (PUBLISHED_LASTS, min)):
            for y, groups in places.items():
                for g, u in groups.items():
                    scores = [Decimal(self.score[(y, v)]) for v in UNIT_IDS if GROUP[v] == g]
                    mine = Decimal(self.score[(y, u)])
                    assert pick(scores) == mine and scores.count(mine) == 1, (y, g, u)
        above = {y: sum(Decimal(self.score[(y, u)]) > 90 for u in UNIT_IDS) for y in ABOVE_90}
        assert above == ABOVE_90 and above[2020] - above[2019] == 12, above


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([nfc(str(r[c])) for c in columns])


COLUMNS = {
    "units": ["unit_id", "unit_name", "group", "party_org_id"],
    "reform_results": ["year", "unit_id", "score", "band", "source"],
    "unit_dossiers": ["year", "unit_id", "handled", "late"],
    "officials": ["year", "official_id", "full_name", "unit_id", "role", "proposed_rating"],
    "official_dossiers": ["year", "official_id", "handled", "late"],
    "party_orgs": ["year", "party_org_id", "unit_id", "proposed_classification"],
}


def main() -> None:
    gen = Generator()
    tables = gen.run()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, cols in COLUMNS.items():
        write_csv(OUT / f"{name}.csv", tables[name], cols)
    import sample_indicators

    write_csv(OUT / "indicators.csv", sample_indicators.rows(), sample_indicators.COLUMNS)
    from sample_readme import readme

    (OUT / "README.md").write_text(readme(gen, tables), encoding="utf-8", newline="\n")
    print(f"wrote {len(COLUMNS) + 1} tables and README.md to {OUT}")


if __name__ == "__main__":
    main()
