"""Address text, made comparable: is this report about the same place?

Pure domain code.  Callers and speech recognisers describe one place in
many spellings: full-width digits, traditional characters, 五十号 for 50号,
a district in front or not, 门前 or 附近 after it.  ``parse_address`` turns
the text into an ``Address`` whose ``key`` is the street part alone, and
``similarity`` compares two of them.

Rules, and why:

* Chinese numerals become digits only directly before a house-number unit
  (号 栋 幢 楼 室 层 单元 弄 巷).  Elsewhere a numeral is part of a name
  (十八亩, 五一路, 三里庄) and is left alone, which is safe because both
  sides of a comparison get the same treatment.
* The city and district names a caller may put in front are stripped from
  the key but remembered: two addresses naming different districts are
  different places, while an address without one matches either.
* Position words at the end (门前, 附近, 对面, 路口 ...) say where at the place,
  not which place, so they leave the key and are kept as ``position``.
* Different numbers with the same unit (12号 / 14号) are different places
  however alike the rest is; text similarity alone would call them the same.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

# Two keys at least this similar are taken to be one place.  At 0.5 a
# landmark matches itself with or without its house number (西仓路银春旅馆,
# 西仓路12号银春旅馆: 0.56), while a bare road does not match a place on it
# (西仓路, 西仓路银春旅馆: 0.33) nor one road its neighbour (海陵北路, 海陵南路).
SAME_PLACE = 0.5

# Traditional forms common in addresses, and in what phones and recognisers
# produce for them.  Not a general converter: only what places are made of.
_SIMPLIFIED = str.maketrans({
    "號": "号", "門": "门", "區": "区", "樓": "楼", "棟": "栋", "層": "层", "單": "单",
    "園": "园", "場": "场", "廣": "广", "東": "东", "內": "内", "橋": "桥", "莊": "庄",
    "鎮": "镇", "鄉": "乡", "縣": "县", "灣": "湾", "濱": "滨", "匯": "汇", "華": "华",
    "興": "兴", "豐": "丰", "陽": "阳", "龍": "龙", "鳳": "凤", "廠": "厂", "學": "学",
    "館": "馆", "醫": "医", "藥": "药", "對": "对", "邊": "边", "側": "侧", "處": "处",
    "開": "开", "發": "发", "蘇": "苏", "倉": "仓", "環": "环", "車": "车", "體": "体",
    "電": "电", "舊": "旧", "後": "后", "裡": "里", "裏": "里", "條": "条",
    "陸": "陆", "幹": "干", "線": "线", "樞": "枢", "紐": "纽", "兩": "两", "萬": "万",
    "貨": "货", "農": "农", "貿": "贸", "愛": "爱", "國": "国", "協": "协", "會": "会",
    "稅": "税", "務": "务", "衛": "卫", "寶": "宝", "壩": "坝", "閘": "闸",
    "壇": "坛", "廟": "庙", "銀": "银", "綠": "绿", "紅": "红", "鐵": "铁", "馬": "马",
    "雲": "云", "漢": "汉", "貴": "贵", "寧": "宁", "慶": "庆", "嶺": "岭", "齊": "齐",
    "鹽": "盐", "億": "亿", "師": "师", "範": "范", "長": "长",
})
# Hyphens survive: 50-1号 is not 501号.
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "－": "-", "~": "-"})

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
_UNITS = ("单元", "号", "栋", "幢", "楼", "室", "层", "弄", "巷")
_UNIT = "|".join(_UNITS)
_CHINESE_NUMBER = re.compile(f"([零〇一二两三四五六七八九十百千]+)(?={_UNIT})")
_HOUSE_NUMBER = re.compile(rf"(\d+(?:-\d+)*)({_UNIT})")

# Said after a place to say where at it.  Longest first, so 门口附近 loses
# 附近 and then 门口.  Deliberately short: 处 and 里 end too many names
# (管理处, 三里) to be stripped safely.
_POSITIONS = tuple(sorted((
    "门前", "门口", "门外", "门边", "附近", "旁边", "边上", "对面", "周边", "一带", "前面",
    "后面", "东侧", "西侧", "南侧", "北侧", "十字路口", "交叉口", "路口",
), key=len, reverse=True))
_LEADING_FILLER = ("就在", "位于", "在")
_TOKEN = re.compile(r"\d+(?:-\d+)*|[a-z]+|\S")


@dataclass(frozen=True)
class Places:
    """The administrative names a caller may say before the street.

    A city's configuration, not constants: the caller builds it, e.g. the
    districts from the departments' ``district`` fields.
    """

    cities: tuple[str, ...] = ()      # 江苏省, 泰州市
    districts: tuple[str, ...] = ()   # 海陵区, 高港区, 姜堰区, 医药高新区


@dataclass(frozen=True)
class Address:
    text: str                          # what was said
    key: str                           # the street part, normalised
    district: str | None = None
    position: str | None = None        # 门前, 附近, 路口 ...
    numbers: tuple[tuple[str, str], ...] = ()   # (unit, number): (("号", "50"),)


def normalise_text(text: str | None) -> str:
    """One spelling for the same words: half-width, simplified, digits before
    house-number units, lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text or "").translate(_DASHES).translate(_SIMPLIFIED).lower()
    text = "".join(ch for ch in text if ch == "-" or not _is_separator(ch))
    return _CHINESE_NUMBER.sub(lambda m: _numeral(m.group(1)), text)


