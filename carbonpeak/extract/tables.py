"""Table rules: indicator tables in scraped documents.

Three layouts occur: pipe tables, one cell per line ending in " |"
(序号 | 指标名称 | 单位 | 指标值 | …);
tab tables, rows separated by blank lines with one tab-indented line per cell (a cell may wrap onto an
unindented line); and row tables, one row per line with cells separated by " | " (the PDF text layer's
tables, header rows first, a header cell that spans columns repeated over each). A table row with a number
in a target column becomes one record; the spans handled here are withheld from the body rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carbonpeak.extract.candidate import Candidate
from carbonpeak.extract.context import PERIODS, DocContext
from carbonpeak.extract.lexicon import sector_of

_PIPE_LINE = re.compile(r"^[^\n]*\|[ \t]*$", re.M)
_CELL_NUM = re.compile(
    r"(?P<cmp><|>|≤|≥|不低于|不超过|不少于)?(?P<num>\d+(?:\.\d+)?)"
    r"(?P<unit>[^\d\s|]*?)(?P<suf>及以上|以上|以下|以内|左右)?(?:\s|$)"
)
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_PERIOD = re.compile(r"十[四五六]五")
# Column headers that hold the target value, and those that never do.
_TARGET_COL = re.compile(r"目标|指标值|预期|规划值|(?:19|20)\d{2}年")
_NOT_TARGET_COL = re.compile(r"实际|现状|基期|基准|变化|幅度|责任|牵头|单位|序号|备注|完成情况")
_REGION_COL = re.compile(r"^(?:镇|街道|县|市|区|地区|区域|乡镇)|（街道）|（市、区）")
_DECREASE = re.compile(r"降低|下降|减少|削减|压减|淘汰|节约")
_INCREASE_NAME = re.compile(r"增长|增速|增幅|比增|同比增")
# Rows that stand for the whole jurisdiction of the document (合计 of a per-city table).
_TOTAL_ROW = re.compile(r"^(?:合计|总计|全市|全省|全区|全县|全自治区|全市合计|全省合计)$")
# A unit written in a column header: 总量（亿元）, 比增（%）.
_HEADER_UNIT = re.compile(r"[（(]([^()（）\d]{1,6})[)）]$")


@dataclass
class _Cell:
    text: str  # cell text with line breaks removed
    start: int  # span of the cell in the normalised text
    end: int


def table_candidates(norm: str, ctx: DocContext) -> tuple[list[Candidate], list[tuple[int, int]]]:
    cands: list[Candidate] = []
    handled: list[tuple[int, int]] = []
    if "|" in norm:
        c, h = _pipe_tables(norm, ctx)
        cands += c
        handled += h
    if "\n\t" in norm:
        c, h = _tab_tables(norm, ctx)
        cands += c
        handled += h
    if " | " in norm:
        c, h = _row_tables(norm, ctx)
        cands += c
        handled += h
    c, h = _column_tables(norm, ctx, handled)
    cands += c
    handled += h
    handled.sort()
    return cands, handled


def _value_of(cell: str) -> tuple[float, str, str, str | None] | None:
    """(value, unit written in the cell, comparator, direction word) of a target cell, or None."""
    m = _CELL_NUM.search(cell.replace("＜", "<") + " ")
    if not m:
        return None
    cmp_word = m.group("cmp") or ""
    suf = m.group("suf") or ""
    if cmp_word in ("<", "≤", "不超过") or suf in ("以下", "以内"):
        comparator = "<="
    elif cmp_word in (">", "≥", "不低于", "不少于") or suf in ("以上", "及以上"):
        comparator = ">="
    elif suf == "左右":
        comparator = "~"
    else:
        comparator = "="
    direction = "decrease" if _DECREASE.search(cell[:m.start()]) else None
    return float(m.group("num")), m.group("unit"), comparator, direction


def _table_year(title: str, header: str, ctx: DocContext) -> tuple[int | None, int | None]:
    """(target year, implied baseline year) of a table from its title and value-column header."""
    if m := _YEAR.search(header):
        return int(m.group(1)), None
    if m := _PERIOD.search(title + header):
        return PERIODS[m.group()]
    if m := _YEAR.search(title):
        return int(m.group(1)), int(m.group(1)) - 1
    if ctx.period == "annual" and ctx.default_year:
        return ctx.default_year, ctx.default_year - 1
    return ctx.default_year, None


def _record(name: _Cell, value_cell: _Cell, unit: str, year: int | None, base: int | None,
            ctx: DocContext, *, region: str | None = None, indicator: str | None = None,
            title: str = "", sector: str | None = None) -> Candidate | None:
    parsed = _value_of(value_cell.text)
    if parsed is None:
        return None
    value, cell_unit, comparator, cell_dir = parsed
    if unit in ("", "-", "/", "—") and cell_unit:
        unit = cell_unit
    if unit in ("-", "/", "—"):
        unit = ""
    ind = indicator or name.text
    direction = "reach"
    if comparator == "<=":
        direction = "cap"
    if cell_dir or _DECREASE.match(ind) or (_DECREASE.search(title) and indicator is not None):
        direction = "decrease"
    elif _INCREASE_NAME.search(ind):
        direction = "increase"
    baseline = base if direction in ("increase", "decrease") and unit in ("%", "个百分点") else None
    num_end = value_cell.start + (value_cell.text.find(_fmt_num(value_cell.text)) + len(_fmt_num(value_cell.text)))
    return Candidate(
        start=min(name.start, value_cell.start), end=max(num_end, name.end), value=value, unit=unit,
        direction=direction, comparator=comparator,
        target_year=year, baseline_year=baseline, indicator=ind, region=region or ctx.region,
        sector=sector or sector_of(ind), from_table=True,
    )


def _fmt_num(cell: str) -> str:
    m = re.search(r"\d+(?:\.\d+)?", cell)
    return m.group() if m else ""


# --- pipe tables -------------------------------------------------------------------------------

def _pipe_tables(norm: str, ctx: DocContext) -> tuple[list[Candidate], list[tuple[int, int]]]:
    cands: list[Candidate] = []
    handled: list[tuple[int, int]] = []
    # Group consecutive pipe lines into runs of cells.
    runs: list[list[_Cell]] = []
    last_end = -2
    for m in _PIPE_LINE.finditer(norm):
        line = m.group()
        cut = line.rfind("|")
        text = line[:cut].strip()
        lead = len(line[:cut]) - len(line[:cut].lstrip())
        cell = _Cell(text, m.start() + lead, m.start() + lead + len(text))
        if m.start() == last_end + 1 and runs:
            runs[-1].append(cell)
        else:
            runs.append([cell])
        last_end = m.end()
    for cells in runs:
        c, h = _pipe_table(norm, cells, ctx)
        cands += c
        handled += h
    return cands, handled


def _pipe_table(norm: str, cells: list[_Cell], ctx: DocContext) -> tuple[list[Candidate], list[tuple[int, int]]]:
    # The header is every cell before the first row number "1".
    try:
        first = next(i for i, c in enumerate(cells) if c.text == "1")
    except StopIteration:
        return [], []
    header = [c.text for c in cells[:first]]
    if not any("单位" == h or h.startswith("单位") for h in header):
        return [], []
    value_cols = [i for i, h in enumerate(header) if _TARGET_COL.search(h) and not _NOT_TARGET_COL.search(h)]
    unit_cols = [i for i, h in enumerate(header) if h.startswith("单位") or h == "计量单位"]
    name_cols = [i for i, h in enumerate(header) if "指标" in h and i not in value_cols] or [1]
    if not value_cols or not unit_cols:
        return [], []
    # Table title: the line(s) just above the table.
    title_start = norm.rfind("\n", 0, max(0, cells[0].start - 1))
    title = norm[max(0, title_start - 80):cells[0].start]
    year, base = _table_year(title, "", ctx)
    rows: list[list[_Cell]] = []
    expected = 1
    for c in cells[first:]:
        if c.text == str(expected) and (not rows or len(rows[-1]) >= 3):
            rows.append([c])
            expected += 1
        elif rows:
            rows[-1].append(c)
    cands: list[Candidate] = []
    for row in rows:
        if len(row) <= max(value_cols[0], unit_cols[0], name_cols[0]):
            continue
        rec = _record(row[name_cols[0]], row[value_cols[0]], row[unit_cols[0]].text, year, base, ctx, title=title)
        if rec:
            cands.append(rec)
    return cands, [(cells[0].start, cells[-1].end)]


# --- tab tables ----------------------------------------------------------------------------------

_TAB_ROW_GAP = re.compile(r"\n[ \t]*\n")


def _tab_tables(norm: str, ctx: DocContext) -> tuple[list[Candidate], list[tuple[int, int]]]:
    cands: list[Candidate] = []
    handled: list[tuple[int, int]] = []
    # A table is a maximal stretch of tab-indented rows; rows are separated by blank lines.
    for tm in re.finditer(r"(?:^\t[^\n]*\n(?:[^\n\t][^\n]*\n)*(?:[ \t]*\n)*)+", norm, re.M):
        rows = _tab_rows(norm, tm.start(), tm.end())
        if len(rows) < 2:
            continue
        title_lines = norm[max(0, norm.rfind("\n", 0, max(0, tm.start() - 1)) - 120):tm.start()].split("\n")
        title = "\n".join(title_lines[-3:])
        c = _tab_table(rows, title, ctx)
        if c:
            cands += c
            handled.append((tm.start(), tm.end()))
    return cands, handled


def _tab_rows(norm: str, start: int, end: int) -> list[list[_Cell]]:
    rows: list[list[_Cell]] = []
    pos = start
    for block in re.split(r"(\n[ \t]*\n)", norm[start:end]):
        if not block.strip("\n") or not block.strip():
            pos += len(block)
            continue
        cells: list[_Cell] = []
        lpos = pos
        for line in block.split("\n"):
            if line.startswith("\t"):
                text = line[1:].strip()
                cells.append(_Cell(text, lpos + 1, lpos + 1 + len(line[1:].rstrip())))
            elif cells and line.strip():
                last = cells[-1]
                cells[-1] = _Cell(last.text + line.strip(), last.start, lpos + len(line.rstrip()))
            elif line.strip():
                cells.append(_Cell(line.strip(), lpos, lpos + len(line.rstrip())))
            lpos += len(line) + 1
        if cells:
            rows.append(cells)
        pos += len(block)
    return rows


def _is_data_row(row: list[_Cell]) -> bool:
    return len(row) >= 2 and any(re.search(r"\d", c.text) and not _YEAR.search(c.text) for c in row[1:])


def _past_year(ctx: DocContext) -> int | None:
    """The last year whose figures a plan reports as facts: its base year (十四五 → 2020), the year before an
    annual plan's, else the year before publication."""
    if ctx.period in PERIODS:
        return PERIODS[ctx.period][1]
    if ctx.period == "annual" and ctx.default_year:
        return ctx.default_year - 1
    return ctx.ref_year - 1 if ctx.ref_year else None


