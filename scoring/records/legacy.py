"""Text typed in the old Vietnamese encodings, TCVN3 (ABC) and VNI, recognised in Unicode text.

A sheet typed with a .VnTime (TCVN3) or VNI-Times font stores the font's bytes as Latin-1
letters: TCVN3's «Trường» is «Tr­êng» (ư is a soft hyphen, ờ is ê), VNI's is «Tröôøng» (ư is ö,
the tone a separate letter after the vowel). Read as Unicode it is mojibake that no label matches
and that a document would print as it is. `legacy_encoding` says which encoding a text looks like
and what it reads as once converted, so the message can tell the clerk how to convert the file.

A text is said to be in a legacy encoding only when one of its words with a non-ASCII letter is
no Vietnamese syllable (so Unicode Vietnamese text is never flagged) and, decoded through that
encoding's table, every such word becomes one. A syllable is an initial consonant, a vowel
nucleus and a final consonant of Vietnamese spelling, with at most one tone mark.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd

_BASES = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, grave, acute, hook, tilde, dot
_LOWER = [unicodedata.normalize("NFC", b + t) for b in _BASES for t in _TONES] + ["đ"]
_LETTERS = frozenset(_LOWER) | frozenset(c.upper() for c in _LOWER)

# TCVN 5712:1993 VN3, the code table of the ABC fonts (.VnTime), as glibc's TCVN5712-1 converter
# gives it: each lowercase letter above, then Ă Â Ê Ô Ơ Ư Đ (capitals with a tone have no code
# of their own: ABC types them in the capitals font .VnTimeH, with the lowercase codes).
_TCVN3_CODES = bytes.fromhex(
    "61b5b8b6b7b9a8bbbebcbdc6a9c7cac8c9cb65ccd0cecfd1aad2d5d3d4d669d7ddd8dcde6fdfe3e1e2e4abe5e8e6e7e9"
    "aceaedebecee75eff3f1f2f4adf5f8f6f7f979fafdfbfcfeaea1a2a3a4a5a6a7"
)
_TCVN3 = {
    chr(code): letter
    for code, letter in zip(_TCVN3_CODES, [*_LOWER, *"ĂÂÊÔƠƯĐ"], strict=True)
    if code >= 0x80
}

# VNI Windows: a base letter, then one letter for the hat or horn together with the tone (or the
# tone alone). ơ, ư, đ and the i's are single letters; ỵ too.
_VNI_TONE = dict(zip(_TONES, ("", "ø", "ù", "û", "õ", "ï"), strict=True))
_VNI_HAT_TONE = dict(zip(_TONES, ("â", "à", "á", "å", "ã", "ä"), strict=True))  # â ê ô
_VNI_BREVE_TONE = dict(zip(_TONES, ("ê", "è", "é", "ú", "ü", "ë"), strict=True))  # ă
_VNI_SINGLE = {"ơ": "ô", "ư": "ö", "đ": "ñ", "ỵ": "î"}
_VNI_I = dict(zip(_TONES, ("i", "ì", "í", "æ", "ó", "ò"), strict=True))


def _vni_lower(letter: str) -> str:
    d = unicodedata.normalize("NFD", letter)
    base, marks = d[0], d[1:]
    tone = next((m for m in marks if m in _TONES), "")
    hat = "\u0302" in marks
    breve = "\u0306" in marks
    horn = "\u031b" in marks
    if letter in _VNI_SINGLE:
        return _VNI_SINGLE[letter]
    if base == "i":
        return _VNI_I[tone]
    if horn:
        return _VNI_SINGLE["ơ" if base == "o" else "ư"] + _VNI_TONE[tone]
    if hat:
        return base + _VNI_HAT_TONE[tone]
    if breve:
        return base + _VNI_BREVE_TONE[tone]
    return base + _VNI_TONE[tone]


_VNI = {}
for _letter in _LOWER:
    _code = _vni_lower(_letter)
    if _code != _letter:
        _VNI[_code] = _letter
        _VNI[_code.upper()] = _letter.upper()


def _decode(text: str, table: dict[str, str]) -> str:
    """Longest match first (VNI's letters are one or two characters)."""
    out, i = [], 0
    while i < len(text):
        two = text[i : i + 2]
        if len(two) == 2 and two in table:
            out.append(table[two])
            i += 2
        else:
            out.append(table.get(text[i], text[i]))
            i += 1
    return "".join(out)


_NUCLEI = (
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ "
    "ưa ưi ươ ưu uy yê iêu yêu oai oao oay oeo uây uôi ươi ươu uya uyê uyu"
).split()
_SYLLABLE = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    f"(?:{'|'.join(sorted(_NUCLEI, key=len, reverse=True))})"
    "(?:ch|ng|nh|[cmnpt])?"
)
_TONE_MARKS = frozenset(_TONES[1:])
# A word: a run of ASCII letters and non-ASCII characters (the legacy codes are Latin-1 symbols
# such as the soft hyphen, which must stay inside the word they spoil).
_WORD = re.compile(r"(?:[A-Za-z]|[^\x00-\x7f\s])+")