@functools.lru_cache(maxsize=8192)
def parse_address(text: str | None, places: Places = Places()) -> Address:
    """The comparable parts of an address.  Cached: repeat detection parses
    the same earlier addresses again and again."""
    key = normalise_text(text)
    key = _strip_prefix(key, _LEADING_FILLER)[1]
    key, district = _strip_administrative(key, places)
    key, position = _strip_position(key)
    numbers = tuple((unit, number) for number, unit in _HOUSE_NUMBER.findall(key))
    return Address(text=text or "", key=key, district=district, position=position, numbers=numbers)


def similarity(a: Address, b: Address) -> float:
    """0 for different places, 1 for the same key; in between, the Jaccard
    index of the keys' token bigrams (a number is one token, so 12 and 14
    share nothing)."""
    if not a.key or not b.key:
        return 0.0
    if a.district and b.district and a.district != b.district:
        return 0.0
    if _numbers_conflict(a, b):
        return 0.0
    if a.key == b.key:
        return 1.0
    grams_a, grams_b = _bigrams(a.key), _bigrams(b.key)
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def same_place(a: Address, b: Address, threshold: float = SAME_PLACE) -> bool:
    return similarity(a, b) >= threshold


def _is_separator(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PZSC"


def _numeral(text: str) -> str:
    """五十 -> 50, 一百零五 -> 105, 十八 -> 18; read digit by digit without a
    multiplier (五零 -> 50), as people say house numbers."""
    if not any(ch in _MULTIPLIERS for ch in text):
        return "".join(str(_DIGITS[ch]) for ch in text)
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _MULTIPLIERS[ch]
            digit = None
    return str(total + (digit or 0))


def _strip_prefix(text: str, words: Iterable[str]) -> tuple[str | None, str]:
    for word in sorted(words, key=len, reverse=True):
        if word and text.startswith(word) and len(text) > len(word):
            return word, text[len(word):]
    return None, text


@functools.lru_cache(maxsize=64)
def _normalised_places(places: Places) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The configured names in normalised form, worked out once per configuration."""
    return (tuple(normalise_text(name) for name in places.cities),
            tuple(normalise_text(name) for name in places.districts))


def _strip_administrative(key: str, places: Places) -> tuple[str, str | None]:
    cities, districts = _normalised_places(places)
    district = None
    while True:
        city, key = _strip_prefix(key, cities)
        found, key = _strip_prefix(key, districts)
        district = found or district
        if city is None and found is None:
            return key, district


def _strip_position(key: str) -> tuple[str, str | None]:
    positions: list[str] = []
    while True:
        word = next((w for w in _POSITIONS if key.endswith(w) and len(key) > len(w)), None)
        if word is None:
            break
        key = key[:-len(word)]
        if word == "路口" and not key.endswith(("路", "街", "巷", "道")):
            key += "路"   # 人民路口 is a point on 人民路; keep the road
        positions.insert(0, word)
        key = key.removesuffix("的")
    return key, "".join(positions) or None


def _numbers_conflict(a: Address, b: Address) -> bool:
    units_a, units_b = dict(a.numbers), dict(b.numbers)
    return any(units_b[unit] != number for unit, number in units_a.items() if unit in units_b)


@functools.lru_cache(maxsize=8192)
def _bigrams(key: str) -> frozenset[tuple[str, ...]]:
    tokens = _TOKEN.findall(key)
    if len(tokens) < 2:
        return frozenset({tuple(tokens)})
    return frozenset(zip(tokens, tokens[1:], strict=False))
