"""Benchmark: PDF text libraries on the 60 real corpus PDFs (../shared/corpus/pdf): speed, memory, and the
gold F1 each library's text yields on the four hand-labelled PDFs (../shared/gold/pdf).

    .venv/bin/python bench/pdf_text_layers.py [--shared ../shared] [--only new old ...]

Candidates (a library that is not installed is skipped with a note):
  new       scrapers.textlayer: pypdfium2 character boxes laid out into lines, cleaned to reading text
  pdfium    pypdfium2 `get_text_range()` per page, as PDFium gives it (no layout, no cleaning)
  old       the previous text layer (pdfplumber, scrapers/attachments.py before the text layer moved),
            kept below as `old_pdfplumber_text` for comparison only
  pdfminer  pdfminer.six `high_level.extract_text` (installed with pdfplumber)
  pypdf     pypdf `PageObject.extract_text()` per page (not a dependency: measured only when installed)

Each library reads every file in a process of its own, so its peak RSS (ru_maxrss) is that library's alone;
the libraries run one after another, never side by side. Seconds are wall time of reading the file bytes
and converting them, imports excluded. F1: each library's text of the gold PDFs → `extract_targets` (doc id =
the gold id, the file stem) → the shared scorer, as `carbonpeak extract` would. The texts and F1 are
deterministic; the timings are this machine's at the time of the run.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from carbonpeak_core.paths import SHARED

DEFAULT_SHARED = SHARED
# name -> (module that must be importable, what is measured)
LIBRARIES: dict[str, tuple[str, str]] = {
    "new": ("pypdfium2", "scrapers.textlayer (pypdfium2 + cleaning)"),
    "pdfium": ("pypdfium2", "pypdfium2 get_text_range, plain"),
    "old": ("pdfplumber", "old layer: pdfplumber (HEAD)"),
    "pdfminer": ("pdfminer", "pdfminer.six extract_text"),
    "pypdf": ("pypdf", "pypdf extract_text"),
}


# -- the readers: bytes -> text -------------------------------------------------------------------------


def new_text(content: bytes) -> str:
    from scrapers.textlayer.files import content_text

    return content_text(content, "pdf").text


def pdfium_plain_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(content)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(pages)
    finally:
        pdf.close()


def pdfminer_text(content: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(content))


def pypdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# The previous implementation, kept for comparison only: scrapers/attachments.py `pdf_text` (and its helper
# `_cell_lines`) as they were before scrapers.textlayer replaced them, copied unchanged.


def _cell_lines(rows: Iterable[Iterable[str | None]]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        lines += ["\t" + (cell or "") for cell in row if cell is not None]  # None: covered by a merged cell
        lines.append("")
    return lines


def old_pdfplumber_text(content: bytes) -> str:
    """Text of a PDF's text layer (pdfplumber): ruled tables cell by cell, other lines in reading order,
    wrapped paragraph lines joined. A scanned PDF has no text layer and gives ""."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    from scrapers.textlayer import ConversionError

    lines: list[str] = []
    continues = False  # the last text line reached the right margin: the next one may continue it
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            for page in pdf.pages:
                tables = page.find_tables()
                rest = page
                for table in tables:
                    x0, top, x1, bottom = table.bbox  # a table drawn past the page edge is clipped to it
                    rest = rest.outside_bbox((max(x0, 0), max(top, 0), min(x1, page.width), min(bottom, page.height)))
                text_lines = [line for line in rest.extract_text_lines() if line["text"].strip()]
                left = min((line["x0"] for line in text_lines), default=0.0)
                right = float(page.width) - left  # margins are symmetric on printed documents
                items: list[tuple[float, Any]] = [(float(t.bbox[1]), t) for t in tables]
                items += [(float(line["top"]), line) for line in text_lines]
                for _, item in sorted(items, key=lambda i: i[0]):
                    if not isinstance(item, dict):
                        lines += _cell_lines(item.extract())
                        continues = False
                        continue
                    size = float(item["bottom"]) - float(item["top"]) or 10.0
                    text = item["text"]
                    if continues and lines and float(item["x0"]) < left + size / 2:
                        lines[-1] += text
                    else:
                        lines.append(text)
                    continues = float(item["x1"]) >= right - 1.5 * size
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise ConversionError(f"unreadable PDF: {type(exc).__name__}: {exc}") from exc
    return "\n".join(lines)


READERS: dict[str, Callable[[bytes], str]] = {
    "new": new_text, "pdfium": pdfium_plain_text, "old": old_pdfplumber_text, "pdfminer": pdfminer_text,
    "pypdf": pypdf_text,
}


