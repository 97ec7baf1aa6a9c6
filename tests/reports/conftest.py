"""Fixtures for the report tests: the test app with every department ranked, and a month of cases."""
from __future__ import annotations

from dataclasses import replace

import pytest

from database import db
from tests.console.conftest import sign_in, users  # noqa: F401  (the console's sign-in fixtures)
from tests.reports.story import build_october, continue_into_november
from wiring import services


@pytest.fixture
def app(app):
    # The stories hold a handful of cases: every department with a figure is placed (the minimum
    # itself is tested in test_ranking_minimum.py).
    services(app).assessment = replace(services(app).assessment, minimum_to_rank=1)
    return app


@pytest.fixture
def config(app):
    return services(app).config


@pytest.fixture
def october(app, config):
    """The October story, committed so that the console's requests see it."""
    with db.session_scope(app) as session:
        story = build_october(session, config)
        ids = {name: getattr(story, name).id for name in vars(story)}
        numbers = {name: getattr(story, name).number for name in vars(story)}
    return Cases(ids, numbers)


@pytest.fixture
def november(app, config, october):
    """October, then what happened in November."""
    with db.session_scope(app) as session:
        story = _reload(session, october)
        continue_into_november(session, config, story)
    return october


class Cases:
    def __init__(self, ids: dict[str, int], numbers: dict[str, str]) -> None:
        self.ids, self.numbers = ids, numbers

    def __getattr__(self, name: str) -> int:
        try:
            return self.ids[name]
        except KeyError:
            raise AttributeError(name) from None


def _reload(session, cases: Cases):
    from cases.models import Case
    from tests.reports.story import Story
    return Story(**{name: session.get(Case, case_id) for name, case_id in cases.ids.items()})
