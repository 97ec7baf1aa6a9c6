"""Address normalisation for repeat detection."""
from __future__ import annotations

import pytest

from routing.addresses import SAME_PLACE, Places, normalise_text, parse_address, same_place, similarity

TAIZHOU = Places(cities=("江苏省", "泰州市"), districts=("海陵区", "高港区", "姜堰区", "医药高新区"))


def key(text: str) -> str:
    return parse_address(text, TAIZHOU).key


def alike(a: str, b: str) -> bool:
    return same_place(parse_address(a, TAIZHOU), parse_address(b, TAIZHOU))


# --- the stories ---------------------------------------------------------------

def test_the_blocked_sewer_at_eighteen_mu_is_one_place_however_it_is_said():
    assert alike("海陵北路十八亩50号", "海陵区海陵北路十八亩五十号门前")


def test_in_front_of_the_yinchun_hotel_is_the_hotel():
    assert alike("西仓路银春旅馆门前", "西仓路银春旅馆")


def test_two_house_numbers_on_one_road_are_two_places():
    assert not alike("西仓路12号", "西仓路14号")
    assert not alike("海陵北路十八亩50号", "海陵北路十八亩52号")


# --- spelling -----------------------------------------------------------------------

def test_full_width_digits_and_letters_become_half_width():
    assert key("ＡＢ路１２号") == "ab路12号"


def test_traditional_address_characters_become_simplified():
    assert key("西倉路銀春旅館門前") == "西仓路银春旅馆"
    assert key("鼓樓區人民路3號2棟") == "鼓楼区人民路3号2栋"


def test_spaces_and_punctuation_are_dropped_but_hyphens_kept():
    assert key("西仓路，银春 旅馆。") == "西仓路银春旅馆"
    assert key("人民路50-1号") == "人民路50-1号"
    assert not alike("人民路50-1号", "人民路501号")


# --- numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize("said, written", [
    ("五十号", "50号"), ("十八号", "18号"), ("十号", "10号"), ("一百零五号", "105号"),
    ("三百二十号", "320号"), ("五零号", "50号"), ("两栋", "2栋"), ("三单元", "3单元"),
    ("十二楼", "12楼"), ("一二零三室", "1203室"), ("八弄", "8弄"),
])
def test_chinese_numerals_before_a_house_number_unit_become_digits(said, written):
    assert normalise_text(said) == written


def test_numerals_in_place_names_stay_names():
    assert key("海陵北路十八亩") == "海陵北路十八亩"
    assert key("五一路三里庄") == "五一路三里庄"
    assert key("十八亩五十号") == "十八亩50号"


def test_house_numbers_are_kept_by_unit():
    assert parse_address("人民路5号3栋201室").numbers == (("号", "5"), ("栋", "3"), ("室", "201"))


def test_a_number_given_on_one_side_only_does_not_separate_places():
    assert alike("西仓路银春旅馆", "西仓路12号银春旅馆")


def test_agreeing_numbers_with_different_units_elsewhere_still_match():
    assert alike("人民路5号", "人民路5号3栋")
    assert not alike("人民路5号3栋", "人民路5号4栋")


# --- city, district, position -----------------------------------------------------------

def test_the_city_and_district_are_stripped_but_remembered():
    address = parse_address("江苏省泰州市海陵区海陵北路十八亩50号", TAIZHOU)
    assert (address.key, address.district) == ("海陵北路十八亩50号", "海陵区")


def test_a_district_is_stripped_only_as_a_whole_name():
    # 海陵北路 begins with 海陵 but is a road, not the district.
    assert key("海陵北路") == "海陵北路"


def test_the_longest_district_name_is_stripped():
    places = Places(districts=("医药高新区", "泰州医药高新区"))
    assert parse_address("泰州医药高新区药城大道1号", places).district == "泰州医药高新区"


def test_different_districts_are_different_places_and_no_district_matches_either():
    assert not alike("高港区人民路5号", "海陵区人民路5号")
    assert alike("人民路5号", "海陵区人民路5号")


def test_no_places_configured_strips_nothing():
    assert parse_address("泰州市海陵区人民路").key == "泰州市海陵区人民路"


@pytest.mark.parametrize("said, place, position", [
    ("西仓路银春旅馆门前", "西仓路银春旅馆", "门前"),
    ("西仓路银春旅馆門前", "西仓路银春旅馆", "门前"),
    ("西仓路银春旅馆附近", "西仓路银春旅馆", "附近"),
    ("银春旅馆对面", "银春旅馆", "对面"),
    ("在西仓路银春旅馆的门口附近", "西仓路银春旅馆", "门口附近"),
    ("人民路口", "人民路", "路口"),
    ("人民路路口", "人民路", "路口"),
    ("人民路海陵路十字路口", "人民路海陵路", "十字路口"),
])
def test_position_words_say_where_at_the_place_and_leave_the_key(said, place, position):
    address = parse_address(said, TAIZHOU)
    assert (address.key, address.position) == (place, position)


def test_position_words_inside_a_name_are_kept():
    assert key("门前街5号") == "门前街5号"
    assert key("市排水管理处") == "市排水管理处"


# --- similarity ---------------------------------------------------------------------------------

def test_identical_keys_are_fully_similar_and_empty_ones_not_at_all():
    assert similarity(parse_address("西仓路"), parse_address("西仓路")) == 1.0
    assert similarity(parse_address(""), parse_address("")) == 0.0
    assert similarity(parse_address(None), parse_address("西仓路")) == 0.0


def test_a_bare_road_is_not_a_particular_place_on_it():
    assert not alike("西仓路", "西仓路银春旅馆")


def test_neighbouring_roads_are_different_places():
    assert not alike("海陵北路", "海陵南路")
    assert not alike("凤凰路", "凤凰东路")
    assert not alike("西仓路银春旅馆", "西仓路华联超市")


def test_similarity_is_symmetric_and_the_threshold_is_configurable():
    a, b = parse_address("西仓路银春旅馆"), parse_address("西仓路银春宾馆")
    assert similarity(a, b) == similarity(b, a)
    assert same_place(a, b, threshold=SAME_PLACE)
    assert not same_place(a, b, threshold=0.9)


def test_letters_match_whatever_their_case():
    assert alike("A区3栋", "a区3栋")