@functools.lru_cache(maxsize=65536)
def _syllable(word: str) -> bool:
    d = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONE_MARKS for c in d) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONE_MARKS))
    if bare.endswith("oo"):  # "oo" is a nucleus only before a final: xoong, moóc
        return False
    return all(c.isascii() or c in _LETTERS for c in bare) and _SYLLABLE.fullmatch(bare) is not None


def _vietnamese(text: str) -> bool:
    """Every word that has a non-ASCII letter is a Vietnamese syllable."""
    return all(_syllable(w) for w in _WORD.findall(unicodedata.normalize("NFC", text)) if not w.isascii())


# VNI first: its two-letter codes (a vowel, then «ø», «â», «ï» …) hardly occur in TCVN3 text, while
# TCVN3's one-letter codes turn many VNI texts into well-formed but wrong syllables.
ENCODINGS = {"VNI": _VNI, "TCVN3": _TCVN3}
# How to convert, in the clerk's own tool: Unikey's converter names the source tables this way.
SOURCE_NAMES = {"TCVN3": "TCVN3 (ABC)", "VNI": "VNI Windows"}


def conversions(text: str) -> list[tuple[str, str]]:
    """Each (encoding, text decoded through it) that changes the text and reads as Vietnamese.

    No test on the text itself: for a label that no scale knows, a conversion that gives a known
    label says more than any test of spelling ("Khaù" is a well-formed syllable, and VNI's «Khá»).
    """
    out = []
    for name, table in ENCODINGS.items():
        converted = _decode(text, table)
        if converted != text and _vietnamese(converted):
            out.append((name, converted))
    return out


def legacy_encoding(text: str) -> tuple[str, str] | None:
    """(encoding, the text converted) when `text` looks typed in TCVN3 or VNI, else None."""
    if text.isascii() or _vietnamese(text):
        return None
    found = conversions(text)
    return found[0] if found else None


def encode(text: str, encoding: str) -> str:
    """Unicode Vietnamese as it reads once typed in `encoding` (to build test files with)."""
    reverse = {v: k for k, v in ENCODINGS[encoding].items()}
    if encoding == "TCVN3":
        # capitals with a tone are the lowercase code in the capitals font
        return "".join(reverse.get(c, reverse.get(c.lower(), c)) for c in unicodedata.normalize("NFC", text))
    return "".join(reverse.get(c, c) for c in unicodedata.normalize("NFC", text))


def hint(encoding: str, converted: str) -> str:
    """What the message says: which encoding, what it reads as, how to convert it."""
    return (
        f"văn bản có vẻ được gõ bằng bảng mã cũ {SOURCE_NAMES[encoding]}, không phải Unicode "
        f"(chuyển mã thì đọc là «{converted}»). Hãy chuyển tệp sang Unicode: trong Unikey chọn "
        f"«Công cụ chuyển mã» (Ctrl+Shift+F6), bảng mã nguồn {SOURCE_NAMES[encoding]}, bảng mã đích "
        "Unicode, rồi lưu lại"
    )


def suspect_cells(text: pd.Series) -> np.ndarray:
    """Cells with a word that is no Vietnamese syllable: the only ones worth a closer look.

    Vectorised for a million names: Arrow makes the names distinct and splits them into words,
    and only the distinct non-ASCII words (a few thousand in a national register) are spelled out
    in Python.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(text, type=pa.string(), from_pandas=True)
    names = pc.unique(arr)
    words = pc.utf8_split_whitespace(names)
    flat = pc.list_flatten(words)
    bad = [w for w in pc.unique(flat).to_pylist() if w and not w.isascii() and not _vietnamese(w)]
    if not bad:
        return np.zeros(len(text), dtype=bool)
    hit = np.asarray(pc.is_in(flat, pa.array(bad, type=pa.string())), dtype=bool)
    suspects = pc.take(names, np.unique(np.asarray(pc.list_parent_indices(words))[hit]))
    return np.asarray(pc.fill_null(pc.is_in(arr, suspects), False), dtype=bool)


def legacy_cells(text: pd.Series, known=None) -> dict[str, tuple[np.ndarray, str]]:
    """Cells that look typed in TCVN3 or VNI: per encoding, their mask and one of them converted.

    `known`, for a label column, says whether a converted text is a known label: then a cell whose
    conversion is a known label is caught even when it reads as a well-formed syllable itself.
    """
    suspect = suspect_cells(text)
    if known is None and not suspect.any():
        return {}
    codes, uniques = pd.factorize(text)
    candidates = set(np.unique(codes[suspect]).tolist())
    if known is not None:
        candidates |= {k for k, u in enumerate(uniques) if u and not u.isascii()}
    by_encoding: dict[str, tuple[list[int], str]] = {}
    for k in sorted(candidates):
        u = uniques[k]
        found = next(((e, c) for e, c in conversions(u) if known(c)), None) if known is not None else None
        found = found or legacy_encoding(u)
        if found:
            by_encoding.setdefault(found[0], ([], found[1]))[0].append(k)
    return {e: (np.isin(codes, ks), example) for e, (ks, example) in by_encoding.items()}
