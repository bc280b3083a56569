"""The annex's content model: what the document says, with no notion of HTML or Word.

Plain frozen dataclasses, built once from an Evaluation (`scoring.annex.content`) and
rendered by each view: HTML through the Jinja2 templates of `scoring/templates/` (and from
there to PDF), Word through python-docx (`scoring.annex.word`). Every cell is text as it
prints (numbers already with the decimal comma, dates already in words); a line break
inside a cell is "\\n".

A `Section` is also the hook for other modules: the programme monitor, the reform index's
margins or the dossier ledger's findings hand over a Section (title, basis, intro, tables,
notes) and the document numbers and prints it like its own (see `scoring.annex.content`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

DOTS = "…"  # a blank field, left for the clerk to fill in
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def roman(n: int) -> str:
    """1 -> 'I': section numbers as Party documents write them."""
    return ROMAN[n - 1]


def curly(text: str) -> str:
    """Straight double quotes and «guillemets» as typographic quotes: "x" -> “x”."""
    text = re.sub(r'"([^"]*)"', "“\\1”", str(text))
    return text.replace("«", "“").replace("»", "”")


def parse_date(text: str | dt.date | None, what: str) -> dt.date | None:
    """A date as a clerk types it (2021-02-05, 5/2/2021, 05-02-2021); blank or dots -> None."""
    if isinstance(text, dt.date):
        return text
    text = (text or "").strip()
    if not text or set(text) <= {".", DOTS, " "}:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"{what}: “{text}” không phải ngày hợp lệ (cần dạng 2021-02-05 hoặc 05/02/2021).")


def date_words(d: dt.date | None) -> str:
    """'ngày 05 tháng 02 năm 2021', 'ngày 15 tháng 3 năm 2021'; None -> 'ngày … tháng … năm …'.

    As Party and state documents write dates: a day below 10 and the months 1 and 2 take a
    leading zero (so that nothing can be added before them by hand), the other months none.
    """
    if d is None:
        return f"ngày {DOTS} tháng {DOTS} năm {DOTS}"
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


_SLASHED_DATE = re.compile(r"\b(?:ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})\b")


def dates_in_words(text: str) -> str:
    """'Báo Khánh Hòa, 11/02/2019' -> 'Báo Khánh Hòa, ngày 11 tháng 02 năm 2019': text quoted
    from the criteria prints its dates in the document's one form."""

    def words(m: re.Match) -> str:
        try:
            return date_words(dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        except ValueError:  # not a date after all: leave it as written
            return m.group(0)

    return _SLASHED_DATE.sub(words, str(text))


def lines(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """A multi-line field from a list, or from text with one line per ';' or newline."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = re.split(r"[;\n]", value)
    return tuple(s.strip() for s in value if s and s.strip())


# ---------------------------------------------------------------------------------------
# Header, signature, recipients: the parts of a Party document (Hướng dẫn 36-HD/VPTW)

DEFAULT_ISSUER = ("TỈNH ỦY KHÁNH HÒA", "BAN TỔ CHỨC")
DEFAULT_SIGNER_TITLE = ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")
DEFAULT_RECIPIENTS = (
    "Thường trực Tỉnh ủy (để báo cáo)",
    "Sở Nội vụ",
    "Các cơ quan, đơn vị có tên trong phụ lục",
    "Lưu Văn phòng Ban",
)


@dataclass(frozen=True)
class HeaderFields:
    """The fields a clerk fills in (SPEC §4). Each is a CLI option and a notebook parameter.

    `issuer`, `signer_title` and `recipients` are lines (a list, or text with one line per
    ';'); `date` is the date of the report the annex goes with, which is also the document's
    own date; a blank number, date or signer's name prints as dots for the clerk.
    """

    issuer: tuple[str, ...] = DEFAULT_ISSUER  # the superior body first, the issuing body last
    number: str = ""  # số of the report: "15" -> "Số 15-BC/BTCTU"; blank -> "Số …-BC/BTCTU"
    symbol: str = "BC/BTCTU"  # ký hiệu: kind of document / issuing body
    date: str = ""  # 2021-02-05 or 05/02/2021; blank -> "ngày … tháng … năm …"
    place: str = "Khánh Hòa"
    party: str = "ĐẢNG CỘNG SẢN VIỆT NAM"
    report_kind: str = "Báo cáo"
    report_issuer: str = "Ban Tổ chức Tỉnh ủy"
    signer_title: tuple[str, ...] = DEFAULT_SIGNER_TITLE
    signer_name: str = ""
    recipients: tuple[str, ...] = DEFAULT_RECIPIENTS

    def __post_init__(self):
        for name in ("issuer", "signer_title", "recipients"):
            object.__setattr__(self, name, lines(getattr(self, name)))
        for name in ("number", "symbol", "date", "place", "signer_name"):
            object.__setattr__(self, name, str(getattr(self, name) or "").strip())
        if not self.issuer:
            object.__setattr__(self, "issuer", DEFAULT_ISSUER)
        if not self.signer_title:
            object.__setattr__(self, "signer_title", DEFAULT_SIGNER_TITLE)
        if not self.recipients:
            object.__setattr__(self, "recipients", DEFAULT_RECIPIENTS)
        parse_date(self.date, "Ngày của văn bản")

    @classmethod
    def from_params(cls, **params: Any) -> HeaderFields:
        """From notebook or command-line parameters; None (not given) and unknown names are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in params.items() if k in known and v is not None})

    def as_params(self) -> dict[str, Any]:
        """The fields as notebook parameters (lists for the multi-line ones)."""
        return {
            f.name: list(v) if isinstance(v, tuple) else v
            for f in fields(self)
            for v in [getattr(self, f.name)]
        }

    def number_line(self) -> str:
        """'Số 15-BC/BTCTU' (Party documents: no colon, a hyphen before the symbol)."""
        if "/" in self.number:  # the whole number and symbol given: "15-BC/BTCTU"
            return f"Số {self.number}"
        return f"Số {self.number or DOTS}-{self.symbol}"

    def place_date(self) -> str:
        """'Khánh Hòa, ngày 05 tháng 02 năm 2021'."""
        return f"{self.place}, {date_words(parse_date(self.date, 'Ngày của văn bản'))}"

    def attachment(self) -> str:
        """'(Kèm theo Báo cáo số 15-BC/BTCTU, ngày 05 tháng 02 năm 2021 của Ban Tổ chức Tỉnh ủy)'."""
        number = self.number_line().removeprefix("Số ")
        d = parse_date(self.date, "Ngày của văn bản")
        return f"(Kèm theo {self.report_kind} số {number}, {date_words(d)} của {self.report_issuer})"