def _is_value_col(label: str, ctx: DocContext) -> bool:
    if not _TARGET_COL.search(label) or _NOT_TARGET_COL.search(label):
        return False
    past = _past_year(ctx)
    years = [int(y) for y in _YEAR.findall(label)]
    # 2020年装机 in a 十四五 plan's table is the starting point, not a target.
    return not (years and past is not None and max(years) <= past and not re.search(r"目标|预期", label))


def _tab_table(rows: list[list[_Cell]], title: str, ctx: DocContext) -> list[Candidate]:
    header_rows: list[list[_Cell]] = []
    for row in rows:
        if _is_data_row(row):
            break
        header_rows.append(row)
    if not header_rows:
        return []
    width = max(len(r) for r in rows if _is_data_row(r)) if any(_is_data_row(r) for r in rows) else 0
    labels = ["" for _ in range(width)]
    for hr in header_rows:
        if len(hr) <= 1:
            continue
        for i, c in enumerate(hr[:width]):
            labels[i] += c.text
    region_col = next((i for i, h in enumerate(labels[:2]) if h and _REGION_COL.search(h)), None)
    value_cols = [i for i, h in enumerate(labels) if i > (region_col or 0) and _is_value_col(h, ctx)]
    unit_cols = [i for i, h in enumerate(labels) if h.startswith("单位")]
    if not value_cols:
        return []
    unit_line = re.search(r"单位[：:]\s*([^\s\n]+)", title)
    table_unit = unit_line.group(1) if unit_line else ""
    title_name = title.strip().split("\n")
    title_name = [t for t in title_name if t and not t.startswith("单位") and not re.fullmatch(r"附件\d*", t)]
    title_core = re.sub(r"^(?:表|附表|附件)\s*\d+[.．:：]?\s*|^(?:19|20)\d{2}年(?:度)?|“?十[四五六]五”?|"
                        r"各(?:镇（街道）|县（市、区）|县（市）区|县（市）|地市|地区|市|地)|"
                        + (re.escape(ctx.region) if ctx.region else "^$"),
                        "", title_name[-1] if title_name else "")
    title_core = re.sub(r"(?:预期|发展)?目标$|发展$", "", title_core)
    cands: list[Candidate] = []
    sector: str | None = None
    name_col = region_col if region_col is not None else 0
    for row in rows[len(header_rows):]:
        if len(row) == 1:
            sector = row[0].text or sector  # section rows such as 能源 / 工业 / 建筑
            continue
        if not _is_data_row(row) or len(row) <= name_col:
            continue
        unit = row[unit_cols[0]].text if unit_cols and len(row) > unit_cols[0] else table_unit
        for vc in value_cols:
            if vc >= len(row):
                continue
            year, base = _table_year(title, labels[vc], ctx)
            col_unit = unit
            if m := _HEADER_UNIT.search(labels[vc]):
                col_unit = m.group(1)
            if region_col is not None:
                col_name = header_rows[-1][vc].text if vc < len(header_rows[-1]) else labels[vc]
                col_name = _HEADER_UNIT.sub("", re.sub(r"^(?:19|20)\d{2}年", "", col_name))
                place = row[region_col].text
                region = ctx.region if _TOTAL_ROW.match(place) else place
                rec = _record(row[region_col], row[vc], col_unit, year, base, ctx, region=region,
                              indicator=title_core + col_name, title=title)
            elif not col_unit and (m := _HEADER_UNIT.search(row[0].text)):
                # the unit written after the row's name: 城镇绿色建筑占新建建筑比重（%）
                name = _Cell(_HEADER_UNIT.sub("", row[0].text), row[0].start, row[0].end)
                rec = _record(name, row[vc], m.group(1), year, base, ctx, title=title, sector=sector)
            else:
                rec = _record(row[0], row[vc], col_unit, year, base, ctx, title=title, sector=sector)
            if rec and rec.baseline_year is None and rec.direction == "increase" and rec.unit == "%" and year \
                    and re.search(r"比增|同比", rec.indicator):
                rec.baseline_year = year - 1
            if rec:
                cands.append(rec)
    return cands


