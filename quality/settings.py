"""config/quality.yaml: the scoring checklist and the sampling rule.  Read
and checked once at start: a mistake stops the app, naming the file and the
key.  Without the file, the checklist below holds."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from config.files import read_mapping
from quality.scoring import Item, SamplingRule

FILE = "quality.yaml"
LANGUAGES = ("zh-CN", "en-US")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class QualityConfigError(ValueError):
    """config/quality.yaml is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class QualitySettings:
    checklist: tuple[Item, ...]
    rule: SamplingRule

    @property
    def possible(self) -> int:
        return sum(item.points for item in self.checklist)


DEFAULT = QualitySettings(
    checklist=(
        Item("greeting", {"zh-CN": "问候语", "en-US": "Greeting"}, 10),
        Item("identity", {"zh-CN": "身份核实", "en-US": "Identity check"}, 20),
        Item("category", {"zh-CN": "分类准确", "en-US": "Right category"}, 30),
        Item("courtesy", {"zh-CN": "服务态度", "en-US": "Courtesy"}, 25),
        Item("closure", {"zh-CN": "结束语", "en-US": "Closure"}, 15),
    ),
    rule=SamplingRule(per_operator=3),
)


def load(config_dir: Path) -> QualitySettings:
    path = Path(config_dir) / FILE
    if not path.exists():
        return DEFAULT
    root = read_mapping(path, QualityConfigError).get("quality")
    if not isinstance(root, dict):
        raise QualityConfigError(f"{FILE}: quality: must be a mapping")
    return QualitySettings(_checklist(root.get("checklist")), _rule(root.get("sample")))


def _checklist(node) -> tuple[Item, ...]:
    where = f"{FILE}: quality.checklist"
    if not isinstance(node, list) or not node:
        raise QualityConfigError(f"{where}: needs at least one item")
    items, seen = [], set()
    for index, entry in enumerate(node):
        here = f"{where}[{index}]"
        if not isinstance(entry, dict):
            raise QualityConfigError(f"{here}: must be a mapping with key, name and points")
        key = entry.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise QualityConfigError(f"{here}.key: must be lower-case letters, digits or _ (at most 32)")
        if key in seen:
            raise QualityConfigError(f"{here}.key: {key!r} is already on the checklist")
        seen.add(key)
        names = entry.get("name")
        if not isinstance(names, dict) or any(not isinstance(names.get(lang), str) or not names[lang].strip()
                                              for lang in LANGUAGES):
            raise QualityConfigError(f"{here}.name: needs a name in {' and '.join(LANGUAGES)}")
        points = entry.get("points")
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            raise QualityConfigError(f"{here}.points: must be a whole number, at least 1")
        items.append(Item(key, {lang: str(names[lang]).strip() for lang in names}, points))
    return tuple(items)


def _rule(node) -> SamplingRule:
    where = f"{FILE}: quality.sample"
    if not isinstance(node, dict):
        raise QualityConfigError(f"{where}: must say per_operator_per_week or share_per_week")
    given = {k for k in ("per_operator_per_week", "share_per_week") if node.get(k) is not None}
    unknown = sorted(set(node) - {"per_operator_per_week", "share_per_week"})
    if unknown:
        raise QualityConfigError(f"{where}.{unknown[0]}: unknown (per_operator_per_week or share_per_week)")
    if len(given) != 1:
        raise QualityConfigError(f"{where}: say either per_operator_per_week or share_per_week, one of them")
    if "per_operator_per_week" in given:
        count = node["per_operator_per_week"]
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise QualityConfigError(f"{where}.per_operator_per_week: must be a whole number, at least 1")
        return SamplingRule(per_operator=count)
    share = node["share_per_week"]
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise QualityConfigError(f"{where}.share_per_week: must be a number above 0, at most 1")
    return SamplingRule(per_operator=None, share=float(share))