# ---------------------------------------------------------------------------------------
# The body


@dataclass(frozen=True)
class Column:
    """A table column: its header, alignment (l, c, r), share of the width, and whether its
    cells may wrap (a band such as "Trung bình" or a figure such as "101/1.000" never does)."""

    header: str
    align: str = "l"
    width: float = 1.0
    nowrap: bool = False


@dataclass(frozen=True)
class Table:
    """Rows of cell text under named columns; the first column is usually STT."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""  # printed above the table, kept with it

    def __post_init__(self):
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"a row of {len(row)} cells under {len(self.columns)} columns: {row!r}")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def frame(self) -> pd.DataFrame:
        """The table for a notebook: STT as the index, a cell's lines joined with '; '."""
        df = pd.DataFrame(
            [[c.replace("\n", "; ") for c in r] for r in self.rows], columns=self.headers, dtype=object
        )
        if self.headers and self.headers[0] == "STT":
            df = df.set_index("STT")
            df.index = pd.RangeIndex(1, len(df) + 1, name="STT")
        return df


@dataclass(frozen=True)
class Basis:
    """'Căn cứ: mục II.4 <programme>: “quote”' — the clause a section rests on; several clauses
    ("I.2, II.1") and no quote give 'Căn cứ: các mục I.2, II.1 <programme>'."""

    clause: str
    source: str
    quote: str = ""

    @property
    def lead(self) -> str:
        which = "các mục" if "," in self.clause else "mục"
        return f"Căn cứ: {which} {self.clause} {self.source}" + (": " if self.quote else "")

    @property
    def text(self) -> str:
        return f"{self.lead}“{self.quote}”" if self.quote else self.lead


@dataclass(frozen=True)
class Figure:
    """A chart as PNG bytes, with its caption."""

    png: bytes
    caption: str
    width_mm: float = 165.0
    height_mm: float = 100.0


@dataclass(frozen=True)
class Section:
    """One part of the annex. The document numbers it (I, II, …) in the order given.

    `key` names it for tests and cross-references; `landscape` prints it on landscape pages
    (its tables are wide); a section with no table and `empty` set prints that sentence.
    """

    key: str
    title: str
    basis: tuple[Basis, ...] = ()
    intro: str = ""
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    empty: str = "Không có trường hợp nào."
    landscape: bool = False
    numbered: bool = True


@dataclass(frozen=True)
class Document:
    """The whole annex, as every renderer receives it."""

    header: HeaderFields
    title: str
    subtitle: tuple[str, ...]
    sections: tuple[Section, ...]
    banner: str = ""  # a scenario says so under the title
    reference: str = ""  # the one-line footer: version and the input digest
    lang: str = "vi"
    meta: dict = field(default_factory=dict, compare=False)

    def numbered(self) -> list[tuple[str, Section]]:
        """(numeral or '', section) in print order: I, II, … for numbered sections."""
        out, n = [], 0
        for s in self.sections:
            if s.numbered:
                n += 1
            out.append((roman(n) if s.numbered else "", s))
        return out

    def numeral(self, key: str) -> str:
        return dict((s.key, num) for num, s in self.numbered())[key]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]