# --- row tables ----------------------------------------------------------------------------------

_ROW_LINE = re.compile(r"^[^\n]* \| [^\n]*$|^\d{1,3}$", re.M)


def _row_tables(norm: str, ctx: DocContext) -> tuple[list[Candidate], list[tuple[int, int]]]:
    cands: list[Candidate] = []
    handled: list[tuple[int, int]] = []
    runs: list[list[re.Match[str]]] = []
    for m in _ROW_LINE.finditer(norm):
        if runs and m.start() == runs[-1][-1].end() + 1:
            runs[-1].append(m)
        elif " | " in m.group():
            runs.append([m])
    for run in runs:
        while run and " | " not in run[-1].group():
            run.pop()
        if len(run) < 2:
            continue
        rows: list[list[_Cell]] = []
        for m in run:
            cells: list[_Cell] = []
            pos = m.start()
            for part in m.group().split(" | "):
                lead = len(part) - len(part.lstrip())
                text = part.strip()
                cells.append(_Cell(text, pos + lead, pos + lead + len(text)))
                pos += len(part) + 3
            rows.append(cells)
        start = run[0].start()
        title_lines = norm[max(0, norm.rfind("\n", 0, max(0, start - 1)) - 160):start].split("\n")
        title = "\n".join(title_lines[-3:])
        c = _tab_table(rows, title, ctx)
        if c:
            cands += c
            handled.append((start, run[-1].end()))
    return cands, handled


