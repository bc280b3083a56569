"""Vietnamese alphabetical order, as Vietnamese lists and dictionaries sort.

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (plus f, j, w, z in
foreign words, placed as in Latin). Words compare letter by letter on the base letters first;
only where the letters are equal do the tones decide, in the order ngang, huyền, hỏi, ngã, sắc,
nặng (a à ả ã á ạ). Case matters last. Code-point order, where Đ sorts after Z and "Ánh" after
"Yến", is never what a Board staffer expects.

People are listed by given name (the last word), then family name (the first word), then the
middle names, as Vietnamese name lists are ordered.
"""

from __future__ import annotations

import unicodedata

# Letters of the alphabet in order; a letter with a modifier (breve, circumflex, horn) is its own
# letter, right after its base.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
# Tones: none, huyền (grave), hỏi (hook above), ngã (tilde), sắc (acute), nặng (dot below).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_OTHER = len(_ALPHABET)  # digits, punctuation and other scripts: after the letters, by code point


def _letters(word: str) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """(letter ranks, tones, case) of one text, letter by letter."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    cases: list[int] = []
    for ch in unicodedata.normalize("NFC", word):
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _MODIFIERS))
        lower = letter.lower()
        if lower in _RANK:
            letters.append((_RANK[lower], 0))
        else:
            letters.append((_OTHER, ord(lower)))
        tones.append(tone)
        cases.append(0 if letter == lower else 1)
    return letters, tones, cases


def sort_key(text: object) -> tuple:
    """A key that sorts texts in Vietnamese alphabetical order (`sorted(names, key=sort_key)`)."""
    if text is None or (isinstance(text, float) and text != text):
        return ((), (), (), "")
    s = " ".join(str(text).split())
    words = [_letters(w) for w in s.split(" ")]
    # words first (so "An Bình" < "Anh"), letters before tones before case
    primary = tuple(tuple(w[0]) for w in words)
    secondary = tuple(tuple(w[1]) for w in words)
    tertiary = tuple(tuple(w[2]) for w in words)
    return (primary, secondary, tertiary, s)


def person_key(full_name: object) -> tuple:
    """Given name, then family name, then middle names: "Nguyễn Văn An" sorts under A."""
    words = str(full_name or "").split()
    if not words:
        return (sort_key(""),)
    given, family, middle = words[-1], words[0] if len(words) > 1 else "", " ".join(words[1:-1])
    return (sort_key(given), sort_key(family), sort_key(middle))


def sorted_names(names, person: bool = False) -> list:
    """`names` in Vietnamese order (people by given name when `person`)."""
    return sorted(names, key=person_key if person else sort_key)
