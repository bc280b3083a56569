"""The command line: `python -m scoring evaluate DATA --year YEAR --out OUTDIR`, and friends.

Exit status: 0 done; 2 invalid input or usage (every problem listed, nothing written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .console import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_WRITE_FAILED,
    check_out,
    never_a_traceback,
    typed_words,
    vietnamese_argparse,
    write_failure,
)
from .criteria import CriteriaError, load_criteria
from .records import ValidationError, load_records


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as invalid input does
        self.print_usage(sys.stderr)
        print(f"Lỗi cách dùng: {typed_words(message)}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)


def _overrides(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise CriteriaError(f"--set cần dạng tên=giá_trị, nhận được «{pair}»")
        k, v = pair.split("=", 1)
        out[k.strip()] = v.strip()
    return out


CSV_DIALECT_OPTION = {
    "choices": ["standard", "vn"],
    "default": "standard",
    "help": "standard: dấu phẩy, dấu chấm thập phân (cho chương trình khác); "
    "vn: dấu chấm phẩy, dấu phẩy thập phân (mở bằng Excel cài đặt vùng Việt Nam)",
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, the index, ledger and monitor subcommands are built only when asked
    for.

    Building the index's parser imports scipy (its odds), which costs more CPU than pandas
    itself: an `evaluate` run should not pay it (issue 12 §1). A help request or an unknown
    command still gets every subcommand.
    """
    p = _Parser(
        prog="python -m scoring", description="Chương trình hành động CCHC Khánh Hòa — đánh giá theo năm."
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ev = sub.add_parser("evaluate", help="áp dụng các quy tắc cho một năm và ghi kết quả")
    ev.add_argument("data", help="thư mục các tệp CSV/Parquet, hoặc tệp .xlsx (mỗi bảng một trang)")
    ev.add_argument("--year", type=int, required=True, help="năm đánh giá")
    ev.add_argument("--out", required=True, help="thư mục ghi kết quả")
    ev.add_argument("--criteria", default=None, help="tệp tiêu chí (mặc định: criteria/khanh-hoa-2017.yaml)")
    ev.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="TÊN=GIÁ_TRỊ",
        help="thay đổi một tham số (what-if); lặp lại được",
    )
    ev.add_argument("--format", choices=["csv", "parquet"], default="csv", help="định dạng bảng kết quả")
    ev.add_argument(
        "--max-spreadsheet-rows",
        type=_spreadsheet_rows,
        default=100_000,
        help="giới hạn số dòng để ghi decisions.xlsx (tối đa 1.048.575)",
    )
    ev.add_argument("--quiet", action="store_true", help="không in tóm tắt")
    ev.add_argument("--csv-dialect", **CSV_DIALECT_OPTION)

    tp = sub.add_parser("template", help="ghi tệp Excel mẫu (trống) để nhập số liệu, có danh sách chọn")
    tp.add_argument("file", help="tệp .xlsx sẽ ghi")
    tp.add_argument("--criteria", default=None, help="tệp tiêu chí (mặc định: criteria/khanh-hoa-2017.yaml)")
    tp.add_argument("--force", action="store_true", help="ghi đè tệp đã có")

    sm = sub.add_parser("sample", help="ghi bộ dữ liệu mẫu Khánh Hòa (CSV) ra một thư mục")
    sm.add_argument("dir")
    sm.add_argument(
        "--with-ledger",
        action="store_true",
        help="kèm sổ theo dõi hồ sơ một cửa năm 2020 (giả lập, CSV khoảng 11 MB) khớp số liệu tổng hợp",
    )
    sm.add_argument("--force", action="store_true", help="ghi đè các tệp cùng tên đã có trong thư mục")

    sy = sub.add_parser("synth", help="sinh bộ dữ liệu tổng hợp (giả lập) quy mô lớn để đo tốc độ")
    sy.add_argument("dir")
    sy.add_argument("--units", type=int, default=10_000)
    sy.add_argument("--officials", type=int, default=1_000_000)
    sy.add_argument("--years", type=int, default=10)
    sy.add_argument("--seed", type=int, default=0)
    sy.add_argument("--last-year", type=int, default=2020)
    sy.add_argument("--format", choices=["parquet", "csv", "xlsx"], default="parquet")
    sy.add_argument("--index", action="store_true", help="thêm điểm tiêu chí (giả lập) của năm cuối")
    sy.add_argument("--dossiers", type=int, default=0, help="số hồ sơ của sổ theo dõi năm cuối (Parquet)")
    sy.add_argument("--steps-per-dossier", type=int, default=3, help="số bước xử lý mỗi hồ sơ")

    ex = sub.add_parser(
        "explain", help="giải thích các quyết định đối với một đơn vị, cán bộ hoặc tổ chức đảng"
    )
    ex.add_argument("data")
    ex.add_argument("--year", type=int, required=True)
    ex.add_argument("--id", required=True, help="mã đơn vị, cán bộ hoặc tổ chức đảng")
    ex.add_argument("--criteria", default=None)
    ex.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ")

    wi = sub.add_parser(
        "whatif", help="tính một kịch bản (tham số khác, điểm sửa) và so sánh với phương án gốc"
    )
    wi.add_argument("data", help="thư mục các tệp CSV/Parquet, hoặc tệp .xlsx (mỗi bảng một trang)")
    wi.add_argument("--year", type=int, required=True, help="năm đánh giá")
    wi.add_argument("--out", required=True, help="thư mục ghi kết quả của kịch bản")
    wi.add_argument("--criteria", default=None, help="tệp tiêu chí (mặc định: criteria/khanh-hoa-2017.yaml)")
    wi.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ", help="thay đổi một tham số")
    wi.add_argument(
        "--correct",
        action="append",
        default=[],
        metavar="MÃ_ĐƠN_VỊ=ĐIỂM",
        help="sửa điểm thẩm định của một đơn vị năm đánh giá (MÃ:NĂM=ĐIỂM cho năm khác); lặp lại được",
    )
    wi.add_argument("--name", default="kịch bản", help="tên kịch bản (ghi vào manifest và tệp Excel)")
    wi.add_argument("--quiet", action="store_true", help="không in tóm tắt")
    wi.add_argument("--csv-dialect", **CSV_DIALECT_OPTION)

    an = sub.add_parser(
        "annex",
        help="xuất phụ lục xếp hạng (HTML, PDF khổ A4, Word) cho một năm",
        description="Xuất phụ lục kết quả xếp hạng cải cách hành chính của một năm, trình bày theo "
        "Hướng dẫn 36-HD/VPTW: annex.html, annex.pdf, bản Word annex.docx và trang thông tin kiểm tra.",
    )
    an.add_argument("data", help="thư mục các tệp CSV/Parquet, hoặc tệp .xlsx (mỗi bảng một trang)")
    an.add_argument("--year", type=int, required=True, help="năm đánh giá")
    an.add_argument(
        "--out", required=True, help="thư mục ghi annex.html, annex.pdf, annex.docx, manifest.json"
    )
    an.add_argument("--criteria", default=None, help="tệp tiêu chí (mặc định: criteria/khanh-hoa-2017.yaml)")
    an.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ", help="thay đổi một tham số")
    an.add_argument(
        "--correct",
        action="append",
        default=[],
        metavar="MÃ_ĐƠN_VỊ=ĐIỂM",
        help="sửa điểm thẩm định của một đơn vị (MÃ:NĂM=ĐIỂM cho năm khác); lặp lại được",
    )
    an.add_argument(
        "--name", default=None, metavar="TÊN", help="tên phương án (ghi ở trang thông tin kiểm tra)"
    )
    # the document's fields (Hướng dẫn 36-HD/VPTW); several lines are separated by ";"
    for flag, metavar, text in [
        ("--number", "SỐ", "số của báo cáo kèm theo: 15 → “Số 15-BC/BTCTU”; để trống: …"),
        ("--date", "NGÀY", "ngày của báo cáo (2021-02-05 hoặc 05/02/2021); để trống: ngày … tháng … năm …"),
        (
            "--issuer",
            "CƠ_QUAN",
            "cơ quan ban hành, mỗi dòng cách nhau bằng “;” (mặc định: TỈNH ỦY KHÁNH HÒA; BAN TỔ CHỨC)",
        ),
        ("--symbol", "KÝ_HIỆU", "ký hiệu sau số (mặc định: BC/BTCTU)"),
        (
            "--signer-title",
            "CHỨC_VỤ",
            "quyền hạn, chức vụ người ký (mặc định: K/T TRƯỞNG BAN; PHÓ TRƯỞNG BAN)",
        ),
        ("--signer-name", "HỌ_TÊN", "họ và tên người ký; để trống: …"),
        (
            "--recipients",
            "NƠI_NHẬN",
            "nơi nhận, mỗi nơi cách nhau bằng “;” (mặc định: danh sách thường dùng)",
        ),
    ]:
        an.add_argument(flag, default=None, metavar=metavar, help=text)
    an.add_argument(
        "--section", action="append", default=[], metavar="TÊN", help="thêm một phần bổ sung; lặp lại được"
    )
    an.add_argument(
        "--with-verification-page",
        action="store_true",
        help="in thông tin kiểm tra làm trang cuối của annex.pdf (mặc định: tệp annex-verification.pdf riêng)",
    )
    an.add_argument("--no-pdf", action="store_true", help="không xuất PDF (chỉ HTML và Word)")

    wanted = _asked_command(argv, set(sub.choices))
    if wanted in (None, "index"):
        from .index.command import add_parser as add_index_parser  # the reform index (scoring/index)

        add_index_parser(sub)
    if wanted in (None, "ledger"):
        from .ledger.command import add_parser as add_ledger_parser  # the dossier ledger (scoring/ledger)

        add_ledger_parser(sub, "thay đổi một tham số (cách đọc sổ theo dõi hồ sơ); lặp lại được")
    if wanted in (None, "monitor"):
        from .monitor.command import add_parser as add_monitor_parser  # the programme's commitments

        add_monitor_parser(sub)
    return p


