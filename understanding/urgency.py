"""Urgency in a caller's words: danger, injury, "come now".

Pure.  A short list of cue words beats a model here: the words are few, a
miss costs a call-taker's judgement rather than a wrong department, and a
city can read and extend the list.  A cue just after a negation (没有人受伤,
不危险) does not count.
"""
from __future__ import annotations

import re

CUES = (
    "危险", "太危险", "很危险", "有人受伤", "受伤", "摔伤", "摔倒", "摔了", "骨折", "流血", "出血",
    "掉下去", "掉进去", "掉进", "砸到", "砸伤", "砸了", "压到", "撞到", "撞伤", "被咬", "咬伤", "咬人",
    "马上", "赶紧", "赶快", "快点", "快来", "立刻", "立即", "紧急", "急死", "十万火急", "救命",
    "着火", "起火", "冒烟", "爆炸", "要炸", "漏气", "煤气味", "燃气味", "触电", "电到人", "漏电",
    "小孩掉", "孩子掉", "出人命", "出事", "要出事", "塌了", "要塌", "随时会掉", "倒下来",
)
_NEGATIONS = ("没有", "没", "不", "无", "未", "别")
_CLAUSE = re.compile(r"[，。！？、,.!?;；\s]")
_PATTERN = re.compile("|".join(sorted(map(re.escape, CUES), key=len, reverse=True)))


def urgency_cues(text: str | None) -> tuple[str, ...]:
    """The urgency words said, in order, negated ones left out."""
    text = text or ""
    found = []
    for match in _PATTERN.finditer(text):
        before = _CLAUSE.split(text[:match.start()])[-1][-3:]
        if any(n in before for n in _NEGATIONS):
            continue
        found.append(match.group(0))
    return tuple(found)


def is_urgent(text: str | None) -> bool:
    return bool(urgency_cues(text))
