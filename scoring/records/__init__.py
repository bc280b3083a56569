"""The six input tables of SPEC §3: found, read, validated and typed.

Every problem of every table is collected in one pass and reported together, in Vietnamese,
with the file, the row as the user sees it, the column, the value and what was expected.
Nothing here changes an input file: each file is read once, as bytes, and its SHA-256 is taken
of exactly those bytes.

Rows "as seen in the file": in a CSV file and in an Excel sheet the header is row 1 and blank
lines count (a blank line is not a record, but the rows after it keep the number Excel shows);
a value spanning two lines inside quotes is one row, as in Excel. A sheet whose header is not
in row 1 is read from its first non-empty row, numbered as in the sheet. Parquet has no
header row: row 1 is the first record.

What is checked (every kind of problem in one pass; at most MAX_ROWS_PER_PROBLEM rows are
listed per file, column and kind, then a count of the rest):

- the file: empty; not UTF-8 (a Windows-1258, TCVN3 or UTF-16 export: a hint how to re-save
  it, never a traceback); not parseable (a row with more fields than the header);
- the header: a required column missing (with the likely misspelt one, "unit_idd" → unit_id);
  a column given twice; a required table missing; a required table with a header and no rows
  (an optional table with no rows is read as no data, and the run says so);
- cells: a year that is not an integer in 1900–2100; a count that is not a non-negative
  integer; a score that is not a number in 0–100; a blank id, name, group or role; a rating,
  classification, band or role label that no scale of any era knows (the accepted ones are
  listed); a result row with neither score nor band; `late > handled`;
- keys: a unit twice; an official, a unit's result, a unit's or an official's dossier counts,
  a party organisation twice in a year (rows whose key cells are themselves invalid are not
  compared, so one bad year does not also read as a duplicate);
- references: a unit id in any table that `units` does not list; an official id in
  `official_dossiers` that `officials` does not list for that year; a party organisation id in
  `units.party_org_id` that `party_orgs` never lists, or that `party_orgs` attaches to a
  different unit. `units.party_org_id` is optional and only cross-checked when `party_orgs` is
  given and has rows: without it there is nothing to check against (the run already says the
  table is missing, or empty). `party_orgs` is what the rules use (each year's row names its unit); the column
  in `units` is a declaration that must agree with it, so a typo in either is caught.

Numbers: CSV exported by Excel under Vietnamese regional settings uses `;` between fields, a
decimal comma and `.` between thousands ("1.234" handled dossiers). In a `;` file "1.234" is
read as 1234; in a `,` file it is ambiguous (one thousand two hundred, or one point two) and
reported. Integers written with zero decimals ("2018.0", "12,0") are accepted. A score may
carry a trailing "%". A group name that the criteria do not list is kept as written (it ranks
as a group of its own, as the criteria file says) and the run notes it, with the closest
known group, since it is often a misspelling.

Why hand-written vectorised checks and not pandera. Measured with pandera 0.35 and pandas 3.1
on the national synthetic set (`python -m scoring synth`: 1,090,000 officials, 817,317 official
dossiers, 100,000 rows in each of reform_results, unit_dossiers and party_orgs, 10,000 units),
medians of 5 runs on a shared machine: pandera works with pandas 3, and its lazy
`failure_cases` carry the frame index, so our messages could be built from them. But it only
checks: the typed values (level codes, hundredths of a score, integer counts) still have to be
parsed, and our parser already yields the mask of bad cells, so pandera is a second pass over
the same strings. The column-level checks written as pandera schemas (year/count regexes or
ranges, non-blank ids, scores and labels through our own parsers as custom checks, key
uniqueness, late <= handled) took 1.3 s on Parquet and 1.4 s on CSV with valid data, 1.9 s and
2.7 s with 1,090 bad cells (failure cases are collected row by row), against 0.9–1.1 s for all
of this module's per-table work (parse, type and check); the whole load_records takes
1.5–3 s (Parquet) and 2.5–3.2 s (CSV). `import pandera.pandas` adds 0.6 s to every run of
the command line. SPEC §5 wants the national set evaluated in under 10 s, evaluating costing no
more than loading; doubling the validation step for no check we do not already have is not
worth it, and labels, ids and keys need our folding, joint key codes and Vietnamese wording
anyway. So the checks stay here, vectorised: string columns stay Arrow-backed, labels and
scores are parsed once per distinct value, ids become integer codes once per key space, and
values are materialised only for the rows that are reported.

Spreadsheets and legacy files (docs/input.md): a workbook cell is read as the clerk sees it (a
percent-formatted score is the percentage shown; a number at the significant digits a spreadsheet
shows, the reading `binary_score_significant_digits`; a date as dd/mm/yyyy); Excel 97-2003 .xls
is read; refused with the cell named: a formula with no saved value, merged cells over the rows,
TCVN3 or VNI text in names and labels (with how to convert it), digits other than 0-9, counts
above MAX_COUNT (10^12) in any format, scores between 0 and 1 beside scores out of 100; a
`reform_results` table without the evaluated year. Files that cannot be read (permissions, a
folder or a broken link named like a table, a corrupt workbook) are named, never a traceback.

The package, one job per module, in the order they build on each other:

    schema.py      the tables, their columns, kinds and keys; their empty typed form
    problems.py    Problem, ValidationError, how problems are collected and ordered
    files.py       each file's bytes read once (Parquet memory-mapped) and their SHA-256
    parse.py       parsing values: integers, scores, labels (once per distinct value)
    sheets.py      a workbook sheet (.xlsx, .xls) as the clerk sees it
    legacy.py      TCVN3 (ABC) and VNI text recognised in Unicode text
    sources.py     finding the files (a folder, a workbook)
    read.py        reading one table as text with its rows as seen in the file
    cells.py       one table typed and checked cell by cell
    references.py  keys and references across tables
    years.py       what evaluating one year needs, and what the run says about it
    container.py   Records, the validated result
    load.py        load_records
"""

from .container import Records
from .files import Source
from .load import load_records
from .problems import Problem, ValidationError
from .schema import (
    EXTRA_TABLES,
    KEYS,
    MAX_ROWS_PER_PROBLEM,
    OPTIONAL_EFFECT,
    REQUIRED_TABLES,
    SCHEMAS,
    TABLE_NAMES,
    YEAR_RANGE,
    Col,
)
from .years import year_notes, year_problems

__all__ = [
    "EXTRA_TABLES",
    "KEYS",
    "MAX_ROWS_PER_PROBLEM",
    "OPTIONAL_EFFECT",
    "REQUIRED_TABLES",
    "SCHEMAS",
    "TABLE_NAMES",
    "YEAR_RANGE",
    "Col",
    "Problem",
    "Records",
    "Source",
    "ValidationError",
    "load_records",
    "year_notes",
    "year_problems",
]
