"""What the province published, as the embedded sample reproduces it, with the source of each figure.

Read by tools/make_sample.py (the sample's units and scores), tools/sample_indicators.py (the
province-level indices) and tools/sample_readme.py (the sources, written into the README). A figure
here is the province's own; everything the generator adds around it is synthetic and says so.
"""

TOT, KHA, TB, YEU = "Tốt", "Khá", "Trung bình", "Yếu"
G_SO, G_DOC, G_HUYEN, G_SN = "Sở, ban, ngành", "Cơ quan ngành dọc", "UBND cấp huyện", "Đơn vị sự nghiệp"

# Where each published figure comes from (written into the README next to the figures).
SOURCES = {
    2018: (
        "Báo Khánh Hòa, «Phê duyệt xếp hạng kết quả cải cách hành chính năm 2018», 11/02/2019",
        "https://baokhanhhoa.vn/phong-su/chung-tay-cai-cach-hanh-chinh/201902/"
        "phe-duyet-xep-hang-ket-qua-cai-cach-hanh-chinh-nam-2018-8105113/",
    ),
    2019: (
        "Báo Khánh Hòa, 15/01/2021 (the 2020 article compares with 2019: 5 more Tốt, 1 fewer Yếu, "
        "12 more units above 90%); the 2019 counts as listed in SPEC §6 (CCHC portal)",
        "https://www.baokhanhhoa.vn/phong-su/chung-tay-cai-cach-hanh-chinh/202101/"
        "ket-qua-xep-hang-cai-cach-hanh-chinh-nam-2020-tang-5-don-vi-xep-hang-tot-8203389/",
    ),
    2020: (
        "Báo Khánh Hòa, «Kết quả xếp hạng cải cách hành chính năm 2020: Tăng 5 đơn vị xếp hạng Tốt», "
        "15/01/2021 (Quyết định 141/QĐ-UBND, 14/01/2021)",
        "https://www.baokhanhhoa.vn/phong-su/chung-tay-cai-cach-hanh-chinh/202101/"
        "ket-qua-xep-hang-cai-cach-hanh-chinh-nam-2020-tang-5-don-vi-xep-hang-tot-8203389/",
    ),
    2021: (
        "Cổng thông tin cải cách hành chính tỉnh Khánh Hòa, «Chỉ số và xếp hạng kết quả thực hiện "
        "công tác cải cách hành chính … năm 2021», 21/02/2022 (Quy chế, Quyết định 4044/QĐ-UBND, 08/11/2021)",
        "https://cchc.khanhhoa.gov.vn/vi/chi-so-cchc-97",
    ),
}
# Published scores (SPEC §6). Everything else is synthetic.
PUBLISHED_SCORES = {
    2018: {
        "SO_TTTT": "95.20",  # first among sở
        "SO_GDDT": "75.71",  # last among sở, Khá
        "NHNN": "91.49",  # first among ngành dọc
        "CA_TINH": "84.00",  # the one Khá of ngành dọc
        "UB_KHANHVINH": "91.31",  # first district
        "UB_VANNINH": "77.15",  # last district, Khá
        "BQLDA_PT": "94.59",  # first among sự nghiệp
        "DH_KHANHHOA": "65.32",  # last among sự nghiệp, Trung bình
    },
    2020: {
        "THANHTRA": "96.86",  # first of each group
        "NHNN": "96.43",
        "UB_KHANHVINH": "91.04",
        "BQLDA_PT": "94.00",
    },
}
PUBLISHED_COUNTS = {
    2018: {TOT: 24, KHA: 18, TB: 2, YEU: 0},
    2019: {TOT: 24, KHA: 19, TB: 0, YEU: 1},
    2020: {TOT: 29, KHA: 11, TB: 4, YEU: 0},
}
# 2018 by group (Báo Khánh Hòa, 11/02/2019).
PUBLISHED_GROUP_COUNTS = {
    2018: {
        G_SO: {TOT: 12, KHA: 9, TB: 0, YEU: 0},
        G_DOC: {TOT: 5, KHA: 1, TB: 0, YEU: 0},
        G_HUYEN: {TOT: 3, KHA: 5, TB: 0, YEU: 0},
        G_SN: {TOT: 4, KHA: 3, TB: 2, YEU: 0},
    }
}
# The first and the last unit of a group, as published: every other unit of the group scores
# strictly between them (the draws are bounded so).
PUBLISHED_FIRSTS = {
    2018: {G_SO: "SO_TTTT", G_DOC: "NHNN", G_HUYEN: "UB_KHANHVINH", G_SN: "BQLDA_PT"},
    2020: {G_SO: "THANHTRA", G_DOC: "NHNN", G_HUYEN: "UB_KHANHVINH", G_SN: "BQLDA_PT"},
}
PUBLISHED_LASTS = {2018: {G_SO: "SO_GDDT", G_HUYEN: "UB_VANNINH", G_SN: "DH_KHANHHOA"}}
# "số lượng đơn vị có chỉ số CCHC đạt trên 90% cũng tăng thêm 12 đơn vị" (2020 against 2019): only
# the difference is published; the two counts are synthetic.
ABOVE_90 = {2019: 8, 2020: 20}
# Published for 2021 but not in the sample, whose years end with the programme's period (2016–2020):
# see the README.
PUBLISHED_2021 = {TOT: 30, KHA: 13, TB: 1, YEU: 0}