# --- column tables -------------------------------------------------------------------------------
# Text layers that read a table column by column (pdfminer's, and texts saved from it) print the row
# labels one per line, then each column's values, with the row numbers and headers scattered among them:
# "嘉兴⏎舟山⏎宁波⏎3⏎4⏎5⏎合计⏎2020年装机⏎2025年装机⏎0⏎45⏎…". A stretch of short lines whose values
# divide into whole columns, one value per row label, is read back into rows.

_SHORT_LINE = re.compile(r"^[^\n\t。；;]{1,26}$")
_VALUE_LINE = re.compile(r"^(?:[<>≥≤]?\d+(?:\.\d+)?%?|[/—\-－]{1,2})$")
_TITLE_LINE = re.compile(r"^(?:表\s*\d|附表|附件|单位[：:]|注[：:]|资料来源)")
_HEADER_LINE = re.compile(
    r"(?:19|20)\d{2}年|十[三四五六]五|序号|[（(][^）)]*[)）]|(?:种类|名称|目标|增量|总量|比增|指标|类别|项目)$"
)
_SECTION_LINE = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
_TITLE_START = re.compile(r"^(?:表\s*\d|附表\s*\d|附件\s*\d)")
_FIRST_COL_HEADER = re.compile(r"序号|地区|县|区|市|种类|名称|类别|项目|指标")


