"""The command line: init is idempotent, case show prints a case as JSON."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from routing.models import Category, Department


def test_init_can_run_twice_loads_the_configuration_and_builds_a_missing_classifier(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "2 lines, 30 departments, 145 categories" in first.output
    assert "training the classifier (missing or stale)" in first.output
    again = runner.invoke(args=["init"])
    assert again.exit_code == 0, again.output
    assert "classifier current" in again.output and "training" not in again.output
    from database import db
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Department)) == 30
        assert session.get(Category, "C0101").department_code == "WATER"


def test_case_show_prints_the_case_with_a_masked_callback_number(app, new_call):
    call = new_call(from_="+8613912345678")
    call.dial()
    call.say("西仓路银春旅馆门前有两个上水井盖丢失")
    done = call.press("1")
    number = next(el.text for el in done.root.iter("say-as"))
    result = app.test_cli_runner().invoke(args=["case", "show", number])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["number"] == number and shown["status"] == "verifying"
    assert shown["category"] == {"code": "C0101", "name": "上水井盖", "name_en": "Water-supply manhole cover",
                                 "kind": "component"}
    assert shown["department"]["code"] == "WATER" and shown["priority"] == "urgent"
    assert shown["location"] == "西仓路银春旅馆门前"
    assert shown["callback_number"] == "+86*******5678" and shown["caller"] == "+86*******5678"
    revealed = json.loads(app.test_cli_runner().invoke(args=["case", "show", number, "--reveal"]).output)
    assert revealed["caller"] == "+8613912345678"
    assert shown["due_at"] == "2026-10-09T04:00:00+00:00"      # 12:00 in Taizhou


def test_case_show_for_an_unknown_number_fails_clearly(app):
    result = app.test_cli_runner().invoke(args=["case", "show", "0000000000"])
    assert result.exit_code != 0 and "no case numbered 0000000000" in result.output