# -- one library in its own process ---------------------------------------------------------------------


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(library: str, files: list[Path], gold_pdfs: list[Path], out: Path) -> None:
    """Read every file with one library; write the timings, sizes and the gold PDFs' texts to `out`."""
    reader = READERS[library]
    started = time.perf_counter()
    importlib.import_module(LIBRARIES[library][0])
    if library == "new":
        import scrapers.textlayer.clean
        import scrapers.textlayer.pdf  # noqa: F401
    import_s = time.perf_counter() - started
    rss_import = _rss_mib()
    wanted = {hashlib.sha256(p.read_bytes()).hexdigest(): p.stem for p in gold_pdfs}
    rows, texts = [], {}
    for path in files:
        t0 = time.perf_counter()
        content = path.read_bytes()
        try:
            text, error = reader(content), None
        except Exception as exc:  # a library that fails on a file: reported, the others go on
            text, error = "", f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - t0
        rows.append({"file": path.name, "seconds": seconds, "chars": len(text), "error": error})
        doc = wanted.get(hashlib.sha256(content).hexdigest())
        if doc:
            texts[doc] = text
    for path in gold_pdfs:  # a gold PDF that is not in the corpus (untimed)
        if path.stem not in texts:
            texts[path.stem] = reader(path.read_bytes())
    result = {"import_s": import_s, "rss_import_mib": rss_import, "peak_rss_mib": _rss_mib(), "files": rows,
              "gold_texts": texts}
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def run_child(library: str, corpus: Path, shared: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--child", library, "--out", str(out),
                   "--corpus", str(corpus), "--shared", str(shared)]
        proc = subprocess.run(command, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{library}: the measuring process failed:\n{proc.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


# -- scoring on the gold ----------------------------------------------------------------------------------


def load_scorer(shared: Path) -> ModuleType:
    path = shared / "gold" / "score_targets.py"
    spec = importlib.util.spec_from_file_location("score_targets", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_texts(texts: dict[str, str], shared: Path) -> dict[str, Any]:
    """The shared scorer's result for the targets `extract_targets` finds in each gold document's text."""
    from carbonpeak.extract import extract_targets

    scorer = load_scorer(shared)
    gold_dir = shared / "gold" / "pdf"
    gold = [row for f in sorted(gold_dir.glob("*.jsonl")) for row in scorer.load_jsonl(f)]
    pred = [t.as_json() for doc, text in sorted(texts.items()) for t in extract_targets(text, doc)]
    return scorer.score(pred, gold)


def scorer_lines(result: dict[str, Any]) -> list[str]:
    """The scorer's own per-document report (score_targets.py without --json)."""
    lines = [f"  {doc:40s} P={d['precision']:.3f} R={d['recall']:.3f} F1={d['f1']:.3f} "
             f"({d['matched']}/{d['predicted']} pred, {d['gold']} gold)" for doc, d in result["per_doc"].items()]
    fields = result["fields_on_matched"]
    lines.append("  fields on matched pairs: " + ", ".join(f"{k}={v:.3f}" for k, v in fields.items()))
    o = result["overall"]
    lines.append(f"  overall P={o['precision']:.3f} R={o['recall']:.3f} F1={o['f1']:.3f}")
    return lines


# -- the report -------------------------------------------------------------------------------------------


def page_counts(files: list[Path]) -> dict[str, int]:
    import pypdfium2 as pdfium

    counts = {}
    for path in files:
        pdf = pdfium.PdfDocument(path.read_bytes())
        counts[path.name] = len(pdf)
        pdf.close()
    return counts


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def version(library: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    dist = {"new": "pypdfium2", "pdfium": "pypdfium2", "old": "pdfplumber", "pdfminer": "pdfminer.six",
            "pypdf": "pypdf"}[library]
    try:
        return f"{dist} {dist_version(dist)}"
    except PackageNotFoundError:
        return f"{dist} (not installed)"


def relative_speed(fast: dict[str, Any], slow: dict[str, Any], label: str) -> str:
    """Per file, how many times faster `fast` read it than `slow`: min, median, max, and the whole corpus."""
    a = {row["file"]: row["seconds"] for row in fast["files"] if not row["error"]}
    b = {row["file"]: row["seconds"] for row in slow["files"] if not row["error"]}
    ratios = sorted((b[f] / a[f], f) for f in a.keys() & b.keys() if a[f] > 0)
    if not ratios:
        return f"{label}: no file read by both"
    median = statistics.median(r for r, _ in ratios)
    both = [f for _, f in ratios]
    return (f"{label}, per file (old seconds / {label.split()[0]} seconds, {len(ratios)} files): "
            f"min {ratios[0][0]:.1f}× ({ratios[0][1]}), median {median:.1f}×, max {ratios[-1][0]:.1f}× "
            f"({ratios[-1][1]}); whole corpus {sum(b[f] for f in both) / sum(a[f] for f in both):.1f}×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--corpus", type=Path, help="folder of PDFs (default: SHARED/corpus/pdf)")
    parser.add_argument("--only", nargs="+", choices=list(LIBRARIES), help="measure these libraries only")
    parser.add_argument("--child", choices=list(LIBRARIES), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = args.corpus or args.shared / "corpus" / "pdf"
    files = sorted(corpus.glob("*.pdf"))
    gold_pdfs = sorted((args.shared / "gold" / "pdf" / "pdfs").glob("*.pdf"))
    if args.child:
        child(args.child, files, gold_pdfs, args.out)
        return 0
    if not files:
        print(f"no PDFs in {corpus}: the corpus is expected beside the checkout (../shared/corpus/pdf)")
        return 1

    pages = page_counts(files)
    print(f"{len(files)} PDFs, {sum(pages.values()):,} pages in {corpus}; gold: {len(gold_pdfs)} PDFs in "
          f"{args.shared / 'gold' / 'pdf'}\n")
    results: dict[str, dict[str, Any]] = {}
    scores: dict[str, dict[str, Any]] = {}
    for library in args.only or list(LIBRARIES):
        module, label = LIBRARIES[library]
        if not installed(module):
            print(f"skipped {library} ({label}): {module} is not installed "
                  f"(uv pip install --python .venv/bin/python {module} to measure it)")
            continue
        print(f"measuring {library}: {label} [{version(library)}] …", flush=True)
        results[library] = run_child(library, corpus, args.shared)
        scores[library] = score_texts(results[library]["gold_texts"], args.shared)

    if not results:
        print("no library measured")
        return 1
    header = (f"{'library':<44} {'files':>5} {'pages':>6} {'chars':>9} {'seconds':>8} {'pages/s':>8} "
              f"{'chars/s':>10} {'peak RSS MiB':>12} {'F1':>6} {'P':>6} {'R':>6}")
    print("\n" + header + "\n" + "-" * len(header))
    for library, r in results.items():
        ok = [row for row in r["files"] if not row["error"]]
        n_pages = sum(pages[row["file"]] for row in ok)
        chars = sum(row["chars"] for row in ok)
        seconds = sum(row["seconds"] for row in ok)
        o = scores[library]["overall"]
        if not ok:
            print(f"{LIBRARIES[library][1]:<44} {0:>5}  every file failed (below)")
            continue
        print(f"{LIBRARIES[library][1]:<44} {len(ok):>5} {n_pages:>6,} {chars:>9,} {seconds:>8.2f} "
              f"{n_pages / seconds:>8.1f} {chars / seconds:>10,.0f} {r['peak_rss_mib']:>12.0f} "
              f"{o['f1']:>6.3f} {o['precision']:>6.3f} {o['recall']:>6.3f}")
    print("\nimport time and RSS after import (before the first file):")
    for library, r in results.items():
        print(f"  {library:<9} {r['import_s']:.2f} s, {r['rss_import_mib']:.0f} MiB  [{version(library)}]")
    for library, r in results.items():
        failed = [row for row in r["files"] if row["error"]]
        for row in failed[:5]:
            print(f"  {library}: {row['file']} failed: {row['error']}")
        if len(failed) > 5:
            print(f"  {library}: … {len(failed) - 5} more files failed")

    reference = {p.stem: p.read_text(encoding="utf-8") for p in sorted((args.shared / "gold" / "pdf" / "texts")
                                                                         .glob("*.txt"))}
    if reference:
        o = score_texts(reference, args.shared)["overall"]
        print(f"\nreference: the pdfminer texts beside the gold (gold/pdf/texts): "
              f"F1={o['f1']:.3f} P={o['precision']:.3f} R={o['recall']:.3f}")
    print("\nper document (the shared scorer's report):")
    for library in results:
        print(f"{LIBRARIES[library][1]}:")
        print("\n".join(scorer_lines(scores[library])))

    if "old" in results:
        print()
        for library in ("new", "pdfium"):
            if library in results:
                print(relative_speed(results[library], results["old"], f"{library} vs old"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
