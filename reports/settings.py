"""The assessment's settings: counting rules, targets, the ranking indicator, the time zone.

A city edits them in ``assessment.yaml`` in its configuration directory (``HOTLINE_CONFIG_DIR``);
without that file the defaults below hold. Tests pass the same mapping as
``create_app({"assessment": {...}})``. docs/reports.md describes every setting.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from reports.indicators import LOWER_IS_BETTER, AssessmentRules, Figure, Indicator
from routing.periods import DEFAULT_TIME_ZONE

FILE_NAME = "assessment.yaml"

DEFAULT_TARGETS: Mapping[Indicator, Decimal] = {
    Indicator.FILING_RATE: Decimal(90),
    Indicator.DISPATCH_ACCURACY: Decimal(95),
    Indicator.DISPOSAL_RATE: Decimal(90),
    Indicator.ON_TIME_DISPOSAL_RATE: Decimal(85),
    Indicator.CLOSING_RATE: Decimal(90),
    Indicator.ON_TIME_CLOSING_RATE: Decimal(80),
    Indicator.REWORK_RATE: Decimal(5),          # a ceiling: lower is better
    Indicator.SATISFACTION: Decimal(85),
}


class SettingsError(ValueError):
    """``assessment.yaml`` says something that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class AssessmentSettings:
    rules: AssessmentRules = AssessmentRules()
    targets: Mapping[Indicator, Decimal] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    rank_by: Indicator = Indicator.DISPOSAL_RATE
    minimum_to_rank: int = 10
    """A department is placed in the ranking only when its ranking figure counts at least this
    many cases (the indicator's denominator); the others are listed below it, with the reason."""
    trend_months: int = 12
    hotline_channel: str = "hotline"
    time_zone: str = DEFAULT_TIME_ZONE
    database_workers: int = 2
    """PostgreSQL: a month's cases are split among this many connections that compute their
    shares at once, each on a core of the database server (1: one statement)."""

    def meets_target(self, indicator: Indicator, figure: Figure) -> bool | None:
        """Whether a figure reaches its target (for the rework rate: stays under it); None when
        there is no target or no figure."""
        target = self.targets.get(indicator)
        if target is None or figure.exact is None:
            return None
        percent = Decimal(figure.exact.numerator * 100) / Decimal(figure.exact.denominator)
        return percent <= target if indicator in LOWER_IS_BETTER else percent >= target


def load(config_dir: Path | None, overrides: Mapping[str, Any] | None = None) -> AssessmentSettings:
    """The settings from ``<config_dir>/assessment.yaml`` (if there is one), then ``overrides``."""
    values: dict[str, Any] = {}
    path = Path(config_dir) / FILE_NAME if config_dir is not None else None
    if path is not None and path.exists():
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(document, Mapping) or not isinstance(document.get("assessment", {}), Mapping):
            raise SettingsError(f"{path}: expected a mapping under 'assessment'")
        values.update(document.get("assessment") or {})
    else:
        path = None
    values.update(overrides or {})
    try:
        return parse(values)
    except SettingsError as exc:
        # Name the file, so a city's editor knows where to look.
        where = f"{path}: assessment" if path is not None else "assessment settings"
        raise SettingsError(f"{where}: {exc}") from None


def parse(values: Mapping[str, Any]) -> AssessmentSettings:
    known = {"rules", "targets", "rank_by", "minimum_to_rank", "trend_months", "hotline_channel", "time_zone",
             "database_workers"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise SettingsError(f"unknown assessment setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    defaults = AssessmentSettings()
    time_zone = str(values.get("time_zone", defaults.time_zone))
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"time_zone: {time_zone!r} is not a time zone") from exc
    months = values.get("trend_months", defaults.trend_months)
    if not isinstance(months, int) or not 2 <= months <= 36:
        raise SettingsError(f"trend_months must be a whole number from 2 to 36, not {months!r}")
    minimum = values.get("minimum_to_rank", defaults.minimum_to_rank)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 1 <= minimum <= 100_000:
        raise SettingsError(f"minimum_to_rank must be a whole number of cases from 1 to 100000, not {minimum!r}")
    workers = values.get("database_workers", defaults.database_workers)
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 16:
        raise SettingsError(f"database_workers must be a whole number from 1 to 16, not {workers!r}")
    return AssessmentSettings(
        rules=_rules(values.get("rules") or {}),
        targets=_targets(values.get("targets") or {}),
        rank_by=_indicator("rank_by", values.get("rank_by", defaults.rank_by.value)),
        minimum_to_rank=minimum,
        trend_months=months,
        hotline_channel=str(values.get("hotline_channel", defaults.hotline_channel)),
        time_zone=time_zone,
        database_workers=workers,
    )


def _rules(values: Mapping[str, Any]) -> AssessmentRules:
    flags = ("subtract_suspended", "voided_count_as_valid_reports", "basically_satisfied_counts")
    unknown = sorted(set(values) - set(flags) - {"check_time_limit_hours"})
    if unknown:
        raise SettingsError(f"unknown rule(s) {', '.join(unknown)}; known: {', '.join(flags)}, check_time_limit_hours")
    chosen: dict[str, Any] = {}
    for name in flags:
        if name in values:
            if not isinstance(values[name], bool):
                raise SettingsError(f"rules.{name} must be true or false, not {values[name]!r}")
            chosen[name] = values[name]
    if "check_time_limit_hours" in values:
        hours = values["check_time_limit_hours"]
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 <= hours <= 24 * 60:
            raise SettingsError(f"rules.check_time_limit_hours must be a number of hours, not {hours!r}")
        chosen["check_time_limit"] = timedelta(hours=hours)
    return AssessmentRules(**chosen)


def _targets(values: Mapping[str, Any]) -> dict[Indicator, Decimal]:
    targets = dict(DEFAULT_TARGETS)
    for name, value in values.items():
        indicator = _indicator("targets", name)
        if value is None:
            targets.pop(indicator, None)
            continue
        try:
            percent = Decimal(str(value))
        except InvalidOperation as exc:
            raise SettingsError(f"targets.{name} must be a percentage such as 90 or 92.5, not {value!r}") from exc
        if not 0 <= percent <= 100:
            raise SettingsError(f"targets.{name} must be between 0 and 100, not {value!r}")
        targets[indicator] = percent
    return targets


def _indicator(setting: str, name: Any) -> Indicator:
    try:
        return Indicator(name)
    except ValueError as exc:
        raise SettingsError(f"{setting}: {name!r} is not an indicator; "
                            f"choose one of {', '.join(i.value for i in Indicator)}") from exc
