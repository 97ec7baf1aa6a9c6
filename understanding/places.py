"""The place in a caller's words: "西仓路银春旅馆门前有两个上水井盖丢失" names
西仓路银春旅馆门前.

Pure.  Chinese places are built from a name and a unit (西仓+路, 银春+旅馆,
18+号, 凤凰城+小区), strung together from the large to the small, and closed
by a position word (门前, 路口, 对面).  The scanner finds every unit, widens
each to the name in front of it up to a word that cannot be part of a name,
joins neighbours (and two roads joined by 和 at a crossing), and keeps the
most specific run.  A run made only of everyday words (马路上, 我们小区) is
not a place the centre can send anyone to, so the caller is asked for one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Units that end a place element, longest first so 汽车站 beats 站.
_UNITS = tuple(sorted((
    "路", "街", "巷", "弄", "大道", "桥", "广场", "公园", "小区", "花园", "新村", "家园", "名苑", "苑",
    "园", "城", "庄", "村", "镇", "乡", "社区", "市场", "菜场", "菜市场", "中学", "小学", "幼儿园", "学校",
    "大学", "学院", "医院", "卫生院", "超市", "商场", "酒店", "宾馆", "旅馆", "饭店", "大厦", "银行", "车站",
    "汽车站", "站", "中心", "号", "栋", "幢", "单元", "号楼", "区", "河", "湖", "港", "码头", "工地",
    "公司", "厂", "政府", "派出所", "办事处", "街道", "亩", "路口", "交叉口", "家属区", "宿舍", "广场",
    "大楼", "商城", "小吃街", "步行街", "浴室", "菜馆", "酒楼", "加油站", "服务区", "停车场", "公厕",
), key=len, reverse=True))
_POSITIONS = tuple(sorted((
    "门前", "门口", "门外", "门边", "附近", "旁边", "边上", "对面", "周边", "一带", "前面", "后面",
    "东侧", "西侧", "南侧", "北侧", "东边", "西边", "南边", "北边", "十字路口", "交叉口", "路口", "转角",
    "拐角", "楼下", "里面", "外面", "中间", "入口", "出口", "南门", "北门", "东门", "西门", "大门口",
), key=len, reverse=True))
# Words with a unit inside that are not places.
_NOT_PLACES = ("路灯", "路面", "路牙", "路沿", "路况", "路人", "路过", "路费", "马路", "道路", "公路", "水路",
               "电路", "线路", "走路", "过路", "城管", "城市", "区域", "园林", "村民", "站台", "站牌", "中心线",
               "号码", "号召", "花园式", "河水", "河面", "河道", "湖水", "桥面", "桥下", "厂家",
               "广场舞", "小区里", "一路", "上路", "出路", "半路")
# Characters and words a place name does not contain: where a name stops.
_STOP_WORDS = tuple(sorted((
    "在", "是", "的", "有", "了", "我", "你", "他", "她", "它", "们", "这", "那", "个", "说", "就", "都",
    "也", "很", "太", "又", "还", "把", "被", "给", "跟", "让", "要", "会", "能", "想", "请", "啊", "呀",
    "吧", "呢", "嘛", "哦", "嗯", "喂", "到", "从", "往", "向", "靠近", "经过", "住", "家", "反映", "举报",
    "投诉", "一下", "好像", "天天", "每天", "晚上", "早上", "今天", "昨天", "现在", "一直", "已经", "里",
    "对", "没", "不", "出", "去", "来", "看", "走", "过", "以", "为", "得", "着", "和", "与", "及",
    "或", "而", "所", "该", "其", "此", "哪", "谁", "怎么", "什么", "条", "座", "棵", "辆", "块", "些",
), key=len, reverse=True))
_SEPARATOR = re.compile(r"[\s，。！？、,.!?;；:：\"“”'‘’()（）]")
_JOINERS = ("和", "与", "跟", "交界", "交叉", "、")
_MAX_NAME = 8
# A bare unit or everyday place word, on its own, is not somewhere to send an inspector.
_VAGUE = re.compile(
    r"^(我们|我家|他们|这边|那边|这里|那里|这个|那个|我们家|家)?"
    r"(小区|楼|楼下|门口|家门口|大门口|路口|马路|街道|社区|村|公园|广场|学校|医院|超市|菜场|市场|工地|河|桥)?"
    r"(门口|门前|里面|外面|旁边|附近|对面|楼下|边上|路口)?$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def find_place(text: str | None) -> str | None:
    """The most specific place named in ``text``, as the caller said it, or
    None when none is named (or only a vague one)."""
    text = text or ""
    runs = _runs(text)
    runs = [r for r in runs if not _VAGUE.match(_squash(text[r.start:r.end]))]
    if not runs:
        return None
    best = max(runs, key=lambda r: (_specificity(text[r.start:r.end]), r.end - r.start, -r.start))
    return text[best.start:best.end]


def _runs(text: str) -> list[Span]:
    elements = _elements(text)
    runs: list[Span] = []
    for span in elements:
        if runs and _joinable(text, runs[-1].end, span.start):
            runs[-1] = Span(runs[-1].start, max(runs[-1].end, span.end))
        else:
            runs.append(span)
    return [_with_position(text, run) for run in runs]


def _elements(text: str) -> list[Span]:
    """Each unit with the name in front of it."""
    spans = []
    position = 0
    while position < len(text):
        unit = _unit_at(text, position)
        if unit is None:
            position += 1
            continue
        end = position + len(unit)
        if _blocked(text, position, end):
            position += 1
            continue
        start = _name_start(text, position)
        if start < position or unit in ("号", "栋", "幢", "单元", "号楼", "亩") or len(unit) >= 2:
            spans.append(Span(start, end))
        position = end
    return spans


def _unit_at(text: str, position: int) -> str | None:
    for unit in _UNITS:
        if text.startswith(unit, position):
            return unit
    return None


def _blocked(text: str, start: int, end: int) -> bool:
    """A unit that is part of an everyday word (路灯, 马路, 城管) is not a place."""
    for word in _NOT_PLACES:
        for offset in range(len(word)):
            at = start - offset
            if at >= 0 and text.startswith(word, at) and at < end and at + len(word) > start:
                return True
    return False


def _name_start(text: str, unit_start: int) -> int:
    start = unit_start
    while start > 0 and unit_start - start < _MAX_NAME:
        before = text[:start]
        if _SEPARATOR.match(text[start - 1]) or any(before.endswith(w) for w in _STOP_WORDS):
            break
        start -= 1
    return start


def _joinable(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return gap == "" or gap in _JOINERS


def _with_position(text: str, run: Span) -> Span:
    end = run.end
    rest = text[end:]
    for word in ("的",):
        if rest.startswith(word) and any(rest[len(word):].startswith(p) for p in _POSITIONS):
            end += len(word)
            rest = text[end:]
    for position in _POSITIONS:
        if rest.startswith(position):
            return Span(run.start, end + len(position))
    return Span(run.start, end)


def _specificity(place: str) -> int:
    """More named units and digits make a place easier to find."""
    units = sum(1 for unit in _UNITS if unit in place)
    return units + sum(ch.isdigit() for ch in place)


def _squash(place: str) -> str:
    return _SEPARATOR.sub("", place)
