"""NBS data portal, the new UUID API (data.stats.gov.cn/dg/website/publicrelease/web/external/).

The UUIDs are fragile identifiers, so the registry names each indicator by its catalogue path and
display name (`params.indicators`: path, name, indicator, measure) and every run resolves them:
  GET new/queryIndexTreeAsync?pid=&code=3 → the root → pid=<node>… down the path → the leaf (cid)
  GET new/queryIndicatorsByCid?cid=<cid>&dt=&name= → display name → indicator id
  POST stream/esData {cid, indicatorIds, daCatalogId:"", das:[全国], showType:1, dts:["2015YY-2026YY"], rootId}
A name that is missing fails the run, naming the source, the URL and the name. Answers are
{success, data}; esData gives data[] per period with values[] {_id, i_showname, value, du_name, da, da_name}.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from scrapers.registry import SourceConfig
from scrapers.statistics.core import Client, Fetched, Observation, StatisticsError, Task

API_PATH = "/dg/website/publicrelease/web/external"
NATIONAL_DA = "000000000000"
MEASURES = frozenset({"level", "yoy_change"})


@dataclass(frozen=True)
class IndicatorSpec:
    path: tuple[str, ...]  # catalogue path below the root, e.g. ("能源", "能源消费总量及构成")
    name: str  # display name (i_showname) in that catalogue
    indicator: str  # canonical statistic name (the statistics README's list)
    measure: str  # level | yoy_change


def indicator_specs(raw: Sequence[Mapping[str, Any]]) -> list[IndicatorSpec]:
    specs = []
    for item in raw:
        spec = IndicatorSpec(tuple(item["path"]), item["name"], item.get("indicator", item["name"]),
                             item.get("measure", "level"))
        if spec.measure not in MEASURES:
            raise ValueError(f"nbs indicator {spec.name!r}: measure {spec.measure!r} is not one of {sorted(MEASURES)}")
        specs.append(spec)
    return specs


def region_params(raw: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The `das` of an esData query: 全国, or the provinces of 分省年度数据 (`regions`: name and the 12-digit
    统计用区划代码, e.g. {name = "浙江省", code = "330000000000"}); the answer's cells name their region."""
    if not raw:
        return [{"text": "全国", "value": NATIONAL_DA}]
    out = []
    for item in raw:
        code = str(item.get("code", ""))
        if len(code) != 12 or not code.isdigit():
            raise ValueError(f"nbs region {item.get('name')!r}: code {code!r} is not a 12-digit 统计用区划代码")
        out.append({"text": str(item.get("name", "")), "value": code})
    return out


# -- pure parsing -------------------------------------------------------------------------------


def _data(answer: Any, url: str) -> Any:
    if not isinstance(answer, dict) or answer.get("success") is not True or "data" not in answer:
        raise StatisticsError(url, f"the API did not answer {{success: true, data}}: {str(answer)[:160]}")
    return answer["data"]


def parse_tree(answer: Any, url: str) -> list[dict[str, Any]]:
    nodes = _data(answer, url)
    if not isinstance(nodes, list) or not all(isinstance(n, dict) and "_id" in n and "name" in n for n in nodes):
        raise StatisticsError(url, "catalogue nodes are not a list of {_id, name}")
    return nodes


def child_named(nodes: list[dict[str, Any]], name: str, url: str, where: str) -> dict[str, Any]:
    for node in nodes:
        if str(node["name"]).strip() == name:
            return node
    found = ", ".join(str(n["name"]).strip() for n in nodes) or "nothing"
    raise StatisticsError(url, f"catalogue {name!r} not found under {where} (found: {found})")


def parse_indicators(answer: Any, url: str) -> dict[str, dict[str, Any]]:
    """Display name → indicator entry (`_id`, `du_name`, …)."""
    data = _data(answer, url)
    items = data.get("list") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise StatisticsError(url, "no data.list of indicators")
    return {str(i["i_showname"]).strip(): i for i in items if isinstance(i, dict) and "_id" in i}


def region_of(da: str) -> str:
    """12-digit 统计用区划代码 → 6-digit GB/T 2260 (000000000000 = 全国 = 100000)."""
    return "100000" if da.strip("0") == "" else da[:6]


