"""``flask --app app knowledge evaluate``: the figure on the frozen set, and
a refusal to measure a set that has changed."""
from __future__ import annotations

import json
import shutil

import pytest

from app import create_app
from config.settings import SHIPPED_CONFIG_DIR
from database import db
from knowledge.search import ANSWER_MARGIN


@pytest.mark.parametrize(("which", "size"), [("second", 210), ("first", 151)])
def test_the_figure_on_a_frozen_set(app, which, size):
    args = ["knowledge", "evaluate", "--format", "json"] + (["--set", which] if which != "second" else [])
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["enquiries"] == size and 0 < figures["top1"] <= figures["top3"] <= size
    assert figures["answered_right"] <= figures["answered"]
    assert figures["threshold"] == ANSWER_MARGIN


def test_a_changed_heldout_set_is_not_measured(migrated, tmp_path, understanding):
    config_dir = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG_DIR, config_dir)
    heldout = config_dir / "knowledge" / "heldout-2.yaml"
    heldout.write_text(heldout.read_text(encoding="utf-8") + "# one byte more is a changed set\n",
                       encoding="utf-8")
    changed = create_app({"database_url": migrated, "config_dir": config_dir, "instance_dir": tmp_path / "i",
                          "env": "testing", "understanding": understanding})
    try:
        result = changed.test_cli_runner().invoke(args=["knowledge", "evaluate"])
        assert result.exit_code != 0 and "changed since they were frozen" in result.output
    finally:
        db.engine(changed).dispose()
