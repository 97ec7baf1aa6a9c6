"""``Settings.with_overrides``: what ``create_app(config)`` accepts."""
from datetime import timedelta

import pytest

from config.settings import EXTRAS, Settings, SettingsError


def test_a_field_name_sets_the_field():
    settings = Settings().with_overrides({"public_url": "https://hotline.example", "db_lock_timeout": timedelta(1)})
    assert settings.public_url == "https://hotline.example"
    assert settings.db_lock_timeout == timedelta(1)
    assert settings.extra == {}


def test_a_declared_extra_lands_in_extra():
    clock = object()
    settings = Settings().with_overrides({"clock": clock, "assessment": {"rank_by": "on_time"}})
    assert settings.extra == {"clock": clock, "assessment": {"rank_by": "on_time"}}
    assert {"clock", "understanding", "assessment"} <= EXTRAS


def test_a_misspelt_key_is_refused_and_named():
    with pytest.raises(SettingsError, match=r"unknown setting 'databse_url'"):
        Settings().with_overrides({"databse_url": "sqlite://"})


def test_extra_itself_is_not_a_key():
    with pytest.raises(SettingsError, match=r"unknown setting 'extra'"):
        Settings().with_overrides({"extra": {"clock": None}})


def test_nothing_is_applied_when_one_key_is_wrong():
    settings = Settings()
    with pytest.raises(SettingsError, match=r"'clok'"):
        settings.with_overrides({"public_url": "https://hotline.example", "clok": None})
    assert settings.public_url is None