def parse_es_data(answer: Any, url: str, wanted: Mapping[str, IndicatorSpec]) -> list[Observation]:
    """The figures of one esData answer for the wanted indicator ids; empty cells are no figure."""
    periods = _data(answer, url)
    if not isinstance(periods, list):
        raise StatisticsError(url, "esData data is not a list of periods")
    observations = []
    for period in periods:
        code = str(period.get("code", ""))
        if not (code.endswith("YY") and code[:4].isdigit()):
            raise StatisticsError(url, f"period {code!r} is not a year (YYYYYY)")
        for cell in period.get("values") or []:
            spec = wanted.get(cell.get("_id", ""))
            text = str(cell.get("value", "")).strip()
            if spec is None or not text:
                continue
            try:
                value = float(text)
            except ValueError as exc:
                raise StatisticsError(url, f"{spec.name} {code}: value {text!r} is not a number") from exc
            unit = str(cell.get("du_name") or "").strip()
            da = str(cell.get("da") or NATIONAL_DA)
            region_name = str(cell.get("da_name") or "全国").strip()
            # The offline mirror attaches the citation each figure was verified against; the live API
            # has no such field, and then the quote is the table cells themselves, ` | ` between them.
            prov = cell.get("provenance") if isinstance(cell.get("provenance"), dict) else {}
            quote = prov.get("quote") or " | ".join(
                [str(cell.get("i_showname", spec.name)).strip(), str(period.get("name", code)), region_name,
                 f"{text}{unit}"])
            observations.append(Observation(
                region_code=region_of(da), region_name=region_name, indicator=spec.indicator, year=int(code[:4]),
                value=value, unit=unit, measure=spec.measure, quote=quote,
                source_title=prov.get("source_title") or f"国家数据 {' > '.join(spec.path)} > {spec.name}",
                source_url=prov.get("source_url") or url, published=prov.get("published") or None,
            ))
    return observations


# -- the run ------------------------------------------------------------------------------------


def discover(client: Client, source: SourceConfig) -> list[Task]:
    api = str(source.param("api_path", API_PATH)).rstrip("/")
    code = str(source.param("tree_code", "3"))
    root_name = str(source.param("root_name", "年度数据"))
    first_year = int(source.param("first_year", 2015))
    specs = indicator_specs(source.param("indicators", []))
    regions = region_params(source.param("regions", []))
    tree_url = client.url(api + "/new/queryIndexTreeAsync", {"pid": "", "code": code})
    root = child_named(parse_tree(client.get(tree_url).json(), tree_url), root_name, tree_url, "the tree root")
    children: dict[str, list[dict[str, Any]]] = {}
    tasks = []
    for path in dict.fromkeys(s.path for s in specs):
        node, where = root, root_name
        for name in path:
            url = client.url(api + "/new/queryIndexTreeAsync", {"pid": node["_id"], "code": code})
            if node["_id"] not in children:
                children[node["_id"]] = parse_tree(client.get(url).json(), url)
            node, where = child_named(children[node["_id"]], name, url, where), f"{where} > {name}"
        url = client.url(api + "/new/queryIndicatorsByCid", {"cid": node["_id"], "dt": "", "name": ""})
        listed = parse_indicators(client.get(url).json(), url)
        wanted = {}
        for spec in (s for s in specs if s.path == path):
            if spec.name not in listed:
                raise StatisticsError(url, f"indicator {spec.name!r} not found in catalogue {where}")
            wanted[listed[spec.name]["_id"]] = spec
        payload = {"cid": node["_id"], "indicatorIds": list(wanted), "daCatalogId": "",
                   "das": regions, "showType": 1,
                   "dts": [f"{first_year}YY-{date.today().year}YY"], "rootId": root["_id"]}
        tasks.append(Task(client.urls.to_live(client.url(api + "/stream/esData")),
                          _runner(client, client.url(api + "/stream/esData"), payload, wanted)))
    return tasks


def _runner(
    client: Client, url: str, payload: dict[str, Any], wanted: dict[str, IndicatorSpec]
) -> Callable[[], tuple[Fetched, list[Observation]]]:
    def run() -> tuple[Fetched, list[Observation]]:
        fetched = client.post_json(url, payload)
        return fetched, parse_es_data(fetched.json(), fetched.url, wanted)

    return run