def _column_tables(norm: str, ctx: DocContext, skip: list[tuple[int, int]]
                   ) -> tuple[list[Candidate], list[tuple[int, int]]]:
    lines: list[_Cell] = []
    pos = 0
    for raw in norm.split("\n"):
        text = raw.strip()
        if text:
            lead = len(raw) - len(raw.lstrip())
            # A tab-indented cell belongs to a tab table; "\t" never starts a column-dump line.
            lines.append(_Cell("\t" if raw.startswith("\t") else text, pos + lead, pos + lead + len(text)))
        pos += len(raw) + 1
    cands: list[Candidate] = []
    handled: list[tuple[int, int]] = []
    last_titles: list[_Cell] = []
    i = 0
    while i < len(lines):
        j = i
        # A zone: short lines up to the next table title, section heading or sentence.
        while j < len(lines) and _SHORT_LINE.match(lines[j].text) and " | " not in lines[j].text \
                and not _SECTION_LINE.match(lines[j].text) and not (j > i and _TITLE_START.match(lines[j].text)) \
                and not (j > i and lines[j].text.startswith("序号") and any(
                    c.text == lines[j].text for c in lines[i:j])):  # the header repeated on the next page
            j += 1
        zone = lines[i:j]
        titles = [c for c in zone if _TITLE_LINE.match(c.text)]
        if titles:
            last_titles = titles
        elif zone and zone[0].text.startswith("序号"):
            zone = last_titles + zone  # a table continued on a new page keeps its title
        if sum(1 for c in zone if _VALUE_LINE.match(c.text)) >= 6 and not any(
                a <= zone[0].start < b for a, b in skip):
            c = _column_table(norm, zone, ctx)
            if c:
                cands += c
                handled.append((zone[0].start, zone[-1].end))
        i = max(j, i + 1)
    return cands, handled


def _serial(run: list[_Cell], n: int) -> bool:
    """Row numbers printed as a column of their own: distinct whole numbers forming a range within 1..n+1."""
    try:
        nums = [int(c.text) for c in run]
    except ValueError:
        return False
    return len(set(nums)) == len(nums) and max(nums) - min(nums) == len(nums) - 1 and max(nums) <= n + 1


def _column_table(norm: str, zone: list[_Cell], ctx: DocContext) -> list[Candidate]:
    titles = [c for c in zone if _TITLE_LINE.match(c.text)]
    body = [c for c in zone if not _TITLE_LINE.match(c.text)]
    labels = [c for c in body if not _VALUE_LINE.match(c.text) and not _HEADER_LINE.search(c.text)]
    headers = [c for c in body if not _VALUE_LINE.match(c.text) and _HEADER_LINE.search(c.text)]
    n = len(labels)
    if n < 2 or not headers:
        return []
    runs: list[list[_Cell]] = []
    for c in body:
        if _VALUE_LINE.match(c.text):
            if runs and runs[-1] and body.index(c) == body.index(runs[-1][-1]) + 1:
                runs[-1].append(c)
            else:
                runs.append([c])
    values: list[_Cell] = []
    for run in runs:
        if _serial(run, n):
            continue
        # Row numbers run straight into a column of values when nothing stands between them.
        k = next((k for k in range(len(run) - 1, 1, -1)
                  if _serial(run[:k], n) and run[0].text == "1" and (len(run) - k) % n == 0), 0)
        values += run[k:]
    if not values or len(values) % n:
        return []
    m = len(values) // n
    col_headers = [h for h in headers if not _FIRST_COL_HEADER.fullmatch(h.text) and not h.text.startswith("序号")]
    if len(col_headers) < m:
        return []
    spanning = "".join(h.text for h in col_headers[:-m] if re.search(r"目标|预期|(?:19|20)\d{2}年", h.text))
    columns = col_headers[-m:]
    first = next((h for h in headers if h not in columns and _FIRST_COL_HEADER.search(h.text)), None)
    first_text = re.sub(r"^序号", "", first.text) if first else ""
    header_row = [_Cell(first_text, first.start if first else 0, first.end if first else 0)]
    header_row += [_Cell(spanning + h.text, h.start, h.end) for h in columns]
    rows = [header_row]
    for r, label in enumerate(labels):
        rows.append([label, *(values[k * n + r] for k in range(m))])
    title = "\n".join(c.text for c in titles)
    if not title:
        start = zone[0].start
        title = "\n".join(norm[max(0, norm.rfind("\n", 0, max(0, start - 1)) - 160):start].split("\n")[-3:])
    return _tab_table(rows, title, ctx)
