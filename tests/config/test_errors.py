"""A broken configuration stops the service at start, naming the file and the key."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from config.loader import ConfigError, load_config
from config.settings import SHIPPED_CONFIG_DIR


@pytest.fixture
def config_dir(tmp_path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def edit(directory: Path, name: str, change) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_configuration_is_valid_and_complete():
    config = load_config(SHIPPED_CONFIG_DIR)
    assert set(config.lines) == {"urban", "conduct"}
    assert config.line_for_number("+8652388012319").id == "urban"
    assert len(config.departments) >= 12
    assert {"WATER", "DRAIN", "SANIT", "LIGHT", "ROADS", "PARKS", "ENFORCE", "TRAFFIC", "HOUSING"} \
        <= set(config.departments)
    water_cover = config.categories["C0101"]
    assert water_cover.department == "WATER" and water_cover.priority == "urgent"
    assert str(config.categories["E0101"].time_limit) == "15 working days"


@pytest.mark.parametrize("name, change, message", [
    ("lines.yaml", lambda d: d["lines"][0]["menu"]["options"].pop("0"),
     "lines.yaml: lines[0].menu.options: every menu needs 0 for a person"),
    ("lines.yaml", lambda d: d["lines"][0]["menu"]["options"].update(
        {"4": {"action": "complaint"}, "5": {"action": "status"}, "6": {"action": "status"}}),
     "lines.yaml: lines[0].menu.options: at most 5 choices a level"),
    ("lines.yaml", lambda d: d["lines"][0]["menu"]["options"]["1"].update(action="dance"),
     "lines.yaml: lines[0].menu.options.1.action: 'dance' must be one of"),
    ("lines.yaml", lambda d: d["lines"][0]["menu"]["options"].update({"9": {"action": "status"}}),
     "lines.yaml: lines[0].menu.options.9: 9 repeats the menu"),
    ("lines.yaml", lambda d: d["lines"][0]["category_menu"][0]["categories"].append("C0201"),
     "lines.yaml: lines[0].category_menu[0].categories: a group holds 1 to 5 categories"),
    ("lines.yaml", lambda d: d["lines"][1]["category_menu"][0]["categories"].__setitem__(0, "C0101"),
     "lines.yaml: lines[1].category_menu[0].categories[0]: category 'C0101' does not list line 'conduct'"),
    ("lines.yaml", lambda d: d["lines"][1].update(numbers=["+8652388012319"]),
     "lines.yaml: lines[1].numbers[0]: +8652388012319 already belongs to line 'urban'"),
    ("lines.yaml", lambda d: d["lines"][0].update(time_zone="Mars/Olympus"),
     "lines.yaml: lines[0].time_zone: 'Mars/Olympus' is not a time zone"),
    ("lines.yaml", lambda d: d["lines"][0].update(record_calls="no"),
     "lines.yaml: lines[0].record_calls: must be true or false"),
    ("lines.yaml", lambda d: d["lines"][0].update(business_hours="nights"),
     "lines.yaml: lines[0].business_hours: unknown calendar 'nights'"),
    ("categories.yaml", lambda d: d["categories"][0].update(department="NOWHERE"),
     "categories.yaml: categories[0].department: unknown department 'NOWHERE'"),
    ("categories.yaml", lambda d: d["categories"][0].update(time_limit="soon"),
     "categories.yaml: categories[0].time_limit: 'soon' is not a time limit"),
    ("categories.yaml", lambda d: d["categories"][0].update(code="0101"),
     "categories.yaml: categories[0].code: '0101' must be C or E and four digits"),
    ("categories.yaml", lambda d: d["categories"][1].update(code="C0101"),
     "categories.yaml: categories[1]: duplicate category code 'C0101'"),
    ("categories.yaml", lambda d: d["categories"][0].update(priority="whenever"),
     "categories.yaml: categories[0].priority: 'whenever' must be one of urgent, high, normal"),
    ("departments.yaml", lambda d: d["departments"][0].update(duty_number="call me"),
     "departments.yaml: departments[0].duty_number: 'call me' is not an E.164 number"),
    ("calendars.yaml", lambda d: d["calendars"]["office"].update(hours=["14:00-12:00"]),
     "calendars.yaml: calendars.office.hours[0]: '14:00-12:00' is not a valid interval"),
    ("calendars.yaml", lambda d: d["calendars"]["office"].update(holidays=["2026-13-01"]),
     "calendars.yaml: calendars.office.holidays[0]: '2026-13-01' is not a date"),
    ("routing.yaml", lambda d: d["rules"][0].update(department="ELSEWHERE"),
     "routing.yaml: rules[0].department: unknown department 'ELSEWHERE'"),
    ("prompts/zh-CN.yaml", lambda d: d["prompts"].pop("goodbye"),
     "prompts/zh-CN.yaml: prompts: missing goodbye"),
    ("prompts/en-US.yaml", lambda d: d["prompts"].pop("greeting_conduct"),
     "prompts/en-US.yaml: prompts: missing greeting_conduct"),
    ("prompts/zh-CN.yaml", lambda d: d["prompts"].update(goodbye="再见{"),
     "prompts/zh-CN.yaml: prompts.goodbye: bad placeholder"),
    ("prompts/zh-CN.yaml", lambda d: d["voice"].update(speech_model="phone_call"),
     "prompts/zh-CN.yaml: voice.speech_model: speech model 'phone_call' does not recognise 'cmn-Hans-CN' "
     "(Twilio warning 13331)"),
    ("prompts/zh-CN.yaml", lambda d: d["voice"].update(speech_model="deepgram_nova-3"),
     "does not recognise 'cmn-Hans-CN'"),
    ("prompts/en-US.yaml", lambda d: d["voice"].update(speech_model="whisper"),
     "prompts/en-US.yaml: voice.speech_model: unknown speech model 'whisper'"),
    ("categories.yaml", lambda d: d["categories"][0].update(code="C0701"),
     "categories.yaml: categories[0].code: 'C0701': no class C07 in classes"),
    ("categories.yaml", lambda d: d["classes"][0].update(department="NOWHERE"),
     "categories.yaml: classes[0].department: unknown department 'NOWHERE'"),
    ("lines.yaml", lambda d: d["lines"][0].update(when_unsure="guess"),
     "lines.yaml: lines[0].when_unsure: 'guess' must be one of operator, keypad"),
])
def test_configuration_error_names_the_file_and_the_key(config_dir, name, change, message):
    edit(config_dir, name, change)
    with pytest.raises(ConfigError) as error:
        load_config(config_dir)
    assert message in str(error.value)


def test_a_category_takes_what_its_class_does_not_say_from_the_class():
    config = load_config(SHIPPED_CONFIG_DIR)
    pavement, street_order = config.categories["C0202"], config.classes["E05"]
    assert pavement.department == config.classes["C02"].department == "ROADS"
    assert pavement.major == "C02" and pavement.kind == "component"
    assert config.categories["E0505"].time_limit == street_order.time_limit
    assert config.categories["E9001"].lines == ("conduct",)
    assert len(config.categories) >= 140 and len(config.classes) == 13


def test_invalid_yaml_names_the_file(config_dir):
    (config_dir / "lines.yaml").write_text("lines: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"lines.yaml: not valid YAML"):
        load_config(config_dir)


def test_missing_file_is_named(config_dir):
    (config_dir / "routing.yaml").unlink()
    with pytest.raises(ConfigError, match=r"routing.yaml: file is missing"):
        load_config(config_dir)


def test_the_app_refuses_to_start_with_a_broken_menu(config_dir, tmp_path):
    from app import create_app
    edit(config_dir, "lines.yaml", lambda d: d["lines"][0]["menu"]["options"].pop("0"))
    with pytest.raises(ConfigError, match="every menu needs 0"):
        create_app({"config_dir": config_dir, "instance_dir": tmp_path,
                    "database_url": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_every_case_status_has_words_for_callers_in_every_language():
    from cases.lifecycle import STATUSES
    config = load_config(SHIPPED_CONFIG_DIR)
    for language, prompts in config.prompts.items():
        missing = [s for s in STATUSES if f"status_{s}" not in prompts.texts]
        assert not missing, f"prompts/{language}.yaml lacks {missing}"


def test_seats_yaml_sets_the_ring_the_wrap_up_and_where_a_missed_operator_goes(config_dir):
    assert load_config(SHIPPED_CONFIG_DIR).seats.ring_seconds == 20
    edit(config_dir, "seats.yaml", lambda d: d["seats"].update(ring_seconds=12, wrap_up="2m", missed_state="offline"))
    seats = load_config(config_dir).seats
    assert (seats.ring_seconds, seats.wrap_up.total_seconds(), seats.missed_state) == (12, 120, "offline")
    edit(config_dir, "seats.yaml", lambda d: d["seats"].update(missed_state="lunch"))
    with pytest.raises(ConfigError, match="missed_state.*break or offline"):
        load_config(config_dir)


def test_a_line_may_record_no_calls_and_then_needs_no_recording_notice(config_dir):
    def quiet(data):
        for line in data["lines"]:
            line["record_calls"] = False
    edit(config_dir, "lines.yaml", quiet)
    edit(config_dir, "prompts/en-US.yaml", lambda d: d["prompts"].pop("recording_notice"))
    config = load_config(config_dir)
    assert not config.lines["urban"].record_calls and not config.lines["conduct"].record_calls
    assert load_config(SHIPPED_CONFIG_DIR).lines["urban"].record_calls


def test_a_recording_line_needs_the_recording_notice(config_dir):
    edit(config_dir, "prompts/en-US.yaml", lambda d: d["prompts"].pop("recording_notice"))
    with pytest.raises(ConfigError, match="prompts/en-US.yaml: prompts: missing recording_notice"):
        load_config(config_dir)
