"""The assessment's settings: defaults, assessment.yaml, and clear complaints about mistakes."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from reports import Figure, Indicator
from reports.settings import AssessmentSettings, SettingsError, load, parse


def test_defaults_are_the_strict_rules_with_a_one_day_check():
    settings = load(None)
    assert settings == AssessmentSettings()
    assert settings.rules.check_time_limit == timedelta(hours=24)
    assert not settings.rules.subtract_suspended
    assert settings.rank_by is Indicator.DISPOSAL_RATE and settings.trend_months == 12


def test_assessment_yaml_in_the_configuration_directory_is_read(tmp_path):
    (tmp_path / "assessment.yaml").write_text(
        "assessment:\n"
        "  rank_by: on_time_disposal_rate\n"
        "  rules: {subtract_suspended: true, check_time_limit_hours: 8}\n"
        "  targets: {disposal_rate: 92.5, satisfaction: null}\n", encoding="utf-8")
    settings = load(tmp_path, {"trend_months": 6})
    assert settings.rank_by is Indicator.ON_TIME_DISPOSAL_RATE
    assert settings.rules.subtract_suspended and settings.rules.check_time_limit == timedelta(hours=8)
    assert settings.targets[Indicator.DISPOSAL_RATE] == Decimal("92.5")
    assert Indicator.SATISFACTION not in settings.targets
    assert settings.trend_months == 6


@pytest.mark.parametrize("values, complaint", [
    ({"rank_by": "speed"}, "'speed' is not an indicator"),
    ({"targets": {"disposal_rate": 120}}, "between 0 and 100"),
    ({"rules": {"subtract_suspended": "yes"}}, "true or false"),
    ({"rules": {"check_hours": 3}}, "unknown rule"),
    ({"time_zone": "Mars/Olympus"}, "not a time zone"),
    ({"colour": "red"}, "unknown assessment setting"),
    ({"database_workers": 0}, "database_workers"),
])
def test_mistakes_name_the_setting(values, complaint):
    with pytest.raises(SettingsError, match=complaint):
        parse(values)


def test_a_figure_meets_its_target_or_its_ceiling():
    settings = AssessmentSettings()
    assert settings.meets_target(Indicator.DISPOSAL_RATE, Figure(frozenset(range(9)), frozenset(range(10))))
    assert not settings.meets_target(Indicator.DISPOSAL_RATE, Figure(frozenset(range(8)), frozenset(range(10))))
    assert settings.meets_target(Indicator.REWORK_RATE, Figure(frozenset(), frozenset(range(10))))
    assert not settings.meets_target(Indicator.REWORK_RATE, Figure(frozenset({1}), frozenset(range(10))))
    assert settings.meets_target(Indicator.SATISFACTION, Figure(frozenset(), frozenset())) is None


def test_the_app_refuses_to_start_with_a_broken_assessment_yaml(app):
    from app import create_app
    from reports.views import bp
    with pytest.raises(SettingsError, match="rank_by"):
        broken = create_app({"database_url": app.config["SETTINGS"].database_url, "assessment": {"rank_by": "x"}})
        if "reports" not in broken.blueprints:   # until the factory registers the blueprint itself
            broken.register_blueprint(bp)
