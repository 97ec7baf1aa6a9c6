from __future__ import annotations

import pytest

from database import db
from tests.support.factories import dispatched, report
from wiring import services

CALLER = "+8613812345678"


@pytest.fixture
def cases(app, clock):
    """A dispatched case and a fresh one, both reported from CALLER: their numbers."""
    with db.session_scope(app) as session:
        config = services(app).config
        sewer = dispatched(session, config, clock(), description="下水道堵了，张三家门口", caller=CALLER)
        lamp = report(session, config, clock(), category="C0118", description="路灯不亮", caller=CALLER,
                      location="李四家楼下")
        return sewer.number, lamp.number
