"""Vietnamese alphabetical order: letters first (a ă â … đ after d), then tones, never code points."""

from __future__ import annotations

import unicodedata

from scoring.vietnamese import person_key, sort_key, sorted_names


def test_d_stroke_sorts_after_d_not_after_z():
    assert sorted_names(["Đà Lạt", "Yên Bái", "Diên Khánh", "Ánh"]) == [
        "Ánh",
        "Diên Khánh",
        "Đà Lạt",
        "Yên Bái",
    ]


def test_letters_with_modifiers_follow_their_base():
    assert sorted_names(["ô", "o", "ơ", "â", "a", "ă", "ư", "u", "ê", "e"]) == [
        "a",
        "ă",
        "â",
        "e",
        "ê",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
    ]


def test_tones_in_dictionary_order_after_the_letters():
    # ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted_names(["ạ", "á", "ã", "ả", "à", "a"]) == ["a", "à", "ả", "ã", "á", "ạ"]
    # the letters decide before any tone: "án" < "ba" though á carries a tone
    assert sorted_names(["ba", "án"]) == ["án", "ba"]


def test_word_by_word_and_case_last():
    assert sorted_names(["Anh", "An Bình"]) == ["An Bình", "Anh"]
    assert sort_key("an") < sort_key("An")


def test_nfc_and_nfd_forms_sort_together():
    nfd = unicodedata.normalize("NFD", "Trường")
    assert sort_key(nfd)[:3] == sort_key("Trường")[:3]


def test_people_by_given_name_then_family_name():
    people = ["Trần Văn Bình", "Nguyễn Thị An", "Lê An", "Đặng Quốc Bình"]
    assert sorted_names(people, person=True) == ["Lê An", "Nguyễn Thị An", "Đặng Quốc Bình", "Trần Văn Bình"]
    assert person_key("") < person_key("Lê An")
