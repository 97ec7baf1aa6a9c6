"""The calling policy (config/callbacks.yaml) and the scheduler's settings
(environment) are read and checked in config/, with errors that name the key."""
from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from config.catalog import CallbackPolicy
from config.loader import ConfigError, load_config
from config.settings import SHIPPED_CONFIG_DIR, SettingsError, load_settings


@pytest.fixture
def config_dir(tmp_path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def write(config_dir: Path, text: str) -> None:
    (config_dir / "callbacks.yaml").write_text(text, encoding="utf-8")


def test_the_shipped_policy_is_the_documented_one():
    policy = load_config(SHIPPED_CONFIG_DIR).callbacks
    assert policy == CallbackPolicy()
    assert policy.hours == ((540, 720), (840, 1200)) and policy.max_attempts == 3
    assert [policy.retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=30)] + [timedelta(hours=2)] * 3


def test_without_the_file_the_defaults_hold(config_dir):
    (config_dir / "callbacks.yaml").unlink()
    assert load_config(config_dir).callbacks == CallbackPolicy()


def test_a_city_sets_its_own_hours_and_patience(config_dir):
    write(config_dir, "callbacks:\n  hours: ['08:30-11:30', '15:00-21:00']\n  outcome_delay: 1d\n"
                      "  missed_delay: 90s\n  max_attempts: 5\n  retry_delays: [10m, 1h, 4h]\n  ring_seconds: 45\n")
    policy = load_config(config_dir).callbacks
    assert policy.hours == ((510, 690), (900, 1260)) and policy.outcome_delay == timedelta(days=1)
    assert policy.missed_delay == timedelta(seconds=90) and policy.max_attempts == 5 and policy.ring_seconds == 45
    assert policy.retry_delays == (timedelta(minutes=10), timedelta(hours=1), timedelta(hours=4))


@pytest.mark.parametrize("text, message", [
    ("callbacks:\n  hours: ['9-20']\n", "callbacks.hours[0]: '9-20' must look like 08:30-12:00"),
    ("callbacks:\n  hours: ['14:00-20:00', '09:00-12:00']\n", "intervals must be in order"),
    ("callbacks:\n  hours: []\n", "callbacks.hours: needs at least one interval"),
    ("callbacks:\n  hours: ['09:00-20:00']\n  outcome_delay: two hours\n",
     "callbacks.outcome_delay: 'two hours' must be a duration such as 90s, 30m, 2h or 1d"),
    ("callbacks:\n  hours: ['09:00-20:00']\n  max_attempts: 0\n", "callbacks.max_attempts: must be a whole number"),
    ("callbacks:\n  hours: ['09:00-20:00']\n  retry_delays: [30m, soon]\n", "callbacks.retry_delays[1]"),
])
def test_a_bad_policy_stops_the_service_naming_the_file_and_key(config_dir, text, message):
    write(config_dir, text)
    with pytest.raises(ConfigError) as error:
        load_config(config_dir)
    assert "callbacks.yaml" in str(error.value) and message in str(error.value)


def test_the_scheduler_settings_come_from_the_environment(tmp_path):
    settings = load_settings({"HOTLINE_INSTANCE_DIR": str(tmp_path), "HOTLINE_SCHEDULER_CALLBACKS_EVERY": "2s",
                              "HOTLINE_SCHEDULER_STANDBY_POLL": "1s", "HOTLINE_SCHEDULER_LOCK_FILE": "/run/x.lock",
                              "HOTLINE_SCHEDULER_CALLBACK_CONCURRENCY": "8",
                              "HOTLINE_SCHEDULER_CALLBACK_STALE_AFTER": "30m"}).scheduler
    assert settings.callbacks_every == timedelta(seconds=2) and settings.standby_poll == timedelta(seconds=1)
    assert settings.lock_file == Path("/run/x.lock") and settings.callback_concurrency == 8
    assert settings.callback_stale_after == timedelta(minutes=30) and settings.callback_batch == 50


@pytest.mark.parametrize("name, value, message", [
    ("HOTLINE_SCHEDULER_CALLBACKS_EVERY", "5 seconds", "must be a duration such as 90s"),
    ("HOTLINE_SCHEDULER_CALLBACK_CONCURRENCY", "0", "must be at least 1"),
    ("HOTLINE_SCHEDULER_CALLBACK_BATCH", "many", "must be a whole number"),
])
def test_bad_scheduler_settings_name_the_variable(tmp_path, name, value, message):
    with pytest.raises(SettingsError) as error:
        load_settings({"HOTLINE_INSTANCE_DIR": str(tmp_path), name: value})
    assert name in str(error.value) and message in str(error.value)
