"""The place and the urgency in one breath: pure, no model."""
from __future__ import annotations

import pytest

from understanding.places import find_place
from understanding.urgency import is_urgent, urgency_cues


@pytest.mark.parametrize("said, place", [
    ("西仓路银春旅馆门前有两个上水井盖丢失", "西仓路银春旅馆门前"),
    ("海陵南路和迎春路路口红绿灯不亮了", "海陵南路和迎春路路口"),
    ("凤凰城小区3号楼下面垃圾没人清", "凤凰城小区3号楼"),
    ("鼓楼路18号旁边那个饭店油烟太大", "鼓楼路18号旁边"),
    ("高港区永安洲镇政府对面路面塌了个洞", "高港区永安洲镇政府对面"),
    ("十八亩五十号下水道又堵了", "十八亩五十号"),
    ("在青年南路和东进路交叉口有辆僵尸车", "青年南路和东进路交叉口"),
    ("春兰路上一个电线杆歪了", "春兰路"),
    ("坡子街菜场东门那边垃圾堆成山", "坡子街菜场东门"),
    ("人民公园里面的椅子坏了", "人民公园里面"),
])
def test_the_place_is_found_as_the_caller_said_it(said, place):
    assert find_place(said) == place


@pytest.mark.parametrize("said", [
    "我们小区门口的路灯坏了",       # somewhere, but not somewhere an inspector can find
    "马路上很脏",
    "路灯不亮",
    "我家楼下有人半夜施工",
    "这条路上好多坑",
    "",
])
def test_no_place_or_only_a_vague_one_is_none(said):
    assert find_place(said) is None


def test_urgency_words_are_found_and_negated_ones_are_not():
    assert urgency_cues("井盖没了，太危险了，刚才有人掉下去") == ("太危险", "掉下去")
    assert is_urgent("电线断了掉在地上，快来")
    assert not is_urgent("路面有个坑，还好没有人受伤")
    assert not is_urgent("不危险，就是难看")
    assert not is_urgent("路灯不亮")
