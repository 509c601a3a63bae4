"""Generate dbt_project/seeds/region_names_pinyin.csv: an English (Hanyu Pinyin) name for every GB/T 2260 division.

Run by hand when gbt2260_regions.csv changes (`.venv/bin/python tools/region_names_en.py`); the product reads
the committed seed and never needs pypinyin. Provinces get their official English names from the hand-written
seed province_names_en.csv instead (dim_regions prefers it); this file spells every division, provinces too.

Rules (GB/T 16159 for place names, as the Ministry of Civil Affairs' English usage writes them): the proper name
in pinyin, syllables joined, capitalised, an apostrophe before a syllable starting with a, o or e (Xi'an); the
generic part translated (市 City, 区 District, 县 County, 旗 Banner, 盟 League, 地区 Prefecture, 自治州 Autonomous
Prefecture…); the ethnic groups of an autonomous division by their English names (恩施土家族苗族自治州 → Enshi Tujia
and Miao Autonomous Prefecture).
"""

from __future__ import annotations

import csv
import sys

from pypinyin import Style, lazy_pinyin

from carbonpeak_core.paths import REPO_ROOT, SEEDS

# Longest first: 自治州 before 州, 地区 before 区.
SUFFIXES = [
    ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
    ("自治区", "Autonomous Region"), ("特别行政区", "Special Administrative Region"), ("地区", "Prefecture"),
    ("林区", "Forestry District"), ("特区", "Special District"), ("新区", "New Area"), ("矿区", "Mining District"),
    ("省", "Province"), ("市", "City"), ("区", "District"), ("县", "County"), ("旗", "Banner"), ("盟", "League"),
]
ETHNIC = {
    "土家": "Tujia", "苗": "Miao", "藏": "Tibetan", "彝": "Yi", "回": "Hui", "蒙古": "Mongolian", "朝鲜": "Korean",
    "壮": "Zhuang", "瑶": "Yao", "侗": "Dong", "布依": "Bouyei", "白": "Bai", "傣": "Dai", "哈尼": "Hani",
    "傈僳": "Lisu", "景颇": "Jingpo", "哈萨克": "Kazak", "柯尔克孜": "Kirgiz", "满": "Manchu", "畲": "She",
    "黎": "Li", "羌": "Qiang", "仫佬": "Mulao", "毛南": "Maonan", "仡佬": "Gelao", "水": "Shui",
    "纳西": "Naxi", "拉祜": "Lahu", "佤": "Va", "独龙": "Derung", "怒": "Nu", "普米": "Pumi", "土": "Tu",
    "撒拉": "Salar", "东乡": "Dongxiang", "保安": "Bonan", "裕固": "Yugur", "锡伯": "Xibe", "达斡尔": "Daur",
    "鄂温克": "Ewenki", "鄂伦春": "Oroqen", "塔吉克": "Tajik", "维吾尔": "Uygur", "布朗": "Blang",
    "各": "Various Ethnic Groups",
}
# Names pypinyin reads with the wrong tone-less syllable for a place (polyphonic characters).
OVERRIDES = {"六安": "Lu'an", "蚌埠": "Bengbu", "番禺": "Panyu", "东阿": "Dong'e", "铅山": "Yanshan",
             "乐亭": "Laoting", "蔚县": "Yu County", "莘县": "Shen County", "单县": "Shan County",
             "洪洞": "Hongtong", "长治": "Changzhi", "台州": "Taizhou", "丽水": "Lishui", "丽江": "Lijiang",
             "厦门": "Xiamen", "大足": "Dazu", "重庆": "Chongqing", "乐山": "Leshan", "亳州": "Bozhou",
             "朝阳": "Chaoyang", "郫都": "Pidu", "尉氏": "Yushi", "曾都": "Zengdu", "浚县": "Xun County",
             "涡阳": "Guoyang", "筠连": "Junlian", "乐陵": "Laoling"}
SPECIAL = {"全国": "China", "西沙群岛": "Xisha Islands", "南沙群岛": "Nansha Islands",
           "中沙群岛的岛礁及其海域": "Zhongsha Islands, Reefs and Their Waters"}


def pinyin(chinese: str) -> str:
    """Hanyu Pinyin of a proper name: joined syllables, first letter capitalised, apostrophes where needed."""
    if chinese in OVERRIDES:
        return OVERRIDES[chinese]
    out = ""
    for i, syllable in enumerate(lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=False)):
        syllable = syllable.replace("v", "ü")
        if i and syllable[:1] in ("a", "o", "e"):
            out += "'"
        out += syllable
    return out[:1].upper() + out[1:]


def _ethnic_groups(text: str) -> tuple[str, list[str]]:
    """Split "恩施土家族苗族" into ("恩施", ["Tujia", "Miao"]), reading ethnic names from the end."""
    groups: list[str] = []
    while text:
        for zh in sorted(ETHNIC, key=len, reverse=True):
            for form in (zh + "族", zh):
                if text.endswith(form) and (len(text) > len(form) or not groups or form.endswith("族")):
                    groups.insert(0, ETHNIC[zh])
                    text = text[: -len(form)]
                    break
            else:
                continue
            break
        else:
            break
    return text, groups


def english_name(chinese: str) -> str:
    if chinese in SPECIAL:
        return SPECIAL[chinese]
    if chinese in OVERRIDES:
        return OVERRIDES[chinese]
    for zh, en in SUFFIXES:
        if chinese.endswith(zh) and len(chinese) > len(zh):
            stem = chinese[: -len(zh)]
            if zh.startswith("自治"):
                base, groups = _ethnic_groups(stem)
                if groups:
                    if not base:  # 东乡族自治县, 鄂伦春自治旗: the place is named after its people
                        return f"{groups[0]} {en}"
                    named = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]
                    return f"{pinyin(base)} {named} {en}"
            return f"{pinyin(stem)} {en}"
    return pinyin(chinese)


def main() -> int:
    with (SEEDS / "gbt2260_regions.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = SEEDS / "region_names_pinyin.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["region_code", "name_pinyin"])
        for row in rows:
            writer.writerow([row["region_code"], english_name(row["region_name"])])
    print(f"wrote {len(rows)} names to {out.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
