"""The command line: init is idempotent, case show prints a case as JSON."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from routing.models import Category, Department
from wiring import services


def test_init_can_run_twice_loads_the_configuration_and_builds_a_missing_classifier(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "2 lines, 30 departments, 145 categories" in first.output
    assert "training the classifier (missing or stale)" in first.output
    again = runner.invoke(args=["init"])
    assert again.exit_code == 0, again.output
    assert "classifier current" in again.output and "training" not in again.output
    assert runner.invoke(args=["classifier", "status"]).output.startswith("current: model")
    figures = json.loads(runner.invoke(args=["classifier", "evaluate", "--format", "json"]).output)
    assert figures["complaints"] >= 300 and 0 < figures["top1"] <= figures["top3"] <= 1
    assert set(figures["by_major"]) == set(services(app).config.classes)
    table = runner.invoke(args=["classifier", "evaluate"]).output
    assert "top-1" in table and "(frozen)" in table
    from database import db
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Department)) == 30
        # The rows are the keys foreign keys point at; what a category is (its
        # department, C0101's is WATER) is the configuration's alone.
        assert session.get(Category, "C0101").active
        assert session.scalar(select(func.count()).select_from(Category)) == 145
        assert services(app).config.categories["C0101"].department == "WATER"


def test_evaluate_refuses_a_held_out_set_that_changed_since_it_was_frozen(tmp_path, migrated, understanding):
    import shutil

    from app import create_app
    from config.settings import SHIPPED_CONFIG_DIR
    config_dir = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG_DIR, config_dir, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    held_out = config_dir / "understanding" / "heldout" / "complaints.yaml"
    held_out.write_text(held_out.read_text(encoding="utf-8").replace("urgent: true", "urgent: false", 1),
                        encoding="utf-8")
    app = create_app({"database_url": migrated, "instance_dir": tmp_path / "instance", "config_dir": config_dir,
                      "understanding": understanding})
    result = app.test_cli_runner().invoke(args=["classifier", "evaluate"])
    assert result.exit_code != 0 and "changed since it was frozen" in result.output


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