LAZY_COMMANDS = ("index", "monitor", "ledger")  # parsers built only when asked for


def _asked_command(argv: list[str] | None, built: set[str]) -> str | None:
    """The subcommand named first on the command line when it is one already built, else None."""
    for arg in argv or []:
        if not arg.startswith("-"):
            return arg if arg in built or arg in LAZY_COMMANDS else None
        if arg in ("-h", "--help"):  # the top-level help lists every subcommand
            return None
    return None


def _spreadsheet_rows(text: str) -> int:
    from .export import check_spreadsheet_rows

    try:
        return check_spreadsheet_rows(int(text))
    except ValueError as exc:
        why = str(exc) if text.strip().lstrip("-").isdigit() else "cần một số nguyên"
        raise argparse.ArgumentTypeError(why) from None


@never_a_traceback
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with vietnamese_argparse():
        args = build_parser(argv).parse_args(argv)
    out = getattr(args, "out", None) or getattr(args, "dir", None)
    if out is not None:
        check_out(out)  # an output path that is a file: exit 2 before any work
    try:
        if args.command == "sample":
            from .sample import SampleExists, write_sample

            try:
                extra = None
                if args.with_ledger:  # generated, not shipped (scoring.ledger.sample)
                    from .ledger.sample import sample_ledger_files

                    extra = sample_ledger_files()
                written = write_sample(args.dir, force=args.force, extra=extra)
            except SampleExists as exc:
                print(str(exc), file=sys.stderr)
                return EXIT_INVALID
            for path in written:
                print(path)
            return EXIT_OK
        if args.command == "synth":
            from .synth import generate, write
            from .synth_limits import size_problems

            first = args.last_year - args.years + 1
            problems = size_problems(args.units, args.officials, args.years, first, args.format, args.dir)
            if problems:
                print("\n".join(problems), file=sys.stderr)
                return EXIT_INVALID
            tables = generate(
                args.units, args.officials, args.years, args.seed, first_year=first, index=args.index
            )
            if args.dossiers:  # the ledger of the last year replaces its recorded counts (scoring.ledger)
                from .ledger.synth import without_recorded_year, write_ledger

                tables = without_recorded_year(tables, args.last_year)
                write_ledger(args.dir, tables, args.dossiers, args.seed, args.steps_per_dossier)
            for path in write(tables, args.dir, args.format):
                print(path)
            return EXIT_OK
        if args.command == "whatif":
            return _whatif(args)
        if args.command == "template":
            return _template(args)
        if args.command == "annex":
            return _annex(args)
        if args.command == "ledger":
            from .ledger.command import run as run_ledger

            return run_ledger(args, _overrides(args.set))
        if args.command == "index":
            from .index.command import main as index_main

            return index_main(args)
        if args.command == "monitor":
            from .monitor.command import run as run_monitor

            return run_monitor(args)
        crit = load_criteria(args.criteria).with_overrides(_overrides(args.set))
        records = load_records(args.data, crit, year=args.year)
        from .evaluate import evaluate

        ev = evaluate(records, args.year, crit)
    except (ValidationError, CriteriaError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    if args.command == "explain":
        if not _known_subject(ev, args.id):  # a mistyped id is a usage error, not an answer
            print(ev.explain(args.id), file=sys.stderr)
            return EXIT_INVALID
        print(ev.explain(args.id))
        return EXIT_OK
    from .export import write_outputs

    try:
        notices = write_outputs(
            ev,
            Path(args.out),
            fmt=args.format,
            max_spreadsheet_rows=args.max_spreadsheet_rows,
            on_wait=_waiting,
            csv_dialect=args.csv_dialect,
        )
    except OSError as exc:  # disk full, no permission: nothing half-written is left behind
        return write_failure(args.out, exc)
    if not args.quiet:
        _report(ev, notices, args.out)
    return EXIT_OK


def _known_subject(ev, subject_id: str) -> bool:
    """Whether the id names a unit, official or party organisation of the evaluated year."""
    columns = (
        (ev.unit_ranking, "unit_id"),
        (ev.official_ratings, "official_id"),
        (ev.party_org_classifications, "party_org_id"),
    )
    return any((df[col].astype(str) == str(subject_id)).any() for df, col in columns)


def _waiting(message: str) -> None:
    print(message, file=sys.stderr)


def _report(ev, notices: list[str], out, *lines: str) -> None:
    """The run's summary, what it has to say, and where it wrote."""
    for line in lines:
        print(line)
    print(ev.summary())
    for note in ev.notes + notices:
        print(f"Lưu ý: {note}")
    print(f"Đã ghi kết quả vào {out}")


def _whatif(args) -> int:
    """`whatif`: the scenario's tables, `changes.csv` and `scenario_decisions.xlsx` in --out."""
    from .scenario import Scenario, ScenarioError, write_scenario

    try:
        scenario = Scenario.from_strings(args.name, args.set, args.correct, args.year)
        crit = load_criteria(args.criteria)
        crit.with_overrides(scenario.overrides)  # a bad override is reported before reading data
        records = load_records(args.data, crit, year=args.year)
        ev, changes, notices = write_scenario(
            records, args.year, crit, scenario, Path(args.out), csv_dialect=args.csv_dialect
        )
    except (ValidationError, CriteriaError, ScenarioError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    if not args.quiet:
        _report(
            ev,
            notices,
            args.out,
            scenario.describe(crit),
            f"Số thay đổi so với phương án gốc: {len(changes)}",
        )
    return EXIT_OK


def _annex(args) -> int:
    """`annex`: the ranking annex of the year, executed and exported, in --out."""
    from .annex import AnnexError, HeaderFields, render_annex
    from .atomic import OutputNotAFolder
    from .console import os_error_text
    from .scenario import Scenario, ScenarioError

    try:
        scenario = Scenario.from_strings(args.name or "", args.set, args.correct, args.year)
        header = HeaderFields.from_params(
            **{
                k: getattr(args, k)
                for k in ("number", "date", "issuer", "symbol", "signer_title", "signer_name")
            },
            recipients=args.recipients,
        )
        load_criteria(args.criteria).with_overrides(scenario.overrides)  # before reading the data
        paths = render_annex(
            args.data,
            args.year,
            Path(args.out),
            overrides=scenario.overrides,
            corrections=[c.to_dict() for c in scenario.corrections],
            header=header,
            criteria=args.criteria,
            scenario=args.name,
            pdf=not args.no_pdf,
            sections=args.section,
            with_verification_page=args.with_verification_page,
        )
    except (ValidationError, CriteriaError, ScenarioError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except AnnexError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_WRITE_FAILED
    except OutputNotAFolder:
        raise  # a usage error (exit 2), nothing written
    except OSError as exc:
        print(f"Không ghi được phụ lục vào {args.out}: {os_error_text(exc)}", file=sys.stderr)
        return EXIT_WRITE_FAILED
    for path in paths:
        print(path)
    return EXIT_OK


def _template(args) -> int:
    """`template`: an empty input workbook with dropdowns (scoring/template.py)."""
    from .template import TemplateError, write_template

    try:
        path = write_template(args.file, load_criteria(args.criteria), force=args.force)
    except TemplateError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        return write_failure(args.file, exc, "tệp mẫu")
    print(path)
    return EXIT_OK
